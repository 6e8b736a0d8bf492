"""The edge store's migrations interrupted: a migration killed with SIGKILL leaves the version before it or
after it, with every row (a test-only slow step, and the real migrations killed while they write); processes
opening a store at once apply each migration once."""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from storekit import BEFORE_BINDINGS, BEFORE_TOUCHED, ROOT, catalogue_of, every_row, kept, load_dump, version_of

from edge import migrations, store
from wire import schema


@pytest.fixture(autouse=True)
def _close_store():
    yield
    if store.db.obj is not None and not store.db.is_closed():
        store.db.close()


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
