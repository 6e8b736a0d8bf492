"""Release plans: each field of a person's plan, with who wrote it, when, and the losing values kept."""

# One new table; nothing else changes. `plan_field` holds, per person, pathway (wire/plans.py PATHWAYS,
# or `release` for the release date) and field (owner, status, notes; `date`), the value that won
# last-writer-wins with its writer and their time, and the losing values kept (JSON text, newest first).
# The primary key starts with person_id, so a person's plan is one indexed read.

TABLES = (
    'CREATE TABLE IF NOT EXISTS "plan_field" ("person_id" VARCHAR(16) NOT NULL, "pathway" VARCHAR(32) NOT NULL, '
    '"field" VARCHAR(16) NOT NULL, "value" TEXT NOT NULL, "at" VARCHAR(40) NOT NULL, "by" VARCHAR(80) NOT NULL, '
    '"losing" TEXT NOT NULL, PRIMARY KEY ("person_id", "pathway", "field"), FOREIGN KEY ("person_id") '
    'REFERENCES "person" ("person_id") ON DELETE RESTRICT)',
)


def up(db):
    for statement in TABLES:
        db.execute(statement)
