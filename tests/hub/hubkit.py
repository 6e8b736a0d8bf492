"""Helpers for the hub's tests: records as an edge batches them, and an edge that seals them."""

from __future__ import annotations

import itertools
import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric import ed25519

from hub.models import Record
from wire import batches
from wire.keys import SealingPublicKey
from wire.records import new_record, timestamp

ADMIN_TOKEN = "test-admin-token-" + "x" * 20


def now() -> str:
    return timestamp()


def edge_records(n: int, device: str = "tablet-1", learner: str = "L-0042",
                 kind: str = "progress_statement", first_seq: int = 1) -> list[dict]:
    """Records as an edge puts them in a batch: tablet record + device + received."""
    return [new_record(kind, learner, first_seq + i, {"text": f"entry {i}"}).to_dict()
            | {"device": device, "received": now()} for i in range(n)]


@dataclass
class FakeEdge:
    """A real edge's sealing step: its own Ed25519 key, sealing to the hub's public key."""

    edge_id: str
    key: ed25519.Ed25519PrivateKey
    hub_key: SealingPublicKey
    seqs: itertools.count = field(default_factory=lambda: itertools.count(1))

    def seal(self, records: list[dict], batch_id: str | None = None,
             hub_key: SealingPublicKey | None = None) -> bytes:
        hub_key = hub_key or self.hub_key
        header = batches.BatchHeader(edge=self.edge_id, batch=batch_id or str(uuid.uuid4()),
                                     seq=next(self.seqs), created=now(), count=len(records),
                                     priority=2, hub_key=hub_key.id)
        return batches.seal(header, records, hub_key, self.key)


def post_batch(client, envelope: bytes):
    return client.post("/v1/batches", data=envelope, content_type="application/cbor")


def stored_count() -> int:
    return Record.select().count()


def http(method: str, url: str, body: bytes | None = None, headers: dict | None = None) -> tuple[int, dict]:
    """A real HTTP request with urllib; returns (status, JSON body) for errors too."""
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError("tests only talk to hubs they started on loopback")
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def post_envelope(base_url: str, envelope: bytes) -> tuple[int, dict]:
    return http("POST", f"{base_url}/v1/batches", envelope, {"Content-Type": "application/cbor"})
