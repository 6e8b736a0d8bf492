"""The relay's observers (edge/intake/observers.py): the console's tutors' copy and the course cache's
progress inbox exist exactly when the records they copy committed. Real SQLite store, real tables."""

from __future__ import annotations

import sqlite3

import pytest

from edge import store
from edge.console import learning
from edge.console import tables as console_tables
from edge.courses import progress
from edge.courses import tables as course_tables
from edge.intake import observers
from wire import xapi
from wire.records import new_record


@pytest.fixture
def edge_store(tmp_path):
    store.open_store(str(tmp_path / "edge.db"))
    yield
    store.db.close()


def _row(kind: str, payload: dict, learner: str = "L-0042", seq: int = 1, record_id: str | None = None) -> dict:
    record = new_record(kind, learner, seq, payload, record_id=record_id)
    body = record.to_json().decode()
    return {"id": record.id, "device": "tab-0001", "seq": seq, "kind": kind, "priority": record.priority,
            "learner": learner, "created": record.created, "received": store.utcnow(), "size": len(body),
            "body": body}


def _rows(seq: int) -> list[dict]:
    """A submission, a progress statement and a message: three records as the relay commits them."""
    statement = xapi.statement("L-0042", "attempted", xapi.activity_id("intro-maths", "welcome"))
    return [_row("assignment_submission", {"assignment": "essay-3", "course": "english-2", "text": "My essay",
                                           "attachments": []}, seq=seq),
            _row("progress_statement", statement, seq=seq + 1, record_id=statement["id"]),
            _row("message", {"text": "hello"}, seq=seq + 2)]


def _copies(ids: list[str]) -> tuple[set, set, set]:
    received = {r.id for r in store.Received.select().where(store.Received.id.in_(ids))}
    tutors = {r.id for r in console_tables.LearningRecord.select().where(console_tables.LearningRecord.id.in_(ids))}
    inbox = {r.id for r in course_tables.ProgressInbox.select().where(course_tables.ProgressInbox.id.in_(ids))}
    return received, tutors, inbox


OBSERVERS = (learning.TutorCopy(), progress.Inbox())


class DiskFull:
    """A third observer whose write fails the way SQLite does when the disk fills mid-transaction."""

    name = "disk full"

    def prepare(self, rows):
        return rows

    def write(self, prepared):
        raise sqlite3.OperationalError("database or disk is full")


def test_a_committed_record_has_its_tutors_copy_and_progress_inbox_row(edge_store):
    rows = _rows(1)
    observers.commit(rows, OBSERVERS)
    submission, statement, message = (row["id"] for row in rows)
    received, tutors, inbox = _copies([row["id"] for row in rows])
    assert received == {submission, statement, message}
    assert tutors == {submission, statement}  # messages are not the tutors' business
    assert inbox == {statement}
    assert progress.absorb() == 1
    assert [(p.learner, p.course) for p in course_tables.CourseProgress.select()] == []  # no version published


def test_a_commit_that_fails_leaves_neither_copy(edge_store):
    rows = _rows(10)
    with pytest.raises(sqlite3.OperationalError, match="disk is full"):
        observers.commit(rows, (*OBSERVERS, DiskFull()))
    assert _copies([row["id"] for row in rows]) == (set(), set(), set())
    observers.commit(rows, OBSERVERS)  # the tablet resends (it was never acked): now all three exist
    received, tutors, inbox = _copies([row["id"] for row in rows])
    assert len(received) == 3 and len(tutors) == 2 and len(inbox) == 1


def test_observers_read_the_rows_before_the_write_lock(edge_store):
    """prepare() runs before BEGIN IMMEDIATE: another writer holding the lock does not block the parse."""
    rows = _rows(20)
    other = sqlite3.connect(store.db.database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    try:
        prepared = observers.prepare_all(OBSERVERS, rows)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert [type(observer) for observer, _ in prepared] == [learning.TutorCopy, progress.Inbox]
    observers.commit(rows, OBSERVERS, prepared=prepared)
    assert tuple(map(len, _copies([row["id"] for row in rows]))) == (3, 2, 1)


def test_no_trigger_copies_records_behind_the_relays_back(edge_store):
    """A record stored without the observers (a staff record from the console) reaches no inbox."""
    rows = _rows(30)
    with store.writing():
        store.insert_received(rows)
    assert _copies([row["id"] for row in rows])[1:] == (set(), set())
    triggers = store.db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()
    assert triggers == []
