"""Photos and voice notes in messages: each message's attachments, and the phones' uploads of them."""

# Two new tables; nothing else changes. `phone_upload` keeps, per person and SHA-256, the media type
# and size a phone declared when it began uploading, and when the last byte arrived (the sealed bytes
# are files in the attachments folder). `message_attachment` lists the attachments a message carries,
# in order, by SHA-256 with their media type and size.

TYPES = {
    "sqlite": {"big": "INTEGER", "small": "INTEGER"},
    "postgresql": {"big": "BIGINT", "small": "SMALLINT"},
}

TABLES = (
    'CREATE TABLE IF NOT EXISTS "phone_upload" ("person_id" VARCHAR(16) NOT NULL, "sha256" VARCHAR(64) NOT NULL, '
    '"key_id" VARCHAR(64) NOT NULL, "media_type" VARCHAR(40) NOT NULL, "bytes" {big} NOT NULL, "started_at" '
    'VARCHAR(40) NOT NULL, "completed_at" VARCHAR(40), PRIMARY KEY ("person_id", "sha256"), FOREIGN KEY '
    '("person_id") REFERENCES "person" ("person_id") ON DELETE RESTRICT)',

    'CREATE TABLE IF NOT EXISTS "message_attachment" ("message_id" VARCHAR(64) NOT NULL, "position" {small} NOT '
    'NULL, "sha256" VARCHAR(64) NOT NULL, "media_type" VARCHAR(40) NOT NULL, "bytes" {big} NOT NULL, PRIMARY KEY '
    '("message_id", "position"), FOREIGN KEY ("message_id") REFERENCES "message" ("message_id") ON DELETE '
    'RESTRICT)',
    'CREATE INDEX IF NOT EXISTS "messageattachment_sha256" ON "message_attachment" ("sha256")',
)


def up(db):
    types = TYPES[db.dialect]
    for statement in TABLES:
        db.execute(statement.format(**types))
