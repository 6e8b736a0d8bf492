"""Phase 4: the uplink. Sealed batches over real HTTP to a real hub, on SQLite and on PostgreSQL.

Records are sealed in advance exactly as edge/uplink.py seals them (one priority class per
batch, up to 500 records, each record plus the edge's `device` and `received` fields; zstd,
HPKE to the hub's key, Ed25519 by a registered edge key). They are then POSTed one after the
other over one connection with edge.hubclient.HubClient, as the edge's forwarder does, to a
`throughgate hub run` process, through a counting TCP proxy (bench/wireproxy.py). Every
answer must be a 200 with a receipt that verifies.

wire bytes ratio = bytes the proxy carried towards the hub / the records' JSON as tablets sent it
ingest rate     = records / (first POST -> last receipt), one edge posting sequentially
"""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from pathlib import Path

from bench.payloads import sample_items
from bench.pgtemp import temporary_database
from bench.progress import say
from bench.wireproxy import CountingProxy
from edge import broker, store
from edge.config import UplinkConfig
from edge.hubclient import HubClient
from throughgate.stack import CLI, Proc, free_port
from wire import batches, receipts
from wire.keys import HubPublicKeys, new_signing_key, verify_key_to_pem
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


def _throughgate(*args: str, env: dict) -> str:
    done = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120, env={**os.environ, **env})
    if done.returncode != 0:
        raise RuntimeError(f"throughgate {' '.join(args)} failed:\n{done.stderr}{done.stdout}")
    return done.stdout


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


def _ingest(name: str, instance: Path, classes: dict[int, list[dict]], env: dict) -> dict:
    _throughgate("hub", "init", "--instance", str(instance), env=env)
    hub_keys = HubPublicKeys.from_document(_throughgate("hub", "keys", "export", "--instance", str(instance),
                                                           env=env))
    signing_key = new_signing_key()
    verify_pem = instance.parent / f"{EDGE_ID}-{name}.pub.pem"
    verify_pem.write_bytes(verify_key_to_pem(signing_key.public_key()))
    _throughgate("hub", "edges", "add", EDGE_ID, "--key", str(verify_pem), "--instance", str(instance), env=env)
    sealed = _seal_all(classes, hub_keys, signing_key)
    port = free_port()
    hub = Proc(f"hub-{name}", [*CLI, "hub", "run", "--instance", str(instance), "--port", str(port)],
               instance.parent / f"hub-{name}.log", env).start()
    proxy = None
    try:
        broker.wait_for_port("127.0.0.1", port, 30)
        proxy = CountingProxy(port).start()
        client = HubClient(f"http://127.0.0.1:{proxy.port}")
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
