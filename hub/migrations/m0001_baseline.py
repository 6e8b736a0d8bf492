"""Every hub table, index and constraint as they stood when versions began; creates only what is missing."""

# Written out from what peewee's create_tables made before versions were recorded (sqlite3 .schema and
# pg_dump --schema-only of a fresh hub). Every statement is IF NOT EXISTS: a hub made by any earlier
# release (unversioned, adopted at version 0) gets the tables and indexes it lacks and keeps the rest.
# The two dialects differ only in their integer types; {serial} is an auto-numbered id.

TYPES = {
    "sqlite": {"serial": "INTEGER", "bigserial": "INTEGER", "bigint": "INTEGER"},
    "postgresql": {"serial": "SERIAL", "bigserial": "BIGSERIAL", "bigint": "BIGINT"},
}

TABLES = (
    'CREATE TABLE IF NOT EXISTS "edge" ("edge_id" VARCHAR(64) NOT NULL PRIMARY KEY, "status" VARCHAR(16) NOT NULL '
    "CHECK (status IN ('active', 'revoked')), \"registered_at\" VARCHAR(40) NOT NULL, \"enrolled_at\" VARCHAR(40) "
    'NOT NULL, "revoked_at" VARCHAR(40), "tablet_ca_pem" TEXT NOT NULL, "tablet_ca_sha256" VARCHAR(64) NOT NULL, '
    '"dns_names" TEXT NOT NULL)',

    'CREATE TABLE IF NOT EXISTS "edge_certificate" ("serial" VARCHAR(40) NOT NULL PRIMARY KEY, "edge_id" '
    'VARCHAR(64) NOT NULL, "issued_at" VARCHAR(40) NOT NULL, "not_after" VARCHAR(40) NOT NULL, "superseded_at" '
    'VARCHAR(40), "revoked_at" VARCHAR(40), FOREIGN KEY ("edge_id") REFERENCES "edge" ("edge_id") ON DELETE RESTRICT)',
    'CREATE INDEX IF NOT EXISTS "edgecertificate_edge_id" ON "edge_certificate" ("edge_id")',

    'CREATE TABLE IF NOT EXISTS "edge_key" ("id" {serial} NOT NULL PRIMARY KEY, "edge_id" VARCHAR(64) NOT NULL, '
    '"key_id" VARCHAR(16) NOT NULL, "key_pem" TEXT NOT NULL, "added_at" VARCHAR(40) NOT NULL, "retired_at" '
    'VARCHAR(40), FOREIGN KEY ("edge_id") REFERENCES "edge" ("edge_id") ON DELETE RESTRICT)',
    'CREATE INDEX IF NOT EXISTS "edgekey_edge_id" ON "edge_key" ("edge_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "edgekey_edge_id_key_id" ON "edge_key" ("edge_id", "key_id")',

    'CREATE TABLE IF NOT EXISTS "enrolment_token" ("token_id" VARCHAR(8) NOT NULL PRIMARY KEY, "secret_sha256" '
    'VARCHAR(64) NOT NULL, "edge_id" VARCHAR(64) NOT NULL, "created" VARCHAR(40) NOT NULL, "expires" VARCHAR(40) '
    'NOT NULL, "used_at" VARCHAR(40))',

    'CREATE TABLE IF NOT EXISTS "batch" ("id" {serial} NOT NULL PRIMARY KEY, "batch_id" VARCHAR(128) NOT NULL, '
    '"edge_id" VARCHAR(64) NOT NULL, "seq" {bigint} NOT NULL, "digest" VARCHAR(64) NOT NULL, "count" INTEGER NOT '
    'NULL, "stored" INTEGER NOT NULL, "receipt_json" TEXT NOT NULL, "received_at" VARCHAR(40) NOT NULL, FOREIGN KEY '
    '("edge_id") REFERENCES "edge" ("edge_id") ON DELETE RESTRICT)',
    'CREATE UNIQUE INDEX IF NOT EXISTS "batch_batch_id" ON "batch" ("batch_id")',
    'CREATE INDEX IF NOT EXISTS "batch_edge_id" ON "batch" ("edge_id")',

    'CREATE TABLE IF NOT EXISTS "record" ("arrival" {bigserial} NOT NULL PRIMARY KEY, "id" VARCHAR(36) NOT NULL, '
    '"edge_id" VARCHAR(64) NOT NULL, "device" VARCHAR(64) NOT NULL, "learner" VARCHAR(64) NOT NULL, "kind" '
    'VARCHAR(32) NOT NULL, "seq" {bigint} NOT NULL, "created" VARCHAR(40) NOT NULL, "received_at_edge" VARCHAR(40) '
    'NOT NULL, "received_at_hub" VARCHAR(40) NOT NULL, "batch_id" VARCHAR(128) NOT NULL, "payload" TEXT NOT NULL, '
    'FOREIGN KEY ("edge_id") REFERENCES "edge" ("edge_id") ON DELETE RESTRICT)',
    'CREATE UNIQUE INDEX IF NOT EXISTS "record_id" ON "record" ("id")',
    'CREATE INDEX IF NOT EXISTS "record_edge_id" ON "record" ("edge_id")',
    'CREATE INDEX IF NOT EXISTS "record_learner" ON "record" ("learner")',
    'CREATE INDEX IF NOT EXISTS "record_kind" ON "record" ("kind")',
    'CREATE INDEX IF NOT EXISTS "record_edge_id_device_seq" ON "record" ("edge_id", "device", "seq")',

    'CREATE TABLE IF NOT EXISTS "lrs_cursor" ("name" VARCHAR(32) NOT NULL PRIMARY KEY, "arrival" {bigint} NOT NULL, '
    '"forwarded" {bigint} NOT NULL, "updated_at" VARCHAR(40) NOT NULL)',
    'CREATE TABLE IF NOT EXISTS "lrs_problem" ("record_id" VARCHAR(36) NOT NULL PRIMARY KEY, "arrival" {bigint} NOT '
    'NULL, "kind" VARCHAR(32) NOT NULL, "reason" TEXT NOT NULL, "at" VARCHAR(40) NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "lrsproblem_arrival" ON "lrs_problem" ("arrival")',

    'CREATE TABLE IF NOT EXISTS "course" ("id" {serial} NOT NULL PRIMARY KEY, "slug" VARCHAR(63) NOT NULL, "title" '
    'TEXT NOT NULL, "format" VARCHAR(16) NOT NULL, "created_at" VARCHAR(40) NOT NULL)',
    'CREATE UNIQUE INDEX IF NOT EXISTS "course_slug" ON "course" ("slug")',
    'CREATE TABLE IF NOT EXISTS "course_version" ("id" {serial} NOT NULL PRIMARY KEY, "course_id" INTEGER NOT NULL, '
    '"version" INTEGER NOT NULL, "title" TEXT NOT NULL, "published_at" VARCHAR(40) NOT NULL, "file_count" INTEGER '
    'NOT NULL, "total_bytes" {bigint} NOT NULL, "envelope" TEXT NOT NULL, FOREIGN KEY ("course_id") REFERENCES '
    '"course" ("id") ON DELETE RESTRICT)',
    'CREATE INDEX IF NOT EXISTS "courseversion_course_id" ON "course_version" ("course_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "courseversion_course_id_version" ON "course_version" ("course_id", "version")',
    'CREATE TABLE IF NOT EXISTS "course_file" ("id" {serial} NOT NULL PRIMARY KEY, "version_id" INTEGER NOT NULL, '
    '"path" VARCHAR(1024) NOT NULL, "sha256" VARCHAR(64) NOT NULL, "size" {bigint} NOT NULL, "type" VARCHAR(255) '
    'NOT NULL, FOREIGN KEY ("version_id") REFERENCES "course_version" ("id") ON DELETE RESTRICT)',
    'CREATE INDEX IF NOT EXISTS "coursefile_version_id" ON "course_file" ("version_id")',
    'CREATE INDEX IF NOT EXISTS "coursefile_sha256" ON "course_file" ("sha256")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "coursefile_version_id_path" ON "course_file" ("version_id", "path")',
    'CREATE TABLE IF NOT EXISTS "course_target" ("id" {serial} NOT NULL PRIMARY KEY, "course_id" INTEGER NOT NULL, '
    '"edge_id" VARCHAR(64) NOT NULL, "group" VARCHAR(64) NOT NULL, "added_at" VARCHAR(40) NOT NULL, FOREIGN KEY '
    '("course_id") REFERENCES "course" ("id") ON DELETE RESTRICT, FOREIGN KEY ("edge_id") REFERENCES "edge" '
    '("edge_id") ON DELETE RESTRICT)',
    'CREATE INDEX IF NOT EXISTS "coursetarget_course_id" ON "course_target" ("course_id")',
    'CREATE INDEX IF NOT EXISTS "coursetarget_edge_id" ON "course_target" ("edge_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "coursetarget_course_id_edge_id_group" ON "course_target" '
    '("course_id", "edge_id", "group")',

    'CREATE TABLE IF NOT EXISTS "stored_attachment" ("sha256" VARCHAR(64) NOT NULL PRIMARY KEY, "size" {bigint} NOT '
    'NULL, "type" VARCHAR(130) NOT NULL, "stored_at" VARCHAR(40) NOT NULL, "edge" VARCHAR(64) NOT NULL)',
    'CREATE TABLE IF NOT EXISTS "attachment_grant" ("edge" VARCHAR(64) NOT NULL, "sha256" VARCHAR(64) NOT NULL, '
    '"size" {bigint} NOT NULL, "type" VARCHAR(130) NOT NULL, PRIMARY KEY ("edge", "sha256"))',
)


def up(db):
    types = TYPES[db.dialect]
    for statement in TABLES:
        db.execute(statement.format(**types))
