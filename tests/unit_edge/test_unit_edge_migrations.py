"""The edge store's schema versions (edge/migrations, run by wire.schema): migrating gives exactly the
schema a fresh store's models make; stores saved by earlier releases (SQL dumps in data/, with rows the
real code wrote) migrate with every row kept and then work; a newer store is refused. Killed and concurrent migrations:
test_unit_edge_migrations_interrupted.py."""

from __future__ import annotations

import json
import sqlite3
import subprocess

import pytest
from storekit import (
    BEFORE_BINDINGS,
    BEFORE_TOUCHED,
    CLI,
    ROOT,
    TODAY,
    catalogue_of,
    every_row,
    kept,
    load_dump,
    version_of,
)

from edge import migrations, store
from edge.console import learning, progress
from edge.tablets import registry as tablets
from wire import schema


def edge_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=60, cwd=ROOT)


@pytest.fixture(autouse=True)
def _close_store():
    yield
    if store.db.obj is not None and not store.db.is_closed():
        store.db.close()


# 1. the migrations and the models agree ----------------------------------------------------------

def test_migrating_an_empty_store_makes_exactly_what_the_models_make(tmp_path, fresh_catalogue):
    path = tmp_path / "edge.db"
    store.open_store(str(path)).close()
    assert catalogue_of(path) == fresh_catalogue
    assert version_of(path) == migrations.migrations()[-1].number


@pytest.mark.parametrize("dump", [TODAY, BEFORE_BINDINGS, BEFORE_TOUCHED], ids=lambda d: d.stem)
def test_a_store_saved_by_an_earlier_release_migrates_to_the_fresh_schema_with_its_rows(tmp_path, dump,
                                                                                       fresh_catalogue):
    path = load_dump(dump, tmp_path / "edge.db")
    before = every_row(path)
    assert version_of(path) is None  # made before versions were recorded
    store.open_store(str(path)).close()
    assert catalogue_of(path) == fresh_catalogue
    after = every_row(path)
    for table in before:
        if table in after:  # a later migration may replace a table: its own test checks its rows
            kept(before, after, table)
    assert {t: len(after[t]["rows"]) for t in before if t in after} == {
        t: len(before[t]["rows"]) for t in before if t in after}


def test_the_baseline_alone_keeps_every_row_of_every_table_of_todays_store(tmp_path):
    path = load_dump(TODAY, tmp_path / "edge.db")
    before = every_row(path)
    baseline = schema.Schema("edge store", migrations.migrations()[:1])
    with sqlite3.connect(path) as conn:
        schema.migrate(conn, baseline)
    conn.close()
    after = every_row(path)
    assert set(after) == set(before) and version_of(path) == 1
    for table in before:
        kept(before, after, table)
        assert after[table]["columns"] == before[table]["columns"]


def test_a_store_from_before_bindings_gets_the_learner_columns_empty_and_its_tablets_listed(tmp_path):
    path = load_dump(BEFORE_BINDINGS, tmp_path / "edge.db")
    store.open_store(str(path))
    assert [(r["device"], r["status"], r["learner"]) for r in tablets.listing()] == [
        ("tab-0000", "active", None), ("tab-0001", "active", None), ("tab-0002", "revoked", None),
        ("tab-0100", "active", None)]
    assert store.EnrolmentCode.select().where(store.EnrolmentCode.learner.is_null(False)).count() == 0


PROGRESS = "SELECT id, activity, course, verb, score, done, correct FROM console_learning_record"
UNREADABLE = [  # statements the relay kept whose body says nothing readable about progress
    ("20000000-0000-4000-8000-000000000001", "progress_statement", "not json"),
    ("20000000-0000-4000-8000-000000000002", "progress_statement", "[1, 2]"),
    ("20000000-0000-4000-8000-000000000003", "quiz_answer", '{"payload": "answered"}'),
    ("20000000-0000-4000-8000-000000000004", "progress_statement", '{"payload": {"verb": 5, "object": {"id": 7}}}'),
    ("20000000-0000-4000-8000-000000000005", "progress_statement", '{"payload": {"verb": "completed"}}'),
]


def live_read(kind: str, body: str) -> tuple:
    """What today's code (edge.console.progress.read, as the relay's copy stores it) says of a record."""
    said = progress.read(json.loads(body).get("payload")) if kind in learning.PROGRESS_KINDS else None
    if said is None:
        return ("", "", "", None, 0, None)
    return (said.activity[:300], said.course[:63], said.verb[:40], said.score, int(said.done),
            None if said.correct is None else int(said.correct))


def test_a_store_from_before_touched_gets_it_from_each_uploads_times_and_progress_from_each_statement(tmp_path):
    path = load_dump(BEFORE_TOUCHED, tmp_path / "edge.db")
    conn = sqlite3.connect(path)
    bodies = {id_: (kind, body) for id_, kind, body in conn.execute(
        "SELECT id, kind, body FROM console_learning_record")}
    with conn:
        conn.executemany("INSERT INTO console_learning_record (id, kind, device, learner, created, received, body) "
                         "VALUES (?, ?, 'tab-0000', 'L-0042', '2026-12-07T00:00:00.000Z', "
                         "'2026-12-07T00:00:00.000Z', ?)", UNREADABLE)
    conn.close()
    store.open_store(str(path)).close()
    conn = sqlite3.connect(path)
    touched = conn.execute("SELECT COUNT(*) FROM attachment WHERE touched = COALESCE(completed, created)")
    assert touched.fetchone() == (3,)
    derived = {id_: facts for id_, *facts in conn.execute(PROGRESS)}
    conn.close()
    assert {id_: tuple(derived[id_]) for id_ in bodies} == {id_: live_read(*bodies[id_]) for id_ in bodies}
    assert {id_: tuple(derived[id_]) for id_, _, _ in UNREADABLE} == {
        id_: ("", "", "", None, 0, None) for id_, _, _ in UNREADABLE}
    # the same as the relay stored for the same records in the store these rows were taken from
    today = sqlite3.connect(load_dump(TODAY, tmp_path / "today.db"))
    assert {id_: tuple(facts) for id_, *facts in today.execute(PROGRESS)} == {
        id_: tuple(derived[id_]) for id_ in bodies}
    today.close()

    store.open_store(str(path))  # the console counts the completions made before 499a7a6
    seen = learning.progress_of(learning.Scope(everyone=True))
    assert {(p.learner, p.units, p.average, p.answers, p.correct, p.courses) for p in seen.values()} == {
        ("L-0042", 2, 80.0, 2, 0, frozenset({"english-2"})), ("L-0107", 1, 80.0, 1, 1, frozenset({"english-2"}))}


def test_todays_store_loses_the_progress_trigger_and_its_down_messages_move_to_down_message(tmp_path):
    """The dump was made by the code of 7b5a6cd: m0002 drops a trigger that is there, m0003 moves real rows."""
    path = load_dump(TODAY, tmp_path / "edge.db")
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall() == [
        ("course_progress_inbox_fill",)]
    messages = conn.execute("SELECT id, device, body, created, sent FROM console_down_message ORDER BY id").fetchall()
    conn.close()
    assert len(messages) == 3 and {json.loads(body)["type"] for _, _, body, _, _ in messages} == {"feedback", "award"}
    store.open_store(str(path)).close()
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall() == []
    assert conn.execute("SELECT id, device, body, created, sent FROM down_message ORDER BY id").fetchall() == messages
    assert conn.execute("SELECT message_id FROM down_message ORDER BY id").fetchall() == [
        (json.loads(body)["id"],) for _, _, body, _, _ in messages]
    inbox = conn.execute("SELECT COUNT(*) FROM course_progress_inbox").fetchone()
    with conn:  # a progress statement written to received is no longer copied by the store itself
        conn.execute("INSERT INTO received (id, device, seq, kind, priority, learner, created, received, size, body) "
                     "VALUES ('30000000-0000-4000-8000-000000000001', 'tab-0000', 99, 'progress_statement', 2, "
                     "'L-0042', 'c', 'r', 2, '{}')")
    assert conn.execute("SELECT COUNT(*) FROM course_progress_inbox").fetchone() == inbox
    conn.close()


# 2. the edge works on a migrated store -------------------------------------------------------------

def test_edge_status_refuses_an_old_store_until_edge_migrate_then_reads_it(instance):
    load_dump(TODAY, instance / "edge.db")
    before = catalogue_of(instance / "edge.db")
    refused = edge_cli("status", "--instance", str(instance))
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert f"Run `throughgate edge migrate --instance {instance}` first" in refused.stderr
    assert "schema version 0" in refused.stderr and catalogue_of(instance / "edge.db") == before
    assert version_of(instance / "edge.db") is None

    dry = edge_cli("migrate", "--instance", str(instance), "--dry-run")
    latest = migrations.migrations()[-1].number
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines()[0] == (f"edge store at {instance / 'edge.db'}: schema version 0; {latest} to "
                                          f"apply, to version {latest}:")
    assert "  0001_baseline: The edge store as releases before schema versions left it" in dry.stdout
    assert dry.stdout.splitlines()[-1] == "Dry run: nothing was changed. Run again without --dry-run to apply."
    assert catalogue_of(instance / "edge.db") == before and version_of(instance / "edge.db") is None

    applied = edge_cli("migrate", "--instance", str(instance))
    assert applied.returncode == 0, applied.stderr
    assert applied.stdout.splitlines() == [
        *(f"edge store at {instance / 'edge.db'}: applied {m.label}" for m in migrations.migrations()),
        f"edge store at {instance / 'edge.db'}: now at schema version {latest}"]
    again = edge_cli("migrate", "--instance", str(instance))
    assert again.stdout == f"edge store at {instance / 'edge.db'}: schema version {latest}, up to date\n"

    status = edge_cli("status", "--instance", str(instance), "--json")
    assert status.returncode == 0, status.stderr
    info = json.loads(status.stdout)
    assert (info["received"], info["batches_waiting"], info["records_waiting"], info["batches_delivered"]) == (
        12, 2, 6, 2)
    assert info["alarms"] == ["attachment_refused: the hub refused an attachment for good (413): raise its limit"]
    # the feedback and awards the old console had published are not taken as delivered: they wait for the tablet
    assert (info["down_waiting"], info["down_not_delivered"]) == (3, 0)
    listed = edge_cli("tablets", "list", "--instance", str(instance))
    assert listed.returncode == 0 and "tab-0100" in listed.stdout and "revoked" in listed.stdout


def test_the_relay_commits_a_tablets_next_record_on_a_migrated_store(tmp_path):
    path = load_dump(TODAY, tmp_path / "edge.db")
    store.open_store(str(path))
    highest = store.highest_seqs()
    assert highest == {"tab-0000": 6, "tab-0001": 3, "console": 3}
    with store.writing():
        store.insert_received([{"id": "0b6f3c1e-0000-4000-8000-000000000001", "device": "tab-0000",
                                "seq": 7, "kind": "message", "priority": 3,
                                "learner": "L-0042", "created": "2026-12-07T12:00:00.000Z",
                                "received": store.utcnow(), "size": 10, "body": "{}"}])
    assert store.status()["unsealed"] == 1 and store.status()["received"] == 13


# 4. newer stores ------------------------------------------------------------------------------------

def test_a_store_newer_than_this_code_is_refused_naming_both_versions_and_left_as_it_is(tmp_path, instance):
    path = instance / "edge.db"
    store.open_store(str(path)).close()
    latest = migrations.migrations()[-1].number
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO schema_version VALUES (?, 'from_a_newer_release', '2027-06-01T00:00:00.000Z')",
                     (latest + 1,))
    conn.close()
    before = catalogue_of(path)
    with pytest.raises(schema.SchemaTooNew) as refused:
        store.open_store(str(path))
    assert f"is at schema version {latest + 1}, newer than this Throughgate knows (version {latest})" in str(
        refused.value)
    for command in (["migrate"], ["migrate", "--dry-run"], ["status"], ["tablets", "list"], ["tablets", "code",
                                                                                              "tab-0009"]):
        done = edge_cli(*command, "--instance", str(instance))
        assert done.returncode == 1 and "Traceback" not in done.stderr, (command, done.stderr)
        assert f"schema version {latest + 1}, newer than this Throughgate knows (version {latest})" in done.stderr
    assert catalogue_of(path) == before and version_of(path) == latest + 1


# 5. SIGKILL in the middle of a migration --------------------------------------------------------------

def test_every_edge_migration_is_numbered_and_says_what_it_changes():
    steps = migrations.migrations()
    assert [m.number for m in steps] == list(range(1, len(steps) + 1))
    assert all(m.doc for m in steps), [m.label for m in steps if not m.doc]
