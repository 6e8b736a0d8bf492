"""Appointments, every change to them, and each person's secret calendar feed."""

# Three new tables; nothing else changes. A worker makes and changes an `appointment` (`hub appointments
# add|move|cancel`); each change, the worker's and the person's requests from their phone alike, is an
# `appointment_change` row that is never edited: who, when, what, why. `calendar_feed` keeps the SHA-256
# of the token in the person's iCalendar URL (GET /v1/calendar/<token>.ics); a new token replaces it.

TYPES = {
    "sqlite": {"serial": "INTEGER"},
    "postgresql": {"serial": "SERIAL"},
}

PERSON_FK = 'FOREIGN KEY ("person_id") REFERENCES "person" ("person_id") ON DELETE RESTRICT'

TABLES = (
    'CREATE TABLE IF NOT EXISTS "appointment" ("appointment_id" VARCHAR(36) NOT NULL PRIMARY KEY, "person_id" '
    'VARCHAR(16) NOT NULL, "worker" VARCHAR(64) NOT NULL, "kind" VARCHAR(16) NOT NULL CHECK (kind IN '
    "('in_person', 'phone', 'video')), \"starts_at\" VARCHAR(40) NOT NULL, \"ends_at\" VARCHAR(40) NOT NULL, "
    '"place" VARCHAR(200) NOT NULL, "video_url" TEXT, "status" VARCHAR(16) NOT NULL CHECK (status IN '
    "('scheduled', 'cancelled')), \"created_at\" VARCHAR(40) NOT NULL, \"updated_at\" VARCHAR(40) NOT NULL, "
    f'{PERSON_FK})',
    'CREATE INDEX IF NOT EXISTS "appointment_person_id" ON "appointment" ("person_id")',

    'CREATE TABLE IF NOT EXISTS "appointment_change" ("id" {serial} NOT NULL PRIMARY KEY, "appointment_id" '
    'VARCHAR(36) NOT NULL, "at" VARCHAR(40) NOT NULL, "by" VARCHAR(80) NOT NULL, "what" VARCHAR(24) NOT NULL CHECK '
    "(what IN ('created', 'moved', 'cancelled', 'reschedule_asked', 'running_late', 'proposed', 'accepted', "
    "'declined')), \"reason\" TEXT, \"detail\" TEXT NOT NULL, FOREIGN KEY (\"appointment_id\") REFERENCES "
    '"appointment" ("appointment_id") ON DELETE RESTRICT)',
    'CREATE INDEX IF NOT EXISTS "appointmentchange_appointment_id" ON "appointment_change" ("appointment_id")',

    'CREATE TABLE IF NOT EXISTS "calendar_feed" ("person_id" VARCHAR(16) NOT NULL PRIMARY KEY, "token_sha256" '
    'VARCHAR(64) NOT NULL, "made_at" VARCHAR(40) NOT NULL, "made_by" VARCHAR(80) NOT NULL, '
    f'{PERSON_FK})',
    'CREATE UNIQUE INDEX IF NOT EXISTS "calendarfeed_token_sha256" ON "calendar_feed" ("token_sha256")',
)


def up(db):
    types = TYPES[db.dialect]
    for statement in TABLES:
        db.execute(statement.format(**types))
