"""Attachments edges forward after the submissions naming them: stored once, by SHA-256.

No Flask here: service functions raise hub.refusals.Refused, hub/attachments/api.py answers.

An edge may upload (and ask about) only an attachment that one of its own stored
assignment_submission records names, and then only with the size that record gives. Bytes
arrive in order, each request continuing where the hub's copy ends (`Content-Range`), so an
interrupted upload resumes and a repeated chunk changes nothing. After the last byte the hub
checks the hash; only then is the file moved into the store:

    <ATTACHMENTS_DIR>/partial/<edge>/<sha256>        while uploading
    <ATTACHMENTS_DIR>/sha256/<first 2 hex>/<sha256>  once complete (one file however many edges send it)
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
from pathlib import Path

import peewee

from hub.db import proxy
from hub.models import Record
from hub.refusals import Refused
from wire.learning import submission_attachments
from wire.records import RecordError, timestamp, valid_sha256

log = logging.getLogger("hub.attachments.service")

_RANGE = re.compile(r"bytes (\d{1,15})-(\d{1,15})/(\d{1,15})")


class StoredAttachment(peewee.Model):
    """A complete attachment in the store: its hash, size and media type."""

    sha256 = peewee.CharField(max_length=64, primary_key=True)
    size = peewee.BigIntegerField()
    type = peewee.CharField(max_length=130)
    stored_at = peewee.CharField(max_length=40)
    edge = peewee.CharField(max_length=64)
    """The edge whose upload completed it first."""

    class Meta:
        database = proxy
        table_name = "stored_attachment"


class AttachmentGrant(peewee.Model):
    """An edge may upload this attachment: one of its stored submissions names it, with this size and
    type. Written the first time the hub finds that submission, so later chunks need no search."""

    edge = peewee.CharField(max_length=64)
    sha256 = peewee.CharField(max_length=64)
    size = peewee.BigIntegerField()
    type = peewee.CharField(max_length=130)

    class Meta:
        database = proxy
        table_name = "attachment_grant"
        primary_key = peewee.CompositeKey("edge", "sha256")


MODELS = [StoredAttachment, AttachmentGrant]


class Store:
    """The attachments folder (the ATTACHMENTS_DIR setting)."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def partial(self, edge_id: str, sha256: str) -> Path:
        return self.root / "partial" / edge_id / sha256

    def blob(self, sha256: str) -> Path:
        return self.root / "sha256" / sha256[:2] / sha256


_locks: dict[tuple[str, str], threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock(edge_id: str, sha256: str) -> threading.Lock:
    """One upload at a time per edge and hash (two requests must not append at once)."""
    with _locks_guard:
        return _locks.setdefault((edge_id, sha256), threading.Lock())


def reference(edge_id: str, sha256: str) -> dict | None:
    """The attachment as a stored submission of this edge names it ({"id", "sha256", "size", "type",
    "name"}), or None."""
    if not valid_sha256(sha256):
        return None
    candidates = (Record.select(Record.id, Record.payload)
                  .where(Record.edge == edge_id, Record.kind == "assignment_submission",
                         Record.payload.contains(sha256)))
    for row in candidates:
        try:
            refs = submission_attachments(json.loads(row.payload), row.id)
        except (ValueError, RecordError):
            continue
        for ref in refs:
            if ref.sha256 == sha256:
                return ref.to_dict()
    return None


def _owned(edge_id: str, sha256: str) -> dict:
    grant = AttachmentGrant.get_or_none(AttachmentGrant.edge == edge_id, AttachmentGrant.sha256 == sha256)
    if grant is not None:
        return {"sha256": sha256, "size": grant.size, "type": grant.type}
    ref = reference(edge_id, sha256)
    if ref is not None:
        (AttachmentGrant.insert(edge=edge_id, sha256=sha256, size=ref["size"], type=ref["type"])
         .on_conflict_ignore().execute())
    if ref is None:
        raise Refused(404, "not_found", f"no assignment submission from edge {edge_id} stored here names an "
                      f"attachment with SHA-256 {sha256[:64]}: the batch holding it must be delivered first")
    return ref


def check_size(declared: int, max_bytes: int | None, received: int = 0) -> None:
    """Refuse (413) an attachment whose declared size, or the bytes received with this chunk, exceed
    MAX_ATTACHMENT_BYTES: without a bound, one edge could fill the hub's disk."""
    if max_bytes is None:
        return
    if declared > max_bytes:
        raise Refused(413, "too_large", f"the submission names an attachment of {declared} bytes; this hub "
                      f"stores attachments of at most {max_bytes} bytes (MAX_ATTACHMENT_BYTES): set the edge's "
                      "attachments.max_bytes no higher than that, or raise the hub's limit")
    if received > max_bytes:
        raise Refused(413, "too_large", f"{received} bytes of this attachment would be over this hub's limit of "
                      f"{max_bytes} bytes (MAX_ATTACHMENT_BYTES)")


def status(store: Store, edge_id: str, sha256: str, chunk_bytes: int, max_bytes: int | None = None) -> dict:
    """How much of the attachment the hub holds for this edge."""
    ref = _owned(edge_id, sha256)
    complete = store.blob(sha256).exists()
    if not complete:
        check_size(ref["size"], max_bytes)
    partial = store.partial(edge_id, sha256)
    received = ref["size"] if complete else (partial.stat().st_size if partial.exists() else 0)
    return {"sha256": sha256, "size": ref["size"], "received": received, "complete": complete,
            "chunk_bytes": chunk_bytes}


def parse_range(header: str | None, size: int, length: int) -> int:
    """The first byte of `Content-Range: bytes first-last/size`, checked against the body and the size."""
    match = _RANGE.fullmatch((header or "").strip())
    if not match:
        raise Refused(400, "bad_range", "send Content-Range: bytes <first>-<last>/<size> with each chunk")
    first, last, total = (int(group) for group in match.groups())
    if total != size:
        raise Refused(400, "bad_range", f"the submission names {size} bytes, Content-Range says {total}")
    if last < first or last - first + 1 != length or last >= size:
        raise Refused(400, "bad_range", f"Content-Range {first}-{last} does not match the {length} bytes sent "
                      f"within {size}")
    return first


def put(store: Store, edge_id: str, sha256: str, content_range: str | None, data: bytes, chunk_bytes: int,
        max_bytes: int | None = None) -> dict:
    """Append one chunk; after the last, check the hash and commit the file. With max_bytes
    (MAX_ATTACHMENT_BYTES), an attachment declared or received larger is refused with 413."""
    ref = _owned(edge_id, sha256)
    first = parse_range(content_range, ref["size"], len(data))
    with _lock(edge_id, sha256):
        if store.blob(sha256).exists():
            return status(store, edge_id, sha256, chunk_bytes)
        check_size(ref["size"], max_bytes)
        partial = store.partial(edge_id, sha256)
        received = partial.stat().st_size if partial.exists() else 0
        if first != received:
            raise Refused(409, "range_mismatch", f"the hub holds {received} bytes of this attachment: continue "
                          "from there", received=received)
        check_size(ref["size"], max_bytes, received + len(data))
        partial.parent.mkdir(parents=True, exist_ok=True)
        with open(partial, "ab") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if received + len(data) == ref["size"]:
            _commit(store, edge_id, ref, partial)
    return status(store, edge_id, sha256, chunk_bytes, max_bytes)


def _commit(store: Store, edge_id: str, ref: dict, partial: Path) -> None:
    with open(partial, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256")
    if digest.hexdigest() != ref["sha256"]:
        partial.unlink()
        log.warning("attachment from edge %s: bytes do not hash to %s; discarded", edge_id, ref["sha256"])
        raise Refused(422, "hash_mismatch", f"the {ref['size']} bytes received hash to {digest.hexdigest()}, not "
                      f"{ref['sha256']}: discarded, send it again from the start")
    final = store.blob(ref["sha256"])
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(partial, final)
    (StoredAttachment.insert(sha256=ref["sha256"], size=ref["size"], type=ref["type"], stored_at=timestamp(),
                             edge=edge_id).on_conflict_ignore().execute())
    log.info("attachment %s from edge %s stored (%d bytes)", ref["sha256"], edge_id, ref["size"])
