"""Workers' caseloads, and every read of a person's data by a worker (the workers' console, /work)."""

# Two new tables; nothing else changes. `caseload` says which people a worker works with (`hub workers
# caseload add WORKER PERSON`); a team manager sees the caseloads of their team. `person_read` keeps
# who read what of a person's record, and when: keyed by person, so the person's own "who looked at
# my record" is one indexed query.

TYPES = {
    "sqlite": {"serial": "INTEGER"},
    "postgresql": {"serial": "SERIAL"},
}

PERSON_FK = 'FOREIGN KEY ("person_id") REFERENCES "person" ("person_id") ON DELETE RESTRICT'

TABLES = (
    'CREATE TABLE IF NOT EXISTS "caseload" ("worker" VARCHAR(64) NOT NULL, "person_id" VARCHAR(16) NOT NULL, '
    f'"added_at" VARCHAR(40) NOT NULL, "added_by" VARCHAR(80) NOT NULL, PRIMARY KEY ("worker", "person_id"), '
    f'{PERSON_FK})',
    'CREATE INDEX IF NOT EXISTS "caseload_person_id" ON "caseload" ("person_id")',

    'CREATE TABLE IF NOT EXISTS "person_read" ("id" {serial} NOT NULL PRIMARY KEY, "worker" VARCHAR(64) NOT NULL, '
    '"person_id" VARCHAR(16) NOT NULL, "what" VARCHAR(40) NOT NULL, "at" VARCHAR(40) NOT NULL, '
    f'{PERSON_FK})',
    'CREATE INDEX IF NOT EXISTS "personread_person_id_at" ON "person_read" ("person_id", "at")',
)


def up(db):
    types = TYPES[db.dialect]
    for statement in TABLES:
        db.execute(statement.format(**types))
