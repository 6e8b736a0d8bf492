"""Phase 4: the uplink. Sealed batches over real HTTPS (mutual TLS) to a real hub, on SQLite and on PostgreSQL.

Records are sealed in advance exactly as edge/uplink/stages.py seals them (one priority class per
batch, up to 500 records, each record plus the edge's `device` and `received` fields; zstd,
HPKE to the hub's key, Ed25519 by the key of an edge enrolled with a token). They are then POSTed one after the
other over one connection with edge.uplink.hubclient.HubClient, as the edge's forwarder does, to a
`throughgate hub run` process, through a counting TCP proxy (bench/wireproxy.py). Every
answer must be a 200 with a receipt that verifies.

wire bytes ratio = bytes the proxy carried towards the hub / the records' JSON as tablets sent it
ingest rate     = records / (first POST -> last receipt), one edge posting sequentially
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from bench.payloads import sample_items
from bench.pgtemp import temporary_database
from bench.progress import say
from bench.wireproxy import CountingProxy
from edge import config as edge_config
from edge import store
from edge.config import UplinkConfig
from edge.host import broker
from edge.identity import EdgeFiles
from edge.uplink.hubclient import HubClient
from throughgate.stack import Stack
from wire import batches, receipts
from wire.keys import HubPublicKeys, signing_key_from_pem
from wire.records import KINDS, new_record

EDGE_ID = "bench-edge"
BATCH_RECORDS = UplinkConfig().batch_records


def run(workdir: Path, records: int = 20_000, devices: int = 20, postgres_url: str | None = None) -> dict:
    workdir.mkdir(parents=True, exist_ok=True)
    classes, raw_bytes = _edge_rows(records, devices)
    say("uplink", f"{records} records from {devices} devices, {raw_bytes} bytes of record JSON")
    sqlite = _ingest("sqlite", workdir / "hub-sqlite", classes, env={})
    postgres = None
    if postgres_url:
        with temporary_database(postgres_url) as url:
            if url is None:
                say("uplink", f"PostgreSQL does not answer at {postgres_url}: skipped")
            else:
                postgres = _ingest("postgres", workdir / "hub-postgres", classes, env={"DATABASE_URL": url})
    return {
        "records": records,
        "raw_json_bytes": raw_bytes,
        "wire_bytes": sqlite["wire_up_bytes"],
        "wire_bytes_per_record": sqlite["wire_up_bytes"] / records,
        "raw_bytes_per_record": raw_bytes / records,
        "wire_bytes_ratio": sqlite["wire_up_bytes"] / raw_bytes,
        "sqlite": sqlite,
        "postgres": postgres,
    }


def _edge_rows(count: int, devices: int) -> tuple[dict[int, list[dict]], int]:
    """What the edge holds before sealing, by priority class; and the tablets' JSON size."""
    classes: dict[int, list[dict]] = {}
    raw = 0
    per_device = count // devices
    for d in range(devices):
        device = f"tab-{d:04d}"
        for seq, (kind, learner, payload) in enumerate(sample_items(device, per_device, seed=d), start=1):
            record = new_record(kind, learner, seq, payload)
            raw += len(record.to_json())
            row = dict(record.to_dict(), device=device, received=store.utcnow())
            classes.setdefault(KINDS[kind], []).append(row)
    return classes, raw


def _seal_all(classes: dict[int, list[dict]], hub: HubPublicKeys, signing_key) -> list[tuple[str, str, bytes]]:
    """(batch id, digest, envelope) in sending order: most urgent class first, as the forwarder sends."""
    sealed = []
    for priority in sorted(classes):
        rows = classes[priority]
        for start in range(0, len(rows), BATCH_RECORDS):
            chunk = rows[start:start + BATCH_RECORDS]
            header = batches.BatchHeader(edge=EDGE_ID, batch=str(uuid.uuid4()), seq=len(sealed) + 1,
                                         created=store.utcnow(), count=len(chunk), priority=priority,
                                         hub_key=hub.sealing.id)
            envelope = batches.seal(header, chunk, hub.sealing, signing_key)
            sealed.append((header.batch, batches.read_envelope(envelope).digest, envelope))
    return sealed


def _ingest(name: str, root: Path, classes: dict[int, list[dict]], env: dict) -> dict:
    """A hub instance and an edge enrolled with it (token, mutual TLS), as in production."""
    stack = Stack(root, edge_id=EDGE_ID, env=env).build()
    cfg = edge_config.load(stack.edge_dir)
    files = EdgeFiles(stack.edge_dir)
    hub_keys = HubPublicKeys.from_document(cfg.hub_keys_path.read_text())
    sealed = _seal_all(classes, hub_keys, signing_key_from_pem(cfg.signing_key_path.read_bytes()))
    stack.start_hub()
    hub, port = stack.hub, stack.hub_port
    proxy = None
    try:
        broker.wait_for_port("127.0.0.1", port, 30)
        proxy = CountingProxy(port).start()
        client = HubClient(f"https://127.0.0.1:{proxy.port}", ca_file=files.hub_root, cert_file=files.edge_cert,
                           key_file=files.edge_key)
        say("uplink", f"{name}: posting {len(sealed)} sealed batches to the hub")
        stored, started = 0, time.monotonic()
        for batch_id, digest, envelope in sealed:
            status, body = client.post_batch(envelope)
            if status != 200:
                raise RuntimeError(f"hub ({name}) answered HTTP {status}: {body[:300]!r}")
            stored += receipts.verify_receipt(receipts.loads(body), hub_keys.receipt, batch_id, digest)["stored"]
        seconds = time.monotonic() - started
        client.close()
    finally:
        if proxy is not None:
            proxy.stop()
        hub.stop()
    records = sum(len(rows) for rows in classes.values())
    say("uplink", f"{name}: {stored}/{records} stored in {seconds:.2f}s")
    return {
        "batches": len(sealed),
        "stored": stored,
        "seconds": seconds,
        "per_s": stored / seconds,
        "envelope_bytes": sum(len(envelope) for _, _, envelope in sealed),
        "wire_up_bytes": proxy.upstream,
        "wire_down_bytes": proxy.downstream,
    }
