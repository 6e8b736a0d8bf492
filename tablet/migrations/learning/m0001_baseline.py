"""Held assignment submissions and the edge's attachment limits last seen.

The tables as every release before versions were recorded made them (unchanged since learning.sqlite
first appeared). A file from such a release is adopted at version 0 and this runs on it: it has both
tables already, and keeps them with their rows; an empty file gets them.
"""

STATEMENTS = (
    """CREATE TABLE IF NOT EXISTS submission (
    record_id TEXT PRIMARY KEY,           -- the record's id, chosen when held
    learner   TEXT NOT NULL,
    payload   TEXT NOT NULL,              -- the submission as it will be recorded
    state     TEXT NOT NULL DEFAULT 'held',  -- held | recorded | refused
    reason    TEXT,
    created   REAL NOT NULL
)""",
    "CREATE TABLE IF NOT EXISTS limits (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL)",
)


def up(db):
    for sql in STATEMENTS:
        db.execute(sql)
