"""Down messages move from console_down_message to down_message, which records the tablet's acknowledgement."""

# A down message was "sent" once the broker had it; a tablet whose session was started clean never got it.
# down_message keeps each until the tablet acknowledges its id: message_id (the "id" inside the message),
# attempts, due (when the publisher sends it next) and acked. Rows already there are all unacknowledged and
# due at once, so every tablet gets (and keeps once, by id) what it may have missed.

TABLE = ('CREATE TABLE IF NOT EXISTS "down_message" ("id" INTEGER NOT NULL PRIMARY KEY, "device" VARCHAR(63) NOT '
         'NULL, "message_id" VARCHAR(36) NOT NULL, "body" TEXT NOT NULL, "created" VARCHAR(30) NOT NULL, "sent" '
         'VARCHAR(30), "attempts" INTEGER NOT NULL, "due" VARCHAR(30) NOT NULL, "acked" VARCHAR(30))')
INDEXES = ('CREATE UNIQUE INDEX IF NOT EXISTS "downmessage_device_message_id" ON "down_message" ("device", '
           '"message_id")',
           'CREATE INDEX IF NOT EXISTS "downmessage_acked_due" ON "down_message" ("acked", "due")')
COPY = """INSERT OR IGNORE INTO down_message (id, device, message_id, body, created, sent, attempts, due, acked)
SELECT id, device,
       COALESCE(CASE WHEN json_valid(body) THEN CAST(json_extract(body, '$.id') AS TEXT) END, 'row-' || id),
       body, created, sent, CASE WHEN sent IS NULL THEN 0 ELSE 1 END, created, NULL
FROM console_down_message ORDER BY id"""


def up(db):
    db.execute(TABLE)
    old = db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'console_down_message'")
    if old:
        db.execute(COPY)
        db.execute("DROP TABLE console_down_message")  # its index (console_down_message_sent) goes with it
    for index in INDEXES:
        db.execute(index)
