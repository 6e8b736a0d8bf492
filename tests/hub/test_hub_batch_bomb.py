"""A small batch cannot make the hub build a huge one (issue 17, point 1).

The probe: with a stolen edge's key and certificate, seal a 7 KB batch whose body inflates to 64 MiB
of `[{},{},...]`. The hub decoded all 22 million objects before comparing them with the header's
count: 400 after 4.3 s, 1.8 GB resident; three at once, 5.2 GB. Here the same bombs, sealed with
the enrolled edge's own keys, go to a real `throughgate hub run` process over mutual TLS (the edge's
own hub client), once and three at once; the hub's memory is read from /proc, as a ratio to its
size before.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from pathlib import Path

import cbor2
import pytest
import zstandard
from hubkit import stored_count

from edge import config as edge_config
from edge import store
from edge.config import UplinkConfig
from edge.intake.quota import Quota
from edge.uplink import stages
from edge.uplink.hubclient import HubClient
from tests.spine.waiting import PausedClock
from wire import batches
from wire.keys import HubPublicKeys, signing_key_from_pem
from wire.records import new_record, timestamp

EMPTIES = b"{}," * ((batches.MAX_BODY_BYTES - 3) // 3)
"""64 MiB less a few bytes of `{},`: 22 million empty objects."""


def a_record(seq: int) -> bytes:
    """One valid record as the edge puts it in a batch."""
    record = new_record("message", "L-0042", seq, {"text": "hello"}).to_dict()
    return json.dumps(record | {"device": "tab-0001", "received": timestamp()}).encode()


SPACES = b" " * batches.MAX_BODY_BYTES
BOMBS = {
    # name: (count in the header, body, zstd window log (None: the edge's compression), what the hub answers)
    "count 1, 22 million empty objects": (1, b"[" + EMPTIES + b"{}]", None, "bad_record"),  # the first is no record
    "count 1, a record then 22 million empty objects": (1, b"[" + a_record(1) + b"," + EMPTIES + b"{}]", None,
                                                        "bad_body"),
    "count 10000, a record then 64 MiB of spaces": (10_000, b"[" + a_record(1) + SPACES + b"]", None, "bad_body"),
    "count 10000, 64 MiB of spaces in one 64 MiB zstd window": (10_000, b"[" + a_record(1) + SPACES + b"]", 26,
                                                                "bad_body"),
    "count 22 million, 22 million empty objects": (len(EMPTIES) // 3 + 1, b"[" + EMPTIES + b"{}]", None,
                                                   "too_many_records"),
}


class StolenEdge:
    """What a stolen box holds: its signing key, its client certificate, and the hub's public keys."""

    def __init__(self, stack):
        self.stack = stack
        self.cfg = edge_config.load(stack.edge_dir)
        self.hub_keys = HubPublicKeys.from_document(self.cfg.hub_keys_path.read_text())
        self.key = signing_key_from_pem(self.cfg.signing_key_path.read_bytes())

    def seal_compressed(self, count: int, body: bytes) -> bytes:
        """An envelope around an already compressed body, sealed to the hub and signed as the edge does."""
        header = batches.BatchHeader(edge=self.cfg.edge_id, batch=str(uuid.uuid4()), seq=1, created=timestamp(),
                                     count=count, priority=0, hub_key=self.hub_keys.sealing.id).to_bytes()
        ciphertext = batches.SUITE.encrypt(body, self.hub_keys.sealing.hpke_key, info=batches.INFO_LABEL + header)
        signature = self.key.sign(batches._to_be_signed(header, ciphertext))
        return cbor2.dumps([header, ciphertext, signature])

    def post(self, envelope: bytes) -> tuple[int, dict, float]:
        """POST it with the edge's own hub client: (status, answer, seconds to the answer)."""
        client = HubClient(self.stack.hub_url, **self.stack.edge_tls())
        started = time.monotonic()
        try:
            status, answer = client.post_batch(envelope)
        finally:
            client.close()
        return status, json.loads(answer), time.monotonic() - started


def compressor(window_log: int | None) -> zstandard.ZstdCompressor:
    if window_log is None:
        return zstandard.ZstdCompressor(level=batches.ZSTD_LEVEL)
    return zstandard.ZstdCompressor(compression_params=zstandard.ZstdCompressionParameters.from_level(
        19, window_log=window_log))


@pytest.fixture(scope="module")
def compressed_bombs() -> dict[str, tuple[int, bytes, str]]:
    return {name: (count, compressor(window_log).compress(text), code)
            for name, (count, text, window_log, code) in BOMBS.items()}


@pytest.fixture
def running_hub(stack_factory):
    """A real hub process (`throughgate hub run`) with its enrolled edge's keys, and its pid."""
    stack = stack_factory()
    stack.start_hub()
    edge = StolenEdge(stack)
    status, answer, _ = edge.post(edge.seal_compressed(1, batches.compress(b"[" + a_record(1) + b"]")))
    assert status == 200, answer  # warm: a batch has been opened and stored
    return edge, stack.hub.popen.pid


def memory_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no {field} for {pid}")


def reset_peak(pid: int) -> float:
    """Start the process's peak resident size (VmHWM) afresh (proc(5), clear_refs 5); its size now."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")
    return memory_mb(pid, "VmRSS")


@pytest.mark.parametrize("bomb", list(BOMBS))
def test_a_small_batch_inflating_to_64_mib_is_refused_with_the_hubs_memory_flat(running_hub, compressed_bombs, bomb):
    edge, pid = running_hub
    count, body, code = compressed_bombs[bomb]
    envelope = edge.seal_compressed(count, body)
    assert len(envelope) < 8 * 1024

    before = reset_peak(pid)
    status, answer, seconds = edge.post(envelope)
    peak = memory_mb(pid, "VmHWM")
    print(f"\n{bomb}: {len(envelope)} B envelope, {status} {answer['error']} in {seconds:.3f} s; "
          f"hub RSS {before:.0f} MB before, peak {peak:.0f} MB ({peak / before:.2f}x)")
    assert (status, answer["error"]) == (400, code), answer
    assert peak < 1.5 * before, f"the hub's peak memory went from {before:.0f} MB to {peak:.0f} MB"


@pytest.mark.parametrize("bomb", list(BOMBS))
def test_three_such_batches_at_once_are_refused_with_the_hubs_memory_flat(running_hub, compressed_bombs, bomb):
    edge, pid = running_hub
    count, body, code = compressed_bombs[bomb]
    envelopes = [edge.seal_compressed(count, body) for _ in range(3)]
    answers: list[tuple[int, dict, float]] = []
    start = threading.Barrier(3)

    def send(envelope: bytes) -> None:
        start.wait()
        answers.append(edge.post(envelope))

    before = reset_peak(pid)
    senders = [threading.Thread(target=send, args=(envelope,)) for envelope in envelopes]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(60)
    peak = memory_mb(pid, "VmHWM")
    print(f"\n3 x {bomb}: {sorted((s, a['error'], round(t, 3)) for s, a, t in answers)}; "
          f"hub RSS {before:.0f} MB before, peak {peak:.0f} MB ({peak / before:.2f}x)")
    assert len(answers) == 3
    assert all((status, answer["error"]) in {(400, code), (503, "busy")} for status, answer, _ in answers), answers
    assert peak < 1.5 * before, f"the hub's peak memory went from {before:.0f} MB to {peak:.0f} MB"


def test_after_the_bombs_the_hub_still_stores_a_normal_batch(running_hub, compressed_bombs):
    edge, _pid = running_hub
    for count, body, _code in compressed_bombs.values():
        assert edge.post(edge.seal_compressed(count, body))[0] == 400
    records = [a_record(seq) for seq in range(2, 502)]
    status, answer, _ = edge.post(edge.seal_compressed(500, batches.compress(b"[" + b",".join(records) + b"]")))
    assert status == 200 and answer["receipt"]["stored"] == 500


# the edge, finding the hub busy -----------------------------------------------------------------
def test_an_edge_finding_the_hub_busy_keeps_the_batch_and_delivers_it_after_its_backoff(
        app, server, edge, root_file, tmp_path):
    """The real uplink (CUT, SEAL, SEND, CONFIRM) against the hub over HTTPS while every opening slot
    stays taken: a real 503, then the same batch again once the backoff has passed."""
    cert, key = edge.tls_files(tmp_path / "tls")
    client = HubClient(server.url, ca_file=root_file, cert_file=cert, key_file=key)
    hub_keys = HubPublicKeys.from_document(app.extensions["hub_keys"].get().public_document())
    database = store.open_store(str(tmp_path / "edge.db"))
    try:
        with store.writing():
            store.Received.insert_many([
                {"id": r.id, "device": "tab-0001", "seq": r.seq, "kind": r.kind, "priority": r.priority,
                 "learner": r.learner, "created": r.created, "received": store.utcnow(), "size": len(r.to_json()),
                 "body": r.to_json().decode()}
                for r in (new_record("message", "L-1", seq, {"text": "hi"}) for seq in range(1, 6))]).execute()
        config, quota, clock = UplinkConfig(hub_url=server.url), Quota(10 << 20, store.outbox_bytes), PausedClock()
        assert stages.seal_ready(edge.edge_id, config, hub_keys, edge.key, quota, force=True) == 1
        forwarder = stages.Forwarder(config, hub_keys, client, quota, clock=clock, sleep=clock.sleep)

        slots = app.extensions["batch_slots"]
        with contextlib.ExitStack() as holding:
            assert all(holding.enter_context(slots.taken()) for _ in range(slots.most))
            assert forwarder.tick() == 0
        batch = store.OutBatch.get()
        assert batch.state == "sealed" and batch.envelope is not None
        assert batch.last_error.startswith(f"hub refused batch {batch.id}: HTTP 503 busy: ")
        assert stored_count() == 0

        assert forwarder.tick() == 0, "sent again before its backoff"
        clock.now = forwarder.next_attempt
        assert forwarder.tick() == 1
        assert store.OutBatch.get().state == "delivered" and stored_count() == 5
    finally:
        client.close()
        database.close()
