"""Check-ins: people's schedules, the nonces handed to phones, the check-ins phones sent, WebAuthn
credentials bound to a phone, and the window reminders claimed (hub/checkins)."""

# Five new tables; nothing else changes, and they start empty. `checkin_schedule` a person's check-in
# schedule (every N days, a window, an expected place; a new one ends the last); `checkin_nonce` each nonce
# a phone was given; `checkin` each check-in a phone sent: its outcome (accepted, flagged, refused) and why,
# the signed document and its JWS (kept after the photo is deleted), the worker's review; `checkin_credential`
# a WebAuthn credential bound to one phone; `checkin_reminder` a window's push reminder, claimed once.

TYPES = {
    "sqlite": {"real": "REAL", "big": "INTEGER", "bool": "INTEGER"},
    "postgresql": {"real": "DOUBLE PRECISION", "big": "BIGINT", "bool": "BOOLEAN"},
}

PERSON_FK = 'FOREIGN KEY ("person_id") REFERENCES "person" ("person_id") ON DELETE RESTRICT'

TABLES = (
    'CREATE TABLE IF NOT EXISTS "checkin_schedule" ("schedule_id" VARCHAR(32) NOT NULL PRIMARY KEY, "person_id" '
    'VARCHAR(16) NOT NULL, "every_days" INTEGER NOT NULL, "starts_at" VARCHAR(40) NOT NULL, "window_hours" INTEGER '
    'NOT NULL, "lat" {real} NOT NULL, "lon" {real} NOT NULL, "radius_m" INTEGER NOT NULL, "set_by" VARCHAR(80) NOT '
    'NULL, "set_at" VARCHAR(40) NOT NULL, "ended_at" VARCHAR(40), ' + PERSON_FK + ')',
    'CREATE INDEX IF NOT EXISTS "checkinschedule_person_id_set_at" ON "checkin_schedule" ("person_id", "set_at")',

    'CREATE TABLE IF NOT EXISTS "checkin_nonce" ("nonce" VARCHAR(64) NOT NULL PRIMARY KEY, "key_id" VARCHAR(64) NOT '
    'NULL, "person_id" VARCHAR(16) NOT NULL, "issued_at" VARCHAR(40) NOT NULL, ' + PERSON_FK + ')',
    'CREATE INDEX IF NOT EXISTS "checkinnonce_key_id_issued_at" ON "checkin_nonce" ("key_id", "issued_at")',

    'CREATE TABLE IF NOT EXISTS "checkin" ("checkin_id" VARCHAR(64) NOT NULL PRIMARY KEY, "person_id" VARCHAR(16) '
    'NOT NULL, "key_id" VARCHAR(64) NOT NULL, "outcome" VARCHAR(16) NOT NULL, "reasons" TEXT NOT NULL, "document" '
    'TEXT NOT NULL, "jws" TEXT NOT NULL, "slot" VARCHAR(48), "device_time" VARCHAR(40), "received_at" VARCHAR(40) '
    'NOT NULL, "photo_sha256" VARCHAR(64), "photo_deleted_at" VARCHAR(40), "owner_confirmed" {bool} NOT NULL, '
    '"reviewed_at" VARCHAR(40), "reviewed_by" VARCHAR(80), ' + PERSON_FK + ')',
    'CREATE INDEX IF NOT EXISTS "checkin_person_id_received_at" ON "checkin" ("person_id", "received_at")',

    'CREATE TABLE IF NOT EXISTS "checkin_credential" ("credential_id" VARCHAR(256) NOT NULL PRIMARY KEY, "key_id" '
    'VARCHAR(64) NOT NULL, "person_id" VARCHAR(16) NOT NULL, "public_key" TEXT NOT NULL, "sign_count" {big} NOT '
    'NULL, "registered_at" VARCHAR(40) NOT NULL, ' + PERSON_FK + ')',
    'CREATE INDEX IF NOT EXISTS "checkincredential_key_id" ON "checkin_credential" ("key_id")',

    'CREATE TABLE IF NOT EXISTS "checkin_reminder" ("schedule_id" VARCHAR(32) NOT NULL, "slot" INTEGER NOT NULL, '
    '"claimed_at" VARCHAR(40) NOT NULL, PRIMARY KEY ("schedule_id", "slot"), FOREIGN KEY ("schedule_id") '
    'REFERENCES "checkin_schedule" ("schedule_id") ON DELETE RESTRICT)',
)


def up(db):
    types = TYPES[db.dialect]
    for statement in TABLES:
        db.execute(statement.format(**types))
