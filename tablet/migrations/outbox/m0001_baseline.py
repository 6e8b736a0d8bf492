"""Records to send, the sequence counter, and kept feedback and award messages.

The tables as every release before versions were recorded made them. A file from such a release is
adopted at version 0 and this runs on it: what it lacks is created (a release before the inbox had no
inbox table), what it has is kept as it is, rows included. No column was ever added to these tables
before this baseline, so there are none to add.
"""

STATEMENTS = (
    """CREATE TABLE IF NOT EXISTS outbox (
    id        TEXT PRIMARY KEY,           -- client-made UUID: the edge and the hub dedupe on it
    seq       INTEGER NOT NULL UNIQUE,    -- per-device sequence number, from 1
    body      BLOB NOT NULL,              -- the record exactly as sent
    state     TEXT NOT NULL DEFAULT 'pending',  -- pending | acked | rejected
    reason    TEXT,
    not_before REAL NOT NULL DEFAULT 0,   -- do not send before (quota back-off)
    created   REAL NOT NULL
)""",
    "CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (state, seq)",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)",  # next_seq
    """CREATE TABLE IF NOT EXISTS inbox (
    id        TEXT PRIMARY KEY,           -- the staff record's id: a repeated message is kept once
    type      TEXT NOT NULL,              -- feedback | award
    body      TEXT NOT NULL,              -- the down message as the edge sent it (JSON)
    received  REAL NOT NULL
)""",
)


def up(db):
    for sql in STATEMENTS:
        db.execute(sql)
