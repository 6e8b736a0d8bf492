"""Receiving one sealed batch from an edge. No Flask here: bytes in, (HTTP status, JSON body) out.

The caller has already authenticated the edge by its client certificate (hub/auth.py). The
checks run cheapest and least-trusting first, and nothing is stored unless all pass:

    size -> envelope -> header -> header.edge is the calling edge -> signature by one of its
         accepted keys -> not a replay -> no more records than the hub takes -> the hub key it
         names is held -> a free opening slot -> opens -> every record valid, read one at a time
         -> store records + batch -> receipt

A batch is opened in one of the hub's few opening slots (slots.py). Its records are read as the body
inflates, each turned into its row before the next is read, so a small batch that inflates to a huge
body is refused after reading at most its header's count of records (wire.batches.iter_records).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

from hub.enrolment import signing_keys
from hub.ingest import storage
from hub.ingest.slots import RETRY_AFTER_S, OpeningSlots
from hub.keys import HubKeys
from hub.models import Batch
from wire import batches, receipts
from wire.records import RecordError, is_timestamp, parse_record, valid_device_id

log = logging.getLogger("hub.ingest.service")

EDGE_FIELDS = ("device", "received")
"""Fields the edge adds to each tablet record: the authenticated device and when the edge got it."""
MAX_BATCH_ID = 128


def error(code: str, reason: str, **extra) -> dict:
    return {"error": code, "reason": reason, **extra}


@dataclass(frozen=True)
class Limits:
    """What this hub takes (its settings MAX_BATCH_BYTES, MAX_BATCH_RECORDS, BATCHES_AT_ONCE)."""

    max_bytes: int
    max_records: int
    slots: OpeningSlots


def ingest(envelope: bytes, keys: HubKeys, *, edge_id: str, limits: Limits,
           now: Callable[[], str] = storage.utc_now) -> tuple[int, dict]:
    """Check, open and store one batch envelope from the authenticated edge `edge_id`.
    Returns (HTTP status, JSON body)."""
    if len(envelope) > limits.max_bytes:
        return 413, error("too_large", f"batch is {len(envelope)} bytes; this hub takes at most {limits.max_bytes}")
    try:
        env = batches.read_envelope(envelope)
        _check_header(env.header)
    except batches.BatchError as exc:
        return _refused(None, 400, exc.code, exc.reason)
    header = env.header
    if header.edge != edge_id:
        return _refused(header, 403, "edge_mismatch",
                        f"the batch says it is from edge {_clean(header.edge)}, but the client certificate "
                        f"is edge {edge_id}'s: an edge sends only its own batches")
    verify_keys = signing_keys.verify_keys(edge_id, now())
    if not verify_keys:
        return _refused(header, 400, "bad_signature", f"edge {edge_id} has no signing key at this hub: "
                        "send one to POST /v1/edge/signing-keys")
    try:
        _verify_any(env, verify_keys)
    except batches.BatchError as exc:
        return _refused(header, 400, exc.code, exc.reason)
    existing = storage.find_batch(header.batch)
    if existing is not None:
        return _replay(existing, header)
    if header.count > limits.max_records:
        return _refused(header, 400, "too_many_records",
                        f"the batch holds {header.count} records; this hub takes at most {limits.max_records} "
                        f"in one batch: set uplink.batch_records to {limits.max_records} or fewer on edge "
                        f"{edge_id}, and raise the hub's MAX_BATCH_RECORDS to {header.count} for the batches it "
                        "has sealed already")
    opening_key = keys.opening_key(header.hub_key)
    if opening_key is None:
        return _refused(header, 400, "cannot_open",
                        f"batch is sealed to hub key {_clean(header.hub_key)}, which this hub does not hold "
                        f"(its current key is {keys.sealing_key_id}): load this hub's public keys on the "
                        "edge (GET /v1/edge/hub-keys)")
    with limits.slots.taken() as free:
        if not free:
            log.info("batch %s from edge %s not opened: %d batches were being opened all along; asked to "
                     "send it again", _clean(header.batch), edge_id, limits.slots.most)
            return 503, error("busy", f"the hub has been opening as many batches as it takes at once "
                              f"({limits.slots.most}) for {limits.slots.wait_s:g} s; it kept nothing of this one: "
                              f"send it again in {RETRY_AFTER_S} s", retry_after=RETRY_AFTER_S)
        return _open_and_store(env, opening_key, keys, now)


def _open_and_store(env: batches.Envelope, opening_key, keys: HubKeys, now: Callable[[], str]) -> tuple[int, dict]:
    """Read the records as the body inflates, each checked and made a row before the next is read; store
    them all, or nothing."""
    header = env.header
    received = now()
    try:
        rows = [_row(item, header, received) for item in batches.open_records(env, opening_key)]
    except batches.BatchError as exc:
        return _refused(header, 400, exc.code, exc.reason)
    except RecordError as exc:
        return _refused(header, 400, "bad_record", exc.reason)

    def sign(stored: int) -> dict:
        return receipts.sign_receipt({
            "batch": header.batch, "edge": header.edge, "digest": env.digest, "count": len(rows),
            "stored": stored, "duplicates": len(rows) - stored, "received": received,
        }, keys.signing)

    try:
        receipt = storage.store_batch(edge_id=header.edge, batch_id=header.batch, seq=header.seq,
                                      digest=env.digest, count=len(rows), rows=rows,
                                      received=received, sign=sign)
    except storage.AlreadyStored as exc:
        return _replay(exc.batch, header)
    fields = receipt["receipt"]
    log.info("batch %s from edge %s: count=%d stored=%d duplicates=%d", _clean(header.batch),
             header.edge, fields["count"], fields["stored"], fields["duplicates"])
    return 200, receipt


def _verify_any(env: batches.Envelope, verify_keys: list) -> None:
    """Accept a signature by any of the edge's accepted keys (the current one is tried first)."""
    for key in verify_keys[:-1]:
        try:
            batches.verify(env, key)
            return
        except batches.BatchError:
            continue
    batches.verify(env, verify_keys[-1])


def _check_header(header: batches.BatchHeader) -> None:
    """BatchHeader parses any JSON types; the hub needs these before it trusts them in queries."""
    problems = []
    if not isinstance(header.edge, str) or not header.edge:
        problems.append("'edge' must be a string")
    batch = header.batch
    if not (isinstance(batch, str) and 0 < len(batch) <= MAX_BATCH_ID and batch.isprintable()):
        problems.append(f"'batch' must be 1-{MAX_BATCH_ID} printable characters")
    for name in ("seq", "count", "priority"):
        value = getattr(header, name)
        if type(value) is not int or not 0 <= value < 2**53:
            problems.append(f"'{name}' must be a whole number from 0")
    if not isinstance(header.hub_key, str) or not isinstance(header.created, str):
        problems.append("'hub_key' and 'created' must be strings")
    if problems:
        raise batches.BatchError("bad_header", "; ".join(problems))


def _row(item: dict, header: batches.BatchHeader, received_at_hub: str) -> dict:
    """One body record -> one Record row. Raises RecordError naming the record and the problem."""
    device, received = item.get("device"), item.get("received")
    rid = item.get("id") if isinstance(item.get("id"), str) else "?"
    if not (isinstance(device, str) and valid_device_id(device)):
        raise RecordError("bad_record", f"record {rid}: 'device' must be a device id (a-z, 0-9, '-')")
    if not (isinstance(received, str) and is_timestamp(received)):
        raise RecordError("bad_record", f"record {rid}: 'received' must be an RFC 3339 timestamp")
    tablet_part = {key: value for key, value in item.items() if key not in EDGE_FIELDS}
    try:
        raw = json.dumps(tablet_part, separators=(",", ":"), ensure_ascii=False).encode()
    except UnicodeEncodeError:  # "\ud800" in the body: a lone surrogate, which UTF-8 cannot hold
        raise RecordError("bad_record", f"record {rid}: not_json: it holds an unpaired UTF-16 surrogate "
                          "escape") from None
    try:
        record = parse_record(raw, any_clock=True)
    except RecordError as exc:
        raise RecordError("bad_record", f"record {rid}: {exc.code}: {exc.reason}") from None
    return {
        "id": record.id, "edge": header.edge, "device": device, "learner": record.learner,
        "kind": record.kind, "seq": record.seq, "created": record.created,
        "received_at_edge": received, "received_at_hub": received_at_hub, "batch_id": header.batch,
        "payload": json.dumps(record.payload, separators=(",", ":"), ensure_ascii=False),
    }


def _replay(batch: Batch, header: batches.BatchHeader) -> tuple[int, dict]:
    if batch.edge_id != header.edge:
        return _refused(header, 409, "batch_conflict",
                        f"batch id {header.batch} was already used by another edge: give each batch a new id")
    log.info("replay of batch %s from edge %s: already stored", _clean(header.batch), header.edge)
    return 409, error("replay", f"batch {header.batch} was already received",
                      receipt=json.loads(batch.receipt_json))


def _refused(header: batches.BatchHeader | None, status: int, code: str, reason: str) -> tuple[int, dict]:
    if header is None:
        log.warning("refused a batch: %s", code)
    else:
        log.warning("refused batch %s from edge %s: %s", _clean(header.batch), _clean(header.edge), code)
    return status, error(code, reason)


def _clean(value) -> str:
    """Header fields may come from anyone: keep them to one short, printable log token."""
    text = str(value)
    return text if text.isprintable() and len(text) <= MAX_BATCH_ID else repr(text[:MAX_BATCH_ID])
