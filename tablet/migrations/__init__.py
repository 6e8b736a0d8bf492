"""The tablet's three SQLite files, each with a recorded schema version and its own numbered migrations
(wire.schema; plain SQL through the standard library's sqlite3, so a native app can follow them):

    outbox.sqlite    OUTBOX    tablet/migrations/outbox/    records to send, the sequence counter, down messages
    learning.sqlite  LEARNING  tablet/migrations/learning/  held assignment submissions, the edge's last limits
    courses.sqlite   COURSES   tablet/migrations/courses/   course versions and the list's ETag

tablet.outbox.open_database applies what is pending each time a file is opened. To change a table, add
the next module to its folder (`m0002_inbox_acked.py` with `up(db)`, one transaction, numbered after the
last one there) and a test that opens a file at the version before it, with rows, and finds them after.
"""

from wire.schema import Schema, load

OUTBOX = Schema("the tablet's outbox", load("tablet.migrations.outbox"))
LEARNING = Schema("the tablet's learning store", load("tablet.migrations.learning"))
COURSES = Schema("the tablet's course shelf", load("tablet.migrations.courses"))
