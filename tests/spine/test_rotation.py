"""Keys and certificates rotate while batches are in flight, and nothing is lost or doubled.

The hub's sealing key is rotated while batches sealed to the old key wait at the edge (the hub is
down); the edge's certificate is renewed, and the edge restarted on the new one, mid-flush.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from edge import store
from edge.identity import EdgeFiles, edge_cert
from tablet.fleet import Fleet
from tests.spine.checks import assert_exactly_once
from tests.spine.waiting import hub_has, wait_for
from throughgate.stack import CLI
from wire import batches

pytestmark = pytest.mark.slow


def _sealed_batch_keys(stack) -> set[str]:
    """The hub key each batch waiting at the edge is sealed to (read from its envelope's header)."""
    store.open_store(str(stack.edge_dir / "edge.db"))
    try:
        waiting = store.OutBatch.select().where(store.OutBatch.state == "sealed")
        return {batches.read_envelope(bytes(b.envelope)).header.hub_key for b in waiting}
    finally:
        store.db.close()


def _edge_sealing_key(stack) -> str:
    return json.loads((stack.edge_dir / "hub-public.json").read_text())["sealing_key_id"]


def _cli(*args: str) -> str:
    return subprocess.run([*CLI, *args], check=True, capture_output=True, text=True, timeout=60).stdout


@pytest.mark.timeout(240)
def test_sealing_key_and_edge_certificate_rotate_mid_flush_with_nothing_lost(stack_factory, tmp_path):
    stack = stack_factory(uplink__identity_check_s=0.5).start()
    fleet = Fleet(stack.add_devices(10), tmp_path / "tablets", "127.0.0.1", stack.mqtt_port)
    fleet.queue(100)
    fleet.start()
    hub_has(stack, 100)
    old_key = _edge_sealing_key(stack)

    # 1. Hub down: batches sealed to the old key pile up at the edge (records made after the hub went, so some
    # wait however fast the first ones went through). Rotate the key meanwhile.
    stack.hub.kill9()
    fleet.queue(20)
    wait_for(lambda: _sealed_batch_keys(stack) == {old_key}, 30, "batches sealed to the old key waiting")
    _cli("hub", "keys", "rotate", "--instance", str(stack.hub_dir))
    stack.start_hub()
    wait_for(lambda: _edge_sealing_key(stack) != old_key, 30, "the edge to fetch the rotated key")
    new_key = _edge_sealing_key(stack)

    # 2. The edge's certificate is renewed while it runs, then the edge restarts on the new one.
    before = edge_cert(EdgeFiles(stack.edge_dir)).serial_number
    _cli("edge", "renew", "--instance", str(stack.edge_dir))
    assert edge_cert(EdgeFiles(stack.edge_dir)).serial_number != before
    stack.edge.kill9()
    stack.start_edge()

    # 3. Hub down again: what waits now is sealed to the new key.
    stack.hub.kill9()
    fleet.queue(50)
    wait_for(lambda: new_key in _sealed_batch_keys(stack), 30, "batches sealed to the new key waiting")
    stack.start_hub()

    assert fleet.wait_flushed(120), "tablets still hold unacknowledged records"
    result = fleet.stop()
    assert result.submitted_count == 1700 and result.acked == 1700
    assert_exactly_once(result.submitted, hub_has(stack, 1700, timeout=120))
    wait_for(lambda: not _sealed_batch_keys(stack), 60, "every batch delivered")
