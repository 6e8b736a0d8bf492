"""Course versions held (manifest, downloading | available) and the course list's ETag.

The tables as every release before versions were recorded made them (unchanged since courses.sqlite
first appeared). A file from such a release is adopted at version 0 and this runs on it: it has both
tables already, and keeps them with their rows; an empty file gets them.
"""

STATEMENTS = (
    """CREATE TABLE IF NOT EXISTS course_version (
    course    TEXT NOT NULL,
    version   INTEGER NOT NULL,
    manifest  TEXT NOT NULL,                     -- the manifest's fields as the edge listed them (JSON)
    state     TEXT NOT NULL DEFAULT 'downloading', -- downloading | available
    available REAL,                              -- when every file was verified and its tree made
    PRIMARY KEY (course, version)
)""",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",  # list_etag
)


def up(db):
    for sql in STATEMENTS:
        db.execute(sql)
