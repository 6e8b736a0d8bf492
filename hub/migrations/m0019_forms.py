"""Bespoke forms: published form versions, the submissions people's phones send, and their files."""

# Three new tables; nothing else changes, and they start empty. `form_version` keeps each version of a
# form as published (its XForm and the JSON field list the app renders from), never changed once
# there; `form_submission` a filled form from a person's phone (its id the phone's change id), its
# values and what is doubtful about them; `form_attachment` the photos, signatures and voice notes a
# submission carries, by SHA-256 (the sealed bytes are the phone's uploads, hub/sync/uploads.py).

TYPES = {
    "sqlite": {"big": "INTEGER"},
    "postgresql": {"big": "BIGINT"},
}

TABLES = (
    'CREATE TABLE IF NOT EXISTS "form_version" ("form_id" VARCHAR(64) NOT NULL, "version" VARCHAR(64) NOT NULL, '
    '"title" VARCHAR(200) NOT NULL, "digest" VARCHAR(64) NOT NULL, "xform" TEXT NOT NULL, "fields" TEXT NOT NULL, '
    '"published_at" VARCHAR(40) NOT NULL, "published_by" VARCHAR(80) NOT NULL, PRIMARY KEY ("form_id", "version"))',

    'CREATE TABLE IF NOT EXISTS "form_submission" ("submission_id" VARCHAR(64) NOT NULL PRIMARY KEY, "person_id" '
    'VARCHAR(16) NOT NULL, "form_id" VARCHAR(64) NOT NULL, "version" VARCHAR(64) NOT NULL, "values" TEXT NOT NULL, '
    '"flags" TEXT NOT NULL, "filled_at" VARCHAR(40) NOT NULL, "received_at" VARCHAR(40) NOT NULL, FOREIGN KEY '
    '("person_id") REFERENCES "person" ("person_id") ON DELETE RESTRICT)',
    'CREATE INDEX IF NOT EXISTS "formsubmission_form_id_received_at" ON "form_submission" ("form_id", '
    '"received_at")',
    'CREATE INDEX IF NOT EXISTS "formsubmission_person_id_received_at" ON "form_submission" ("person_id", '
    '"received_at")',

    'CREATE TABLE IF NOT EXISTS "form_attachment" ("submission_id" VARCHAR(64) NOT NULL, "path" VARCHAR(200) NOT '
    'NULL, "sha256" VARCHAR(64) NOT NULL, "media_type" VARCHAR(40) NOT NULL, "bytes" {big} NOT NULL, PRIMARY KEY '
    '("submission_id", "path"), FOREIGN KEY ("submission_id") REFERENCES "form_submission" ("submission_id") ON '
    'DELETE RESTRICT)',
    'CREATE INDEX IF NOT EXISTS "formattachment_sha256" ON "form_attachment" ("sha256")',
)


def up(db):
    types = TYPES[db.dialect]
    for statement in TABLES:
        db.execute(statement.format(**types))
