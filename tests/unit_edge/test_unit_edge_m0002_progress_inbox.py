"""Migration m0002: the course progress trigger is dropped from a store that has it, with rows in it; the
inbox rows it copied stay for absorb(), and the relay's observer fills the inbox from then on."""

from __future__ import annotations

import importlib
import sqlite3

from wire import schema

STEP = importlib.import_module("edge.migrations.m0002_progress_inbox_filled_by_the_relay")

OLD = [  # the parts of the edge store this migration touches, as they were before it
    'CREATE TABLE "received" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "device" VARCHAR(63) NOT NULL, '
    '"seq" INTEGER NOT NULL, "kind" VARCHAR(40) NOT NULL, "priority" SMALLINT NOT NULL, "learner" VARCHAR(64) '
    'NOT NULL, "created" VARCHAR(40) NOT NULL, "received" VARCHAR(30) NOT NULL, "size" INTEGER NOT NULL, '
    '"body" TEXT, "batch" VARCHAR(36))',
    'CREATE TABLE "course_progress_inbox" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "learner" VARCHAR(64) NOT NULL, '
    '"body" TEXT NOT NULL)',
    """CREATE TRIGGER IF NOT EXISTS course_progress_inbox_fill AFTER INSERT ON received
WHEN NEW.kind = 'progress_statement' AND NEW.body IS NOT NULL
BEGIN INSERT OR IGNORE INTO course_progress_inbox (id, learner, body) VALUES (NEW.id, NEW.learner, NEW.body); END""",
]
INSERT = "INSERT INTO received VALUES (?, 'tab-0001', ?, 'progress_statement', 2, 'L-0042', 'c', 'r', 10, ?, NULL)"


def test_the_trigger_is_dropped_and_the_inbox_keeps_its_rows(tmp_path):
    connection = sqlite3.connect(tmp_path / "edge.db", isolation_level=None)
    for sql in OLD:
        connection.execute(sql)
    connection.execute(INSERT, ("before-1", 1, '{"payload": 1}'))
    connection.execute(INSERT, ("before-2", 2, '{"payload": 2}'))
    assert connection.execute("SELECT id FROM course_progress_inbox ORDER BY id").fetchall() == [
        ("before-1",), ("before-2",)]

    db = schema.target_for(connection)
    with db.session():
        db.begin()
        STEP.up(db)
        db.commit()

    assert connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall() == []
    assert connection.execute("SELECT id, body FROM course_progress_inbox ORDER BY id").fetchall() == [
        ("before-1", '{"payload": 1}'), ("before-2", '{"payload": 2}')]
    connection.execute(INSERT, ("after-1", 3, '{"payload": 3}'))  # a store write outside the relay copies nothing
    assert connection.execute("SELECT COUNT(*) FROM course_progress_inbox").fetchone() == (2,)
    assert connection.execute("SELECT COUNT(*) FROM received").fetchone() == (3,)
