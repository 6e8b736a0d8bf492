"""Learning records from people's phones after release: the statements and resume states a phone sends through
the phone sync (hub/courses/models.py PhoneRecord), so a course goes on on the phone and the LRS gets them."""

# One new table; nothing else changes, and it starts empty. `arrival` orders them as the LRS forwarder reads
# them (hub/lrs), `record_id` keeps each once, and (person_id, kind) finds a person's states for
# GET /v1/phone/courses.

TYPES = {
    "sqlite": {"bigserial": "INTEGER"},
    "postgresql": {"bigserial": "BIGSERIAL"},
}

TABLES = (
    'CREATE TABLE IF NOT EXISTS "phone_record" ("arrival" {bigserial} NOT NULL PRIMARY KEY, "record_id" '
    'VARCHAR(36) NOT NULL, "person_id" VARCHAR(16) NOT NULL, "key_id" VARCHAR(64) NOT NULL, "kind" VARCHAR(32) '
    'NOT NULL, "created" VARCHAR(40) NOT NULL, "received_at" VARCHAR(40) NOT NULL, "payload" TEXT NOT NULL, '
    'FOREIGN KEY ("person_id") REFERENCES "person" ("person_id") ON DELETE RESTRICT)',
    'CREATE UNIQUE INDEX IF NOT EXISTS "phonerecord_record_id" ON "phone_record" ("record_id")',
    'CREATE INDEX IF NOT EXISTS "phonerecord_person_id_kind" ON "phone_record" ("person_id", "kind")',
)


def up(db):
    types = TYPES[db.dialect]
    for statement in TABLES:
        db.execute(statement.format(**types))
