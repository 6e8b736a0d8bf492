"""Web Push: phones' push subscriptions, what waits to be pushed, and the reminders claimed."""

# Three new tables; nothing else changes. A phone registers at most one `push_subscription` (its key id
# is the key; PUT /v1/phone/push replaces it, revoking the phone removes it). `push_outbox` holds what
# waits to be pushed, one row a subscription and topic (`sync`, or an appointment's reminder), so many
# changes make one push; `due_at` orders the retries. `reminder_sent` is claimed (its primary key) before
# a reminder is pushed, so each reminder of each start time goes out once however many hubs run.

TYPES = {
    "sqlite": {"double": "REAL"},
    "postgresql": {"double": "DOUBLE PRECISION"},
}

TABLES = (
    'CREATE TABLE IF NOT EXISTS "push_subscription" ("key_id" VARCHAR(64) NOT NULL PRIMARY KEY, "person_id" '
    'VARCHAR(16) NOT NULL, "endpoint" TEXT NOT NULL, "p256dh" VARCHAR(100) NOT NULL, "auth" VARCHAR(32) NOT NULL, '
    '"made_at" VARCHAR(40) NOT NULL, FOREIGN KEY ("key_id") REFERENCES "phone" ("key_id") ON DELETE RESTRICT, '
    'FOREIGN KEY ("person_id") REFERENCES "person" ("person_id") ON DELETE RESTRICT)',
    'CREATE INDEX IF NOT EXISTS "pushsubscription_person_id" ON "push_subscription" ("person_id")',

    'CREATE TABLE IF NOT EXISTS "push_outbox" ("key_id" VARCHAR(64) NOT NULL, "topic" VARCHAR(64) NOT NULL, '
    '"due_at" {double} NOT NULL, "tries" INTEGER NOT NULL, "version" INTEGER NOT NULL, "made_at" VARCHAR(40) NOT '
    'NULL, PRIMARY KEY ("key_id", "topic"), FOREIGN KEY ("key_id") REFERENCES "push_subscription" ("key_id") ON '
    'DELETE CASCADE)',
    'CREATE INDEX IF NOT EXISTS "pushoutbox_due_at" ON "push_outbox" ("due_at")',

    'CREATE TABLE IF NOT EXISTS "reminder_sent" ("appointment_id" VARCHAR(36) NOT NULL, "when" VARCHAR(8) NOT NULL, '
    '"starts_at" VARCHAR(40) NOT NULL, "claimed_at" VARCHAR(40) NOT NULL, PRIMARY KEY ("appointment_id", "when", '
    '"starts_at"), FOREIGN KEY ("appointment_id") REFERENCES "appointment" ("appointment_id") ON DELETE RESTRICT)',
)


def up(db):
    types = TYPES[db.dialect]
    for statement in TABLES:
        db.execute(statement.format(**types))
