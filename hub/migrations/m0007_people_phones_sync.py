"""People, their activation codes and phones, and phone sync: the person's feed, phone changes, messages."""

# Eight new tables; nothing else changes. A person is made by staff (`hub people add`), released
# with a one-time activation code (`hub people release`), and their phone then syncs (docs/phone-sync.md).

TYPES = {
    "sqlite": {"bigserial": "INTEGER", "double": "REAL", "bool": "INTEGER"},
    "postgresql": {"bigserial": "BIGSERIAL", "double": "DOUBLE PRECISION", "bool": "BOOLEAN"},
}

PERSON_FK = 'FOREIGN KEY ("person_id") REFERENCES "person" ("person_id") ON DELETE RESTRICT'

TABLES = (
    'CREATE TABLE IF NOT EXISTS "person" ("person_id" VARCHAR(16) NOT NULL PRIMARY KEY, "status" VARCHAR(16) NOT '
    "NULL CHECK (status IN ('in_custody', 'released')), \"release_date\" VARCHAR(10), \"released_at\" VARCHAR(40), "
    '"created_at" VARCHAR(40) NOT NULL, "created_by" VARCHAR(80) NOT NULL)',

    'CREATE TABLE IF NOT EXISTS "person_learner" ("edge_id" VARCHAR(64) NOT NULL, "learner" VARCHAR(64) NOT NULL, '
    '"person_id" VARCHAR(16) NOT NULL, "linked_at" VARCHAR(40) NOT NULL, PRIMARY KEY ("edge_id", "learner"), '
    f'{PERSON_FK})',
    'CREATE INDEX IF NOT EXISTS "personlearner_person_id" ON "person_learner" ("person_id")',

    'CREATE TABLE IF NOT EXISTS "activation_code" ("code_sha256" VARCHAR(64) NOT NULL PRIMARY KEY, "person_id" '
    'VARCHAR(16) NOT NULL, "issued_at" VARCHAR(40) NOT NULL, "issued_by" VARCHAR(80) NOT NULL, "expires_at" '
    f'VARCHAR(40) NOT NULL, "used_at" VARCHAR(40), "withdrawn_at" VARCHAR(40), {PERSON_FK})',
    'CREATE INDEX IF NOT EXISTS "activationcode_person_id" ON "activation_code" ("person_id")',

    'CREATE TABLE IF NOT EXISTS "phone" ("key_id" VARCHAR(64) NOT NULL PRIMARY KEY, "person_id" VARCHAR(16) NOT '
    'NULL, "jwk" TEXT NOT NULL, "alg" VARCHAR(24) NOT NULL, "label" VARCHAR(64) NOT NULL, "activated_at" VARCHAR(40) '
    f'NOT NULL, "last_seen_at" VARCHAR(40), "revoked_at" VARCHAR(40), "revoked_by" VARCHAR(80), {PERSON_FK})',
    'CREATE INDEX IF NOT EXISTS "phone_person_id" ON "phone" ("person_id")',

    'CREATE TABLE IF NOT EXISTS "phone_nonce" ("key_id" VARCHAR(64) NOT NULL, "nonce" VARCHAR(64) NOT NULL, '
    '"seen_at" {double} NOT NULL, PRIMARY KEY ("key_id", "nonce"))',

    'CREATE TABLE IF NOT EXISTS "person_change" ("seq" {bigserial} NOT NULL PRIMARY KEY, "person_id" VARCHAR(16) NOT '
    'NULL, "kind" VARCHAR(32) NOT NULL, "item_id" VARCHAR(64) NOT NULL, "body" TEXT NOT NULL, "at" VARCHAR(40) NOT '
    f'NULL, {PERSON_FK})',
    'CREATE INDEX IF NOT EXISTS "personchange_person_id_seq" ON "person_change" ("person_id", "seq")',

    'CREATE TABLE IF NOT EXISTS "phone_change" ("change_id" VARCHAR(64) NOT NULL PRIMARY KEY, "person_id" VARCHAR(16) '
    'NOT NULL, "kind" VARCHAR(32) NOT NULL, "digest" VARCHAR(64) NOT NULL, "key_id" VARCHAR(64) NOT NULL, '
    f'"applied_at" VARCHAR(40) NOT NULL, {PERSON_FK})',
    'CREATE INDEX IF NOT EXISTS "phonechange_person_id" ON "phone_change" ("person_id")',

    'CREATE TABLE IF NOT EXISTS "message" ("message_id" VARCHAR(64) NOT NULL PRIMARY KEY, "person_id" VARCHAR(16) NOT '
    'NULL, "from_person" {bool} NOT NULL, "worker" VARCHAR(64) NOT NULL, "text" TEXT NOT NULL, "written_at" '
    'VARCHAR(40) NOT NULL, "received_at" VARCHAR(40) NOT NULL, "delivered_at" VARCHAR(40), "read_at" VARCHAR(40), '
    f'{PERSON_FK})',
    'CREATE INDEX IF NOT EXISTS "message_person_id_received_at" ON "message" ("person_id", "received_at")',
)


def up(db):
    types = TYPES[db.dialect]
    for statement in TABLES:
        db.execute(statement.format(**types))
