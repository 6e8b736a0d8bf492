"""Teams, who is on duty in each, and team messages with when each was answered."""

# Three new tables; nothing else changes. A worker's team stays their account's `team` (one source of
# truth); `team` gives a team its promised reply time (`hub teams add NAME --reply-within 4h`).
# `team_duty` holds a row for each worker on duty now. `team_message` marks a message (in `message`)
# as to or from a team, and when and by whom a person's message to the team was answered: unanswered
# past the promise, it is flagged to the team's manager.

TYPES = {
    "sqlite": {"bool": "INTEGER"},
    "postgresql": {"bool": "BOOLEAN"},
}

TABLES = (
    'CREATE TABLE IF NOT EXISTS "team" ("name" VARCHAR(64) NOT NULL PRIMARY KEY, "reply_within_min" INTEGER NOT '
    'NULL, "created_at" VARCHAR(40) NOT NULL, "created_by" VARCHAR(80) NOT NULL, "updated_at" VARCHAR(40) NOT NULL)',

    'CREATE TABLE IF NOT EXISTS "team_duty" ("worker" VARCHAR(64) NOT NULL PRIMARY KEY, "team" VARCHAR(64) NOT '
    'NULL, "since" VARCHAR(40) NOT NULL, "set_by" VARCHAR(80) NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "teamduty_team" ON "team_duty" ("team")',

    'CREATE TABLE IF NOT EXISTS "team_message" ("message_id" VARCHAR(64) NOT NULL PRIMARY KEY, "team" VARCHAR(64) '
    'NOT NULL, "person_id" VARCHAR(16) NOT NULL, "from_person" {bool} NOT NULL, "received_at" VARCHAR(40) NOT NULL, '
    '"answered_at" VARCHAR(40), "answered_by" VARCHAR(64), "answer_id" VARCHAR(64), FOREIGN KEY ("message_id") '
    'REFERENCES "message" ("message_id") ON DELETE RESTRICT, FOREIGN KEY ("person_id") REFERENCES "person" '
    '("person_id") ON DELETE RESTRICT)',
    'CREATE INDEX IF NOT EXISTS "teammessage_person_id" ON "team_message" ("person_id")',
    'CREATE INDEX IF NOT EXISTS "teammessage_team_answered_at" ON "team_message" ("team", "answered_at")',
)


def up(db):
    types = TYPES[db.dialect]
    for statement in TABLES:
        db.execute(statement.format(**types))
