"""The uplink's pacing against a real hub: bandwidth cap, priorities without starvation, receipts."""

from __future__ import annotations

import pytest

from edge import config as edge_config
from edge import store
from edge.intake.quota import Quota
from edge.uplink import stages as uplink
from edge.uplink.hubclient import HubClient
from tablet.fleet import sample_payload
from tests.spine.waiting import PausedClock
from wire.keys import HubPublicKeys, signing_key_from_pem
from wire.records import new_record


class RecordingClient(HubClient):
    def __init__(self, url: str, **tls):
        super().__init__(url, **tls)
        self.posted: list[int] = []  # envelope sizes, in order

    def post_batch(self, envelope: bytes):
        self.posted.append(len(envelope))
        return super().post_batch(envelope)


@pytest.fixture
def edge_side(stack_factory, tmp_path):
    """A running hub, and this edge's store and keys opened in the test process (no edge process)."""
    stack = stack_factory()
    stack.start_hub()
    cfg = edge_config.load(stack.edge_dir)
    database = store.open_store(str(tmp_path / "edge.db"))
    hub_keys = HubPublicKeys.from_document(cfg.hub_keys_path.read_text())
    yield stack, cfg, hub_keys, signing_key_from_pem(cfg.signing_key_path.read_bytes())
    database.close()


def _receive(kinds: list[str], device: str = "tab-0001") -> None:
    rows = []
    for seq, kind in enumerate(kinds, start=1):
        record = new_record(kind, "L-1", seq, sample_payload(kind, seq))
        body = record.to_json()
        rows.append({"id": record.id, "device": device, "seq": seq, "kind": kind, "priority": record.priority,
                     "learner": "L-1", "created": record.created, "received": store.utcnow(), "size": len(body),
                     "body": body.decode()})
    with store.writing():
        store.Received.insert_many(rows).execute()


def test_bandwidth_cap_holds_the_average_rate(edge_side):
    stack, cfg, hub_keys, signing_key = edge_side
    cfg.uplink.batch_records, cfg.uplink.max_bytes_per_s = 20, 2_000
    _receive(["assignment_submission"] * 400)
    quota = Quota(cfg.quota_bytes, store.outbox_bytes)
    assert uplink.seal_ready(cfg.edge_id, cfg.uplink, hub_keys, signing_key, quota, force=True) == 20
    clock, client = PausedClock(), RecordingClient(stack.hub_url, **stack.edge_tls())
    forwarder = uplink.Forwarder(cfg.uplink, hub_keys, client, quota, clock=clock, sleep=clock.sleep)
    while forwarder.tick(budget_s=1e9):
        pass
    assert len(client.posted) == 20 and forwarder.delivered_records == 400
    sent = sum(client.posted)
    assert sent > 5 * cfg.uplink.max_bytes_per_s, "too little traffic to say anything about the cap"
    # One second of burst, then the configured rate. The bucket waits exactly as long as the bytes need, so
    # the total can sit on the bound itself: rounded to a millionth of a byte, not failed by float sums.
    assert sent <= round(cfg.uplink.max_bytes_per_s * (clock.now + 1), 6)
    assert sent >= cfg.uplink.max_bytes_per_s * clock.now * 0.9


def test_urgent_batches_go_first_and_the_lowest_priority_still_moves(edge_side):
    stack, cfg, hub_keys, signing_key = edge_side
    cfg.uplink.batch_records, cfg.uplink.fair_every = 10, 4
    _receive(["progress_statement"] * 100, device="tab-0001")  # priority 2, oldest
    _receive(["message"] * 100, device="tab-0002")  # priority 0, newer
    quota = Quota(cfg.quota_bytes, store.outbox_bytes)
    uplink.seal_ready(cfg.edge_id, cfg.uplink, hub_keys, signing_key, quota, force=True)
    forwarder = uplink.Forwarder(cfg.uplink, hub_keys, HubClient(stack.hub_url, **stack.edge_tls()), quota)
    order = []
    for _ in range(8):
        batch = forwarder.pick()
        forwarder.sends += 1
        assert forwarder.send(batch) is None
        order.append(batch.priority)
    assert order == [0, 0, 0, 2, 0, 0, 0, 2]
    delivered = store.OutBatch.select().where(store.OutBatch.state == "delivered")
    assert delivered.count() == 8 and all(b.envelope is None for b in delivered), "space not reclaimed"


def test_receipt_from_another_hub_key_does_not_free_the_batch(edge_side):
    from wire.keys import new_signing_key

    stack, cfg, hub_keys, signing_key = edge_side
    _receive(["message"] * 5)
    quota = Quota(cfg.quota_bytes, store.outbox_bytes)
    uplink.seal_ready(cfg.edge_id, cfg.uplink, hub_keys, signing_key, quota, force=True)
    impostor = HubPublicKeys(hub_keys.sealing, new_signing_key().public_key())
    forwarder = uplink.Forwarder(cfg.uplink, impostor, HubClient(stack.hub_url, **stack.edge_tls()), quota)
    error = forwarder.send(forwarder.pick())
    assert error and "receipt" in error
    batch = store.OutBatch.get()
    assert batch.state == "sealed" and batch.envelope is not None
