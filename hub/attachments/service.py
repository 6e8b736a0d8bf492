"""Attachments edges forward after the submissions naming them: stored once, by SHA-256.

No Flask here: service functions raise hub.refusals.Refused, hub/attachments/api.py answers.

An edge may upload (and ask about) only an attachment that one of its own stored
assignment_submission records names, and then only with the size that record gives
(hub/attachments/grants.py). Bytes arrive in order, each request continuing where the hub's copy
ends (`Content-Range`), so an interrupted upload resumes and a repeated chunk changes nothing.
After the last byte the hub checks the hash; only then is the file moved into the store:

    <ATTACHMENTS_DIR>/partial/<edge>/<sha256>        while uploading (hub/attachments/uploads.py)
    <ATTACHMENTS_DIR>/sha256/<first 2 hex>/<sha256>  once complete (one file however many edges send it)
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from hub.attachments import grants, uploads
from hub.attachments.models import MODELS, AttachmentGrant, StoredAttachment
from hub.refusals import Refused
from wire.records import timestamp

__all__ = ["MODELS", "AttachmentGrant", "Rules", "Store", "StoredAttachment", "check_size", "put", "status"]

log = logging.getLogger("hub.attachments.service")

_RANGE = re.compile(r"bytes (\d{1,15})-(\d{1,15})/(\d{1,15})")


@dataclass(frozen=True)
class Rules:
    """The hub's settings for attachments (hub/config.py)."""

    chunk_bytes: int = 4 * 1024 * 1024
    max_bytes: int | None = None
    uploads_per_edge: int = 4
    min_free_bytes: int = 0

    @classmethod
    def from_config(cls, config) -> Rules:
        return cls(config["MAX_ATTACHMENT_CHUNK_BYTES"], config["MAX_ATTACHMENT_BYTES"],
                   config["MAX_ATTACHMENT_UPLOADS_PER_EDGE"], config["ATTACHMENTS_MIN_FREE_BYTES"])


class Store:
    """The attachments folder (the ATTACHMENTS_DIR setting)."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def partial(self, edge_id: str, sha256: str) -> Path:
        return self.root / "partial" / edge_id / sha256

    def blob(self, sha256: str) -> Path:
        return self.root / "sha256" / sha256[:2] / sha256


def _owned(edge_id: str, sha256: str) -> dict:
    ref = grants.grant(edge_id, sha256)
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
        size = f"{'at least ' if declared >= grants.BIGINT_MAX else ''}{declared} bytes"
        raise Refused(413, "too_large", f"the submission names an attachment of {size}; this hub "
                      f"stores attachments of at most {max_bytes} bytes (MAX_ATTACHMENT_BYTES): set the edge's "
                      "attachments.max_bytes no higher than that, or raise the hub's limit")
    if received > max_bytes:
        raise Refused(413, "too_large", f"{received} bytes of this attachment would be over this hub's limit of "
                      f"{max_bytes} bytes (MAX_ATTACHMENT_BYTES)")


def status(store: Store, edge_id: str, sha256: str, rules: Rules) -> dict:
    """How much of the attachment the hub holds for this edge."""
    ref = _owned(edge_id, sha256)
    complete = store.blob(sha256).exists()
    if not complete:
        check_size(ref["size"], rules.max_bytes)
    partial = store.partial(edge_id, sha256)
    received = ref["size"] if complete else (partial.stat().st_size if partial.exists() else 0)
    return {"sha256": sha256, "size": ref["size"], "received": received, "complete": complete,
            "chunk_bytes": rules.chunk_bytes}


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


def put(store: Store, edge_id: str, sha256: str, content_range: str | None, data: bytes, rules: Rules) -> dict:
    """Append one chunk; after the last, check the hash and commit the file. An attachment declared or
    received larger than rules.max_bytes (MAX_ATTACHMENT_BYTES) is refused with 413."""
    ref = _owned(edge_id, sha256)
    first = parse_range(content_range, ref["size"], len(data))
    with uploads.held(edge_id, sha256):
        if store.blob(sha256).exists():
            return status(store, edge_id, sha256, rules)
        check_size(ref["size"], rules.max_bytes)
        partial = store.partial(edge_id, sha256)
        received = partial.stat().st_size if partial.exists() else None
        if first != (received or 0):
            raise Refused(409, "range_mismatch", f"the hub holds {received or 0} bytes of this attachment: continue "
                          "from there", received=received or 0)
        check_size(ref["size"], rules.max_bytes, first + len(data))
        uploads.check_room(store.root, len(data), rules.min_free_bytes)
        if received is None:
            uploads.start(partial, edge_id, rules.uploads_per_edge)
        with open(partial, "ab") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if first + len(data) == ref["size"]:
            _commit(store, edge_id, ref, partial)
        return status(store, edge_id, sha256, rules)  # as this chunk left it (a newer upload may discard it later)


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
    from hub.forms import from_edges  # (which reads this store)

    from_edges.with_file(ref["sha256"])  # a tablet's form submission waiting for this file is stored now
