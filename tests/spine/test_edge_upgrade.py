"""Upgrading an edge: `edge run` on a store an earlier release filled (before schema versions) applies
the pending migrations at start, one log line each, keeps what the store held, and then works: a
tablet's records reach the hub. A store a newer release wrote stops `edge run` (exit 1, both versions
named)."""

from __future__ import annotations

import sqlite3
import subprocess

from edge import migrations
from tablet.client import TabletClient
from tablet.outbox import Outbox
from tests.spine.waiting import hub_has, wait_for
from tests.unit_edge.storekit import TODAY, load_dump
from throughgate.stack import CLI
from wire import schema


def test_edge_run_migrates_an_old_store_at_start_and_then_relays_and_delivers(stack_factory):
    stack = stack_factory()
    stack.start_broker()  # (writes the CRL through the store first: it is replaced below)
    db_path = stack.edge_dir / "edge.db"
    for suffix in ("", "-wal", "-shm"):
        (stack.edge_dir / f"edge.db{suffix}").unlink(missing_ok=True)
    load_dump(TODAY, db_path)  # 12 records, 2 sealed batches the hub never confirmed, 4 tablets
    stack.start_hub()
    stack.start_edge()

    log = (stack.root / "edge.log").read_text()
    for step in migrations.migrations():
        assert f"edge store at {db_path}: applied {step.label}" in log
    tablet = stack.add_devices(1, prefix="new")["new-0000"]
    outbox = Outbox(str(tablet.outbox_path))
    sent = [outbox.add("message", "L-0300", {"text": f"after the upgrade {n}"}) for n in range(3)]
    client = TabletClient(tablet, "127.0.0.1", stack.mqtt_port, outbox).start()
    try:
        assert client.wait_flushed(30), outbox.counts()
    finally:
        client.stop()
        outbox.close()
    records = hub_has(stack, 3)  # the old store's sealed batches were signed by another edge: refused, kept
    assert {r["id"] for r in records} >= {record.id for record in sent}
    status = wait_for(lambda: (s := stack.edge_status())["received"] == 15 and s, 30, "the edge's status")
    assert status["batches_delivered"] >= 3, status
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT MAX(number) FROM schema_version").fetchone() == (migrations.migrations()[-1].number,)
    assert conn.execute("SELECT COUNT(*) FROM tablet").fetchone() == (5,)
    conn.close()


def test_edge_run_refuses_a_store_a_newer_release_wrote_and_leaves_it_as_it_is(stack_factory):
    stack = stack_factory()
    stack.start_broker()  # makes the store at this release's version (and the CRL)
    db_path = stack.edge_dir / "edge.db"
    latest = migrations.migrations()[-1].number
    with sqlite3.connect(db_path) as conn:
        conn.execute("INSERT INTO schema_version VALUES (?, 'from_a_newer_release', '2027-06-01T00:00:00.000Z')",
                     (latest + 1,))
    conn.close()
    before = schema.catalogue(sqlite3.connect(db_path))
    run = subprocess.run([*CLI, "edge", "run", "--instance", str(stack.edge_dir)], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert (f"edge store at {db_path} is at schema version {latest + 1}, newer than this Throughgate knows "
            f"(version {latest})") in run.stderr
    assert schema.catalogue(sqlite3.connect(db_path)) == before
