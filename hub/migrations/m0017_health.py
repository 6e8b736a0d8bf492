"""Health records, sealed per person: their keys, the sealed records, every read, the person's shares
and workers they let read, and their choice to carry a summary at all (hub/medical)."""

# Six new tables; nothing else changes, and they start empty. `health_key` holds each person's data key,
# wrapped by a hub key kept in the instance folder (hub/medical/keys.py); `health_record` the uploads,
# AES-256-GCM under that data key (deleting the key row erases them); `health_read` every read (who,
# role, purpose, how, what, when), keyed by person for the person's own list; `health_share` the links
# a person made for a GP or pharmacy (only the SHA-256 of the secret); `health_worker_share` the workers
# the person lets read it; `health_choice` whether a summary is carried at all.

TYPES = {
    "sqlite": {"bytes": "BLOB", "serial": "INTEGER", "bool": "INTEGER"},
    "postgresql": {"bytes": "BYTEA", "serial": "SERIAL", "bool": "BOOLEAN"},
}

PERSON_FK = 'FOREIGN KEY ("person_id") REFERENCES "person" ("person_id") ON DELETE RESTRICT'
VIA = "CHECK (via IN ('console', 'api', 'cli', 'phone', 'share'))"

TABLES = (
    'CREATE TABLE IF NOT EXISTS "health_key" ("person_id" VARCHAR(16) NOT NULL PRIMARY KEY, "wrapped" {bytes} '
    f'NOT NULL, "kek_id" INTEGER NOT NULL, "created_at" VARCHAR(40) NOT NULL, {PERSON_FK})',

    'CREATE TABLE IF NOT EXISTS "health_record" ("record_id" VARCHAR(36) NOT NULL PRIMARY KEY, "person_id" '
    "VARCHAR(16) NOT NULL, \"kind\" VARCHAR(16) NOT NULL CHECK (kind IN ('summary', 'appointments')), "
    '"sealed" {bytes} NOT NULL, "digest" VARCHAR(64) NOT NULL, "resources" INTEGER NOT NULL, "uploaded_at" '
    'VARCHAR(40) NOT NULL, "uploaded_by" VARCHAR(80) NOT NULL, "uploaded_role" VARCHAR(32) NOT NULL, "via" '
    f'VARCHAR(8) NOT NULL {VIA}, "superseded_at" VARCHAR(40), "keep_until" VARCHAR(40) NOT NULL, {PERSON_FK})',
    'CREATE INDEX IF NOT EXISTS "healthrecord_person_id" ON "health_record" ("person_id")',
    'CREATE INDEX IF NOT EXISTS "healthrecord_person_id_kind_uploaded_at" ON "health_record" ("person_id", '
    '"kind", "uploaded_at")',
    'CREATE INDEX IF NOT EXISTS "healthrecord_person_id_digest" ON "health_record" ("person_id", "digest")',

    'CREATE TABLE IF NOT EXISTS "health_read" ("id" {serial} NOT NULL PRIMARY KEY, "person_id" VARCHAR(16) NOT '
    'NULL, "who" VARCHAR(80) NOT NULL, "role" VARCHAR(32) NOT NULL, "purpose" VARCHAR(200) NOT NULL, "via" '
    f'VARCHAR(8) NOT NULL {VIA}, "what" VARCHAR(40) NOT NULL, "record" VARCHAR(36), "at" VARCHAR(40) NOT NULL, '
    f'{PERSON_FK})',
    'CREATE INDEX IF NOT EXISTS "healthread_person_id_id" ON "health_read" ("person_id", "id")',

    'CREATE TABLE IF NOT EXISTS "health_share" ("share_id" VARCHAR(36) NOT NULL PRIMARY KEY, "person_id" '
    'VARCHAR(16) NOT NULL, "token_sha256" VARCHAR(64) NOT NULL, "made_for" VARCHAR(100) NOT NULL, "created_at" '
    'VARCHAR(40) NOT NULL, "expires_at" VARCHAR(40) NOT NULL, "revoked_at" VARCHAR(40), "uses" INTEGER NOT NULL '
    f'DEFAULT 0, {PERSON_FK})',
    'CREATE INDEX IF NOT EXISTS "healthshare_person_id" ON "health_share" ("person_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "healthshare_token_sha256" ON "health_share" ("token_sha256")',

    'CREATE TABLE IF NOT EXISTS "health_worker_share" ("person_id" VARCHAR(16) NOT NULL, "worker" VARCHAR(64) '
    f'NOT NULL, "shared_at" VARCHAR(40) NOT NULL, PRIMARY KEY ("person_id", "worker"), {PERSON_FK})',
    'CREATE INDEX IF NOT EXISTS "healthworkershare_person_id" ON "health_worker_share" ("person_id")',

    'CREATE TABLE IF NOT EXISTS "health_choice" ("person_id" VARCHAR(16) NOT NULL PRIMARY KEY, "carried" {bool} '
    f'NOT NULL, "changed_at" VARCHAR(40) NOT NULL, "changed_by" VARCHAR(80) NOT NULL, {PERSON_FK})',
)


def up(db):
    types = TYPES[db.dialect]
    for statement in TABLES:
        db.execute(statement.format(**types))
