"""The edge store's schema versions (edge/migrations, run by wire.schema): migrating gives exactly the
schema a fresh store's models make; stores saved by earlier releases (SQL dumps in data/, with rows the
real code wrote) migrate with every row kept and then work; a newer store is refused; a migration killed
with SIGKILL leaves the version before it or after it; two processes migrating at once apply each step once."""

from __future__ import annotations

import importlib
import json
import pkgutil
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import peewee as pw
import pytest

import edge
from edge import migrations, store
from edge.console import learning, progress
from edge.tablets import registry as tablets
from wire import schema

DATA = Path(__file__).resolve().parent / "data"
TODAY = DATA / "edge-store-2026-12-07.sql"  # made by data/make_edge_store_dump.py at 7b5a6cd (before versions)
BEFORE_BINDINGS = DATA / "edge-store-before-bindings.sql"  # data/make_older_dumps.py
BEFORE_TOUCHED = DATA / "edge-store-before-touched.sql"
CLI = [sys.executable, "-m", "throughgate", "edge"]
ROOT = Path(__file__).resolve().parents[2]


def every_model() -> list[type[pw.Model]]:
    """Every model of the edge store: edge.store's and each edge.*.tables / edge.*.store module's MODELS."""
    found = list(store.MODELS)
    for info in pkgutil.walk_packages(edge.__path__, "edge."):
        if info.name.rsplit(".", 1)[-1] in ("tables", "store") and info.name != "edge.store":
            found += getattr(importlib.import_module(info.name), "MODELS", ())
    return found


def load_dump(dump: Path, path: Path) -> Path:
    """The store the dump was taken from: its rows, in WAL mode as every edge store is (edge.store.PRAGMAS)."""
    with sqlite3.connect(path) as conn:
        conn.executescript(dump.read_text())
        conn.execute("PRAGMA journal_mode = wal")
    conn.close()
    return path


def catalogue_of(path: Path) -> dict:
    conn = sqlite3.connect(path)
    try:
        return schema.catalogue(conn)
    finally:
        conn.close()


def version_of(path: Path) -> int | None:
    conn = sqlite3.connect(path)
    try:
        return schema.recorded_version(schema.SqliteTarget(conn))
    finally:
        conn.close()


def every_row(path: Path) -> dict[str, dict]:
    """{table: {"columns": [...], "rows": sorted rows}} of every table but schema_version."""
    conn = sqlite3.connect(path)
    try:
        out = {}
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                                     "'sqlite_%' AND name != 'schema_version'"):
            cursor = conn.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (names from the catalogue)
            out[table] = {"columns": [d[0] for d in cursor.description],
                          "rows": sorted(cursor.fetchall(), key=repr)}
        return out
    finally:
        conn.close()


def kept(before: dict, after: dict, table: str) -> None:
    """Every row of `table` before is there after, with the same value in every column it had."""
    columns = before[table]["columns"]
    at = [after[table]["columns"].index(c) for c in columns]
    assert sorted((tuple(row[i] for i in at) for row in after[table]["rows"]), key=repr) == before[table]["rows"]


@pytest.fixture(scope="module")
def fresh_catalogue(tmp_path_factory) -> dict:
    """What peewee's create_tables of every current edge model makes (no migrations)."""
    path = tmp_path_factory.mktemp("fresh") / "models.db"
    database = pw.SqliteDatabase(str(path))
    store.db.initialize(database)
    database.create_tables(every_model())
    database.close()
    return catalogue_of(path)


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

SLOW_STEP = """
import sys
from pathlib import Path
from edge import migrations
from wire import schema

def rebuild_received(db):  # real work on the real table, then a long wait inside the same transaction
    db.execute('CREATE TABLE received_new AS SELECT * FROM received')
    db.execute('DROP TABLE received')
    db.execute('ALTER TABLE received_new RENAME TO received')
    db.execute("UPDATE received SET body = body || ' '")
    Path(sys.argv[2]).write_text('started')
    db.execute('WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 2000000000) '
               'SELECT COUNT(*) FROM n')

steps = migrations.migrations()
test_only = schema.Migration(steps[-1].number + 1, 'slow_rebuild', rebuild_received)
schema.migrate(__import__('peewee').SqliteDatabase(sys.argv[1]), schema.Schema('edge store', (*steps, test_only)))
"""


def _many_rows(path: Path, count: int) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO received (id, device, seq, kind, priority, learner, created, received, size, body) "
                     "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?) "
                     "SELECT printf('00000000-0000-4000-8000-%012d', x), 'tab-0500', x, 'message', 3, 'L-0500', "
                     "'2026-12-07T00:00:00.000Z', '2026-12-07T00:00:00.000Z', 100, printf('{\"n\": %d}', x) FROM n",
                     (count,))
    conn.close()


def test_a_migration_killed_part_way_leaves_the_version_before_it_with_every_row(tmp_path):
    path = tmp_path / "edge.db"
    store.open_store(str(path)).close()
    _many_rows(path, 200_000)
    before_rows, before_catalogue = every_row(path), catalogue_of(path)
    started = tmp_path / "started"
    proc = subprocess.Popen([sys.executable, "-c", SLOW_STEP, str(path), str(started)], cwd=ROOT)
    deadline = time.monotonic() + 120
    while not started.exists():
        assert proc.poll() is None, "the migrating process ended before its step started"
        assert time.monotonic() < deadline, "the step did not start"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert version_of(path) == migrations.migrations()[-1].number  # not the test-only step's
    assert catalogue_of(path) == before_catalogue
    assert every_row(path) == before_rows


def test_the_real_migrations_killed_while_writing_leave_the_old_store_or_the_new_one(tmp_path, fresh_catalogue):
    """kill -9 into `edge migrate` on a large store from before `touched` (its baseline rebuilds two tables)
    once its write-ahead log has grown past 1, 4 and 16 MB: each time, the store is the old one (no version)
    or migrated to a version, exactly, and migrating again finishes the job."""
    old = load_dump(BEFORE_TOUCHED, tmp_path / "old.db")
    with sqlite3.connect(old) as conn:
        conn.execute("INSERT INTO console_learning_record (id, kind, device, learner, created, received, body) "
                     "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 150000) "
                     "SELECT printf('10000000-0000-4000-8000-%012d', x), 'quiz_answer', 'tab-0500', 'L-0500', "
                     "'2026-12-07T00:00:00.000Z', '2026-12-07T00:00:00.000Z', '{}' FROM n")
    conn.close()
    old_catalogue, old_rows = catalogue_of(old), every_row(old)
    outcomes = []
    for megabytes in (1, 4, 16):
        path = tmp_path / f"edge-{megabytes}.db"
        shutil.copy(old, path)
        wal = Path(f"{path}-wal")
        proc = subprocess.Popen([sys.executable, "-c", "import sys; from edge import store; "
                                 "store.migrate_store(sys.argv[1])", str(path)], cwd=ROOT)
        deadline = time.monotonic() + 60
        while proc.poll() is None and not (wal.exists() and wal.stat().st_size > megabytes * 2**20):
            assert time.monotonic() < deadline
            time.sleep(0.0005)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        version = version_of(path) or 0
        if version == 0:
            assert catalogue_of(path) == old_catalogue and every_row(path) == old_rows
        else:
            assert catalogue_of(path) == catalogue_of_version(tmp_path, version)
            assert len(every_row(path)["console_learning_record"]["rows"]) == 150_009
        outcomes.append(version)
        store.migrate_store(str(path))  # whatever it was left at, migrating again finishes the job
        assert catalogue_of(path) == fresh_catalogue
        assert len(every_row(path)["console_learning_record"]["rows"]) == 150_009
    print(f"versions left by kill -9 after 1, 4 and 16 MB of log: {outcomes}")


def catalogue_of_version(tmp_path: Path, version: int) -> dict:
    """The catalogue of an empty store migrated to `version`."""
    path = tmp_path / f"at-{version}.db"
    if not path.exists():
        with sqlite3.connect(path) as conn:
            schema.migrate(conn, schema.Schema("edge store", migrations.migrations()[:version]))
        conn.close()
    return catalogue_of(path)


# 6. two processes at once -------------------------------------------------------------------------------

@pytest.mark.parametrize("dump", [BEFORE_BINDINGS, None], ids=["old store", "new store"])
def test_processes_opening_a_store_at_once_apply_each_migration_once(tmp_path, fresh_catalogue, dump):
    """Three processes (the edge, the console, a command) open the same store at the same moment."""
    path = load_dump(dump, tmp_path / "edge.db") if dump else tmp_path / "edge.db"
    before = every_row(path) if dump else {}
    go = time.time() + 2
    script = ("import logging, sys, time; from edge import store; logging.basicConfig(level=logging.INFO, "
              "format='%(message)s', stream=sys.stdout); time.sleep(max(0, float(sys.argv[2]) - time.time())); "
              "store.open_store(sys.argv[1]).close()")
    procs = [subprocess.Popen([sys.executable, "-c", script, str(path), str(go)], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outputs = [proc.communicate(timeout=120) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0, 0], [err for _, err in outputs]
    applied = sorted(line.rsplit(" ", 1)[1] for out, _ in outputs for line in out.splitlines())
    assert applied == sorted(m.label for m in migrations.migrations())  # each once, by one or the other
    conn = sqlite3.connect(path)
    assert [n for (n,) in conn.execute("SELECT number FROM schema_version ORDER BY number")] == [
        m.number for m in migrations.migrations()]
    conn.close()
    assert catalogue_of(path) == fresh_catalogue
    after = every_row(path)
    for table in before:
        if table in after:
            kept(before, after, table)


def test_every_edge_migration_is_numbered_and_says_what_it_changes():
    steps = migrations.migrations()
    assert [m.number for m in steps] == list(range(1, len(steps) + 1))
    assert all(m.doc for m in steps), [m.label for m in steps if not m.doc]
