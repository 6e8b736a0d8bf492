"""tablet.migrations: the tablet's three SQLite files record their schema version. A file from an earlier
release (a committed SQL dump, filled by that release's own code) migrates to exactly the schema a fresh
file gets, with every row intact, and the outbox still sends; a file from a newer release is refused,
naming it and both versions, and left as it was."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from tablet import migrations
from tablet.courses import Shelf
from tablet.learning import Learning
from tablet.outbox import Outbox
from throughgate.cli import main
from wire.records import parse_record
from wire.schema import SchemaTooNew, catalogue

DATA = Path(__file__).parent / "data"


def open_outbox(folder: Path):
    return Outbox(str(folder / "outbox.sqlite"))


def open_learning(folder: Path):
    return Learning(folder, Outbox(str(folder / "outbox.sqlite")))


def open_shelf(folder: Path):
    return Shelf(folder)


def close(opened) -> None:
    if isinstance(opened, Learning):
        opened.outbox.close()
    opened.close()


# (file, the dump an earlier release left, how the tablet opens it, its schema)
FILES = {
    "outbox before the inbox": ("outbox.sqlite", "outbox_53a56d3_before_inbox.sql", open_outbox, migrations.OUTBOX),
    "outbox": ("outbox.sqlite", "outbox_6040b23.sql", open_outbox, migrations.OUTBOX),
    "learning": ("learning.sqlite", "learning_6040b23.sql", open_learning, migrations.LEARNING),
    "courses": ("courses.sqlite", "courses_6040b23.sql", open_shelf, migrations.COURSES),
}


def restore(folder: Path, file: str, dump: str) -> Path:
    """The file as the earlier release left it (no schema_version table)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file
    with sqlite3.connect(path) as db:
        db.executescript((DATA / dump).read_text())
    db.close()
    return path


def rows(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table but schema_version, in storage order."""
    with sqlite3.connect(path) as db:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' AND "
                                          "name NOT LIKE 'sqlite_%' AND name != 'schema_version' ORDER BY name")]
        found = {name: db.execute(f'SELECT * FROM "{name}" ORDER BY rowid').fetchall() for name in names}  # noqa: S608
    db.close()
    return found


def versions(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as db:
        found = db.execute("SELECT number, name FROM schema_version ORDER BY number").fetchall()
    db.close()
    return found


def catalogue_of(path: Path) -> dict:
    db = sqlite3.connect(path)
    try:
        return catalogue(db)
    finally:
        db.close()


def from_a_newer_release(path: Path) -> int:
    """What a later release's next migration would leave: a new column, and its version recorded (returned)."""
    with sqlite3.connect(path) as db:
        table = db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name != 'schema_version' "
                           "ORDER BY name").fetchone()[0]
        db.execute(f'ALTER TABLE "{table}" ADD COLUMN added_later TEXT')
        newer = db.execute("SELECT MAX(number) FROM schema_version").fetchone()[0] + 1
        db.execute("INSERT INTO schema_version VALUES (?, 'added_later', '2027-03-01T09:00:00.000Z')", (newer,))
    db.close()
    return newer


@pytest.mark.parametrize("kind", FILES)
def test_a_file_from_an_earlier_release_migrates_to_the_fresh_schema_with_every_row_intact(kind, tmp_path):
    file, dump, opener, schema = FILES[kind]
    (tmp_path / "fresh").mkdir()
    close(opener(tmp_path / "fresh"))
    old = restore(tmp_path / "old", file, dump)
    before = rows(old)
    assert before and all(before.values())  # every table holds rows

    close(opener(tmp_path / "old"))
    close(opener(tmp_path / "old"))  # a second opening applies nothing more

    assert catalogue_of(old) == catalogue_of(tmp_path / "fresh" / file)
    assert versions(old) == versions(tmp_path / "fresh" / file) == [(m.number, m.name) for m in schema.migrations]
    assert versions(old)[0] == (1, "baseline")
    after = rows(old)
    assert {table: after[table] for table in before} == before
    assert all(after[table] == [] for table in set(after) - set(before))  # e.g. the inbox an old release lacked


@pytest.mark.parametrize("dump, next_seq", [("outbox_53a56d3_before_inbox.sql", 7), ("outbox_6040b23.sql", 9)])
def test_a_migrated_outbox_still_offers_its_pending_records_and_takes_new_ones(dump, next_seq, tmp_path):
    path = restore(tmp_path, "outbox.sqlite", dump)
    with sqlite3.connect(path) as db:
        waiting = db.execute("SELECT id, seq, body FROM outbox WHERE state='pending' ORDER BY seq").fetchall()
        rejected = db.execute("SELECT id, seq, reason FROM outbox WHERE state='rejected'").fetchall()
    db.close()
    outbox = Outbox(str(path))
    try:
        offered = outbox.pending(limit=100, exclude=set())
        assert [(p.id, p.seq, p.body) for p in offered] == waiting and len(waiting) >= 2
        assert [parse_record(p.body).id for p in offered] == [p.id for p in offered]
        assert outbox.rejections() == rejected
        new = outbox.add("message", "L-0042", {"text": "after the upgrade"})
        assert new.seq == next_seq
        assert outbox.acked([p.id for p in offered] + [new.id]) == len(waiting) + 1
        assert outbox.pending(limit=100, exclude=set()) == []
        assert outbox.keep_message({"type": "award", "id": "b1", "learner": "L-0042", "badge": "First steps",
                                    "rule": "first record", "awarded": "2026-12-07T10:00:00.000Z"})
    finally:
        outbox.close()


def test_migrated_inbox_learning_and_course_files_read_as_before(tmp_path):
    restore(tmp_path, "outbox.sqlite", "outbox_6040b23.sql")
    restore(tmp_path, "learning.sqlite", "learning_6040b23.sql")
    restore(tmp_path, "courses.sqlite", "courses_6040b23.sql")
    learning, shelf = open_learning(tmp_path), open_shelf(tmp_path)
    try:
        assert [m["type"] for m in learning.outbox.messages()] == ["feedback", "award"]
        assert not learning.outbox.keep_message(learning.outbox.messages("award")[0])  # still kept once
        held = [(payload["assignment"], learner) for _id, learner, payload in learning.held()]
        assert held == [("essay-3", "L-0042")]
        assert [reason for _id, reason in learning.refused()] == ["unknown_learner: L-0107 is not bound to this tablet"]
        assert learning.last_limits().max_bytes == 10 * 1024 * 1024
        assert shelf.etag() == '"courses-7f3a"'
        assert [(m.course, m.version, state) for m, state in shelf.versions()] == [
            ("english-2", 3, "available"), ("maths-1", 1, "available"), ("maths-1", 2, "downloading")]
    finally:
        close(learning)
        shelf.close()


@pytest.mark.parametrize("kind", ["outbox", "learning", "courses"])
def test_a_file_from_a_newer_release_is_refused_naming_it_and_both_versions_and_left_unchanged(kind, tmp_path):
    file, _dump, opener, _schema = FILES[kind]
    close(opener(tmp_path))
    path = tmp_path / file
    known = versions(path)
    newer = from_a_newer_release(path)
    before, schema_before = rows(path), catalogue_of(path)

    with pytest.raises(SchemaTooNew) as refused:
        opener(tmp_path)

    message = str(refused.value)
    assert str(path) in message and f"schema version {newer}" in message and f"(version {newer - 1})" in message
    assert "newer release" in message and "Run that release" in message
    assert rows(path) == before and catalogue_of(path) == schema_before
    assert versions(path) == [*known, (newer, "added_later")]


@pytest.mark.parametrize("command, file", [(["status"], "outbox.sqlite"), (["courses", "list"], "courses.sqlite")])
def test_the_tablet_command_says_why_it_refuses_a_newer_file_without_a_traceback(command, file, tmp_path, capsys):
    open_outbox(tmp_path).close()
    close(open_shelf(tmp_path))
    from_a_newer_release(tmp_path / file)

    assert main(["tablet", *command, "--folder", str(tmp_path)]) == 1

    err = capsys.readouterr().err
    assert f"{tmp_path / file} is at schema version 2, newer than this Throughgate knows (version 1)" in err
    assert "Traceback" not in err


def test_connections_opening_a_new_file_at_once_migrate_it_once(tmp_path):
    start, errors, opened = threading.Barrier(6), [], []

    def open_it():
        start.wait()
        try:
            opened.append(Outbox(str(tmp_path / "outbox.sqlite")))
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for outbox in opened:
        outbox.close()
    assert errors == [] and len(opened) == 6
    assert versions(tmp_path / "outbox.sqlite") == [(1, "baseline")]
