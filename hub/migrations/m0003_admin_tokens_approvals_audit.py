"""Admin API tokens with a role and an expiry, approval requests, and the hash-chained audit trail."""

# Three new tables; nothing else changes. The hub.toml admin token of earlier releases keeps working
# ADMIN_TOKEN_DAYS after this step was applied (its row in schema_version says when; hub/auth.py),
# then it is refused with a message saying what to run (docs/hub.md, "Admins, roles and tokens").

TYPES = {"sqlite": {"serial": "INTEGER", "bigint": "INTEGER"}, "postgresql": {"serial": "SERIAL", "bigint": "BIGINT"}}

TABLES = (
    'CREATE TABLE IF NOT EXISTS "admin_token" ("token_id" VARCHAR(16) NOT NULL PRIMARY KEY, "name" VARCHAR(64) '
    'NOT NULL, "role" VARCHAR(16) NOT NULL, "secret_sha256" VARCHAR(64) NOT NULL, "created_at" VARCHAR(40) NOT NULL, '
    '"created_by" VARCHAR(80) NOT NULL, "expires_at" VARCHAR(40) NOT NULL, "revoked_at" VARCHAR(40))',
    'CREATE INDEX IF NOT EXISTS "admintoken_name" ON "admin_token" ("name")',

    'CREATE TABLE IF NOT EXISTS "approval_request" ("id" {serial} NOT NULL PRIMARY KEY, "action" VARCHAR(40) NOT '
    'NULL, "target" VARCHAR(64) NOT NULL, "detail" TEXT NOT NULL, "requested_by" VARCHAR(80) NOT NULL, '
    '"requested_at" VARCHAR(40) NOT NULL, "expires_at" VARCHAR(40) NOT NULL, "status" VARCHAR(16) NOT NULL CHECK '
    "(status IN ('pending', 'approved', 'refused')), \"decided_by\" VARCHAR(80), \"decided_at\" VARCHAR(40))",
    'CREATE INDEX IF NOT EXISTS "approvalrequest_action_target" ON "approval_request" ("action", "target")',

    'CREATE TABLE IF NOT EXISTS "audit_entry" ("seq" {bigint} NOT NULL PRIMARY KEY, "at" VARCHAR(40) NOT NULL, '
    '"actor" VARCHAR(80) NOT NULL, "role" VARCHAR(16) NOT NULL, "source" VARCHAR(64) NOT NULL, "action" '
    'VARCHAR(40) NOT NULL, "target" VARCHAR(255) NOT NULL, "outcome" VARCHAR(40) NOT NULL, "detail" TEXT NOT NULL, '
    '"prev_sha256" VARCHAR(64) NOT NULL, "sha256" VARCHAR(64) NOT NULL)',
)


def up(db):
    types = TYPES[db.dialect]
    for statement in TABLES:
        db.execute(statement.format(**types))
