"""Console accounts (admins, and workers for the workers' console), their sessions and failed logins."""

# Three new tables; nothing else changes. Admin API tokens go on working as before; an admin who
# also wants the web console is given an account (`throughgate hub admins add`, docs/hub.md).

TYPES = {"sqlite": {"serial": "INTEGER", "bigint": "INTEGER", "double": "REAL"},
         "postgresql": {"serial": "SERIAL", "bigint": "BIGINT", "double": "DOUBLE PRECISION"}}

TABLES = (
    'CREATE TABLE IF NOT EXISTS "staff_account" ("name" VARCHAR(64) NOT NULL PRIMARY KEY, "console" VARCHAR(16) '
    'NOT NULL, "role" VARCHAR(32) NOT NULL, "display_name" VARCHAR(120) NOT NULL, "team" VARCHAR(64), '
    '"password_hash" TEXT, "totp_sealed" TEXT, "totp_pending" TEXT, "totp_last_step" {bigint} NOT NULL, '
    '"setup_sha256" VARCHAR(64), "setup_expires_at" VARCHAR(40), "created_at" VARCHAR(40) NOT NULL, '
    '"created_by" VARCHAR(80) NOT NULL, "disabled_at" VARCHAR(40))',

    'CREATE TABLE IF NOT EXISTS "staff_session" ("id_sha256" VARCHAR(64) NOT NULL PRIMARY KEY, "name" VARCHAR(64) '
    'NOT NULL, "stage" VARCHAR(16) NOT NULL, "csrf" VARCHAR(64) NOT NULL, "address" VARCHAR(64) NOT NULL, '
    '"created_at" VARCHAR(40) NOT NULL, "last_seen_at" VARCHAR(40) NOT NULL, "expires_at" VARCHAR(40) NOT NULL, '
    '"ended_at" VARCHAR(40))',
    'CREATE INDEX IF NOT EXISTS "staffsession_name" ON "staff_session" ("name")',

    'CREATE TABLE IF NOT EXISTS "staff_login_failure" ("id" {serial} NOT NULL PRIMARY KEY, "key" VARCHAR(100) '
    'NOT NULL, "at" {double} NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "staffloginfailure_key" ON "staff_login_failure" ("key")',
)


def up(db):
    types = TYPES[db.dialect]
    for statement in TABLES:
        db.execute(statement.format(**types))
