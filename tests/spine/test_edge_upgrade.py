"""Upgrading an edge: `edge run` on a store an earlier release filled (before schema versions) applies
the pending migrations at start, one log line each, keeps what the store held, and then works: a
tablet's records reach the hub and the sealed batch the old store was holding is delivered too."""

from __future__ import annotations

import sqlite3

from edge import migrations
from tablet.client import TabletClient
from tablet.outbox import Outbox
from tests.spine.waiting import hub_has, wait_for
from tests.unit_edge.test_unit_edge_migrations import TODAY, load_dump


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
