"""Attachments at the edge: their rows in the edge store and their bytes on disk.

    Attachment       one upload, by the tablet-made id: whose it is (device), uploading | complete,
                     and once complete what it holds (sha256, size, type, name) and when the hub
                     confirmed it has the bytes (forwarded)
    AttachmentChunk  the chunks held of an upload, each with its own SHA-256 (so a resent chunk is
                     recognised, and different bytes for a held chunk are refused)
    AttachmentUse    which submission records name which attachments (written in the relay's commit)

On disk (`EdgeConfig.attachments_dir`): `partial/<id>/<n>-<chunk sha256>` while uploading; then the whole file,
content-addressed, at `sha256/<first 2 hex>/<sha256>` (stored once however many uploads hold it).
Every file is written to a temporary name, synced and renamed, so a crash leaves either the old
state or the new one.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import peewee as pw

from edge.store import BaseModel, OutBatch, Received, utcnow, writing
from wire.learning import AttachmentRef
from wire.records import RecordError

UPLOADING, COMPLETE = "uploading", "complete"


class Attachment(BaseModel):
    id = pw.CharField(primary_key=True, max_length=36)
    device = pw.CharField(max_length=63, index=True)
    state = pw.CharField(max_length=12, default=UPLOADING)
    chunk_bytes = pw.IntegerField()  # fixed when the upload starts, whatever the limits become
    sha256 = pw.CharField(max_length=64, null=True, index=True)
    size = pw.BigIntegerField(null=True)
    type = pw.CharField(max_length=130, null=True)
    name = pw.TextField(null=True)
    created = pw.CharField(max_length=30)
    touched = pw.CharField(max_length=30, index=True)  # when its last chunk arrived
    completed = pw.CharField(max_length=30, null=True)
    forwarded = pw.CharField(max_length=30, null=True)
    hub_refused = pw.TextField(null=True)  # why the hub will never take it (e.g. over its size limit)

    class Meta:
        table_name = "attachment"


class AttachmentChunk(BaseModel):
    attachment = pw.CharField(max_length=36)
    n = pw.IntegerField()
    size = pw.IntegerField()
    sha256 = pw.CharField(max_length=64)

    class Meta:
        table_name = "attachment_chunk"
        primary_key = pw.CompositeKey("attachment", "n")


class AttachmentUse(BaseModel):
    record = pw.CharField(max_length=36)
    attachment = pw.CharField(max_length=36, index=True)

    class Meta:
        table_name = "attachment_use"
        primary_key = pw.CompositeKey("record", "attachment")


MODELS = (Attachment, AttachmentChunk, AttachmentUse)


@dataclass(frozen=True, slots=True)
class Limits:
    max_bytes: int
    chunk_bytes: int
    types: tuple[str, ...]
    max_open: int

    def to_dict(self) -> dict:
        return {"max_bytes": self.max_bytes, "chunk_bytes": self.chunk_bytes, "types": list(self.types)}

    @classmethod
    def of(cls, config) -> Limits:
        """From the edge's [attachments] settings (edge.config.AttachmentsConfig)."""
        return cls(config.max_bytes, config.chunk_bytes, config.allowed_types, config.max_open)


# files -------------------------------------------------------------------------------------

def write_file(path: Path, data: bytes) -> None:
    """Write, sync and rename into place: a crash leaves the whole file or none."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


class Files:
    """Where an attachment's bytes live under the attachments folder."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def chunk(self, attachment_id: str, n: int, sha256: str) -> Path:
        """Named by its hash too: two different chunks n sent at once never share a file."""
        return self.root / "partial" / attachment_id / f"{n}-{sha256}"

    def partial(self, attachment_id: str) -> Path:
        return self.root / "partial" / attachment_id

    def blob(self, sha256: str) -> Path:
        return self.root / "sha256" / sha256[:2] / sha256

    def assemble(self, attachment_id: str, chunks: list[str]) -> tuple[Path, str]:
        """Join the chunks (their hashes, in order) into a temporary file; returns it and its SHA-256.
        The file is this call's own: a finish sent again while the first still runs joins its own copy
        (one shared name let one overwrite, truncate or rename the other's). Raises FileNotFoundError,
        leaving nothing behind, when a chunk is gone (the other finish has committed and cleared them)."""
        digest = hashlib.sha256()
        target = self.root / "sha256" / f".{attachment_id}.{os.getpid()}.{threading.get_ident()}.tmp"
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(target, "wb") as out:
                for n, sha256 in enumerate(chunks):
                    with open(self.chunk(attachment_id, n, sha256), "rb") as piece:
                        while block := piece.read(1024 * 1024):
                            digest.update(block)
                            out.write(block)
                out.flush()
                os.fsync(out.fileno())
        except FileNotFoundError:
            target.unlink(missing_ok=True)
            raise
        return target, digest.hexdigest()

    def commit(self, temporary: Path, sha256: str) -> Path:
        final = self.blob(sha256)
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            temporary.unlink()  # the same bytes are already held: stored once
        else:
            os.replace(temporary, final)
        return final

    def drop_partial(self, attachment_id: str) -> None:
        shutil.rmtree(self.partial(attachment_id), ignore_errors=True)


# what the relay asks at intake -------------------------------------------------------------

def held(ids: list[str]) -> dict[str, Attachment]:
    return {row.id: row for row in Attachment.select().where(Attachment.id.in_(ids))}


def check_held(device: str, record_id: str, refs: tuple[AttachmentRef, ...], retry_s: float) -> None:
    """Raise RecordError("attachment_missing") unless every attachment a submission names is complete
    at this edge, uploaded by this device, with the hash and size the submission gives. With
    retry_after while one of them is still being uploaded (the tablet keeps the record and sends it
    again); without when one was never uploaded here (the tablet must upload it first)."""
    rows = held([ref.id for ref in refs])
    for ref in refs:
        row = rows.get(ref.id)
        if row is None or row.device != device:
            raise RecordError("attachment_missing", f"attachment {ref.id} was never uploaded to this edge by this "
                              "tablet: upload it (PUT /v1/attachments/<id>/chunks/<n>, then finish) and send the "
                              "submission again", record_id)
        if row.state != COMPLETE:
            raise RecordError("attachment_missing", f"attachment {ref.id} is still being uploaded: finish it; "
                              "the submission is kept and sent again", record_id, retry_after=retry_s)
        if (row.sha256, row.size) != (ref.sha256, ref.size):
            raise RecordError("attachment_missing", f"attachment {ref.id} at this edge holds {row.size} bytes with "
                              f"SHA-256 {row.sha256}, not what the submission names", record_id)


def link(uses: list[tuple[str, str]]) -> None:
    """Remember which submission names which attachment. Call inside the relay's writing()."""
    if uses:
        (AttachmentUse.insert_many([{"record": r, "attachment": a} for r, a in uses])
         .on_conflict_ignore().execute())


# what the uplink forwards ------------------------------------------------------------------

def waiting_for_hub() -> list[Attachment]:
    """Complete attachments not yet at the hub, named by a submission the hub has confirmed (its batch
    is delivered, or its row was already pruned, which happens only after delivery); one per hash."""
    delivered = (AttachmentUse.select(AttachmentUse.attachment)
                 .join(Received, pw.JOIN.LEFT_OUTER, on=(Received.id == AttachmentUse.record))
                 .join(OutBatch, pw.JOIN.LEFT_OUTER, on=(OutBatch.id == Received.batch))
                 .where(Received.id.is_null() | (OutBatch.state == "delivered")))
    rows = (Attachment.select()
            .where(Attachment.state == COMPLETE, Attachment.forwarded.is_null(), Attachment.hub_refused.is_null(),
                   Attachment.id.in_(delivered))
            .order_by(Attachment.completed))
    unique: dict[str, Attachment] = {}
    for row in rows:
        unique.setdefault(row.sha256, row)
    return list(unique.values())


def set_aside(sha256: str, reason: str) -> int:
    """The hub refused these bytes for good: stop offering them (the edge keeps them; the alarm says why)."""
    with writing():
        return (Attachment.update(hub_refused=reason[:2000])
                .where(Attachment.sha256 == sha256, Attachment.state == COMPLETE).execute())


def offer_again() -> int:
    """Forget the hub's refusals (its limit was raised): those attachments wait for the hub again."""
    with writing():
        return Attachment.update(hub_refused=None).where(Attachment.hub_refused.is_null(False)).execute()


def mark_forwarded(sha256: str) -> int:
    with writing():
        return (Attachment.update(forwarded=utcnow())
                .where(Attachment.sha256 == sha256, Attachment.state == COMPLETE).execute())


def _unnamed():
    """Complete attachments no submission names (yet)."""
    return (Attachment.state == COMPLETE) & Attachment.id.not_in(AttachmentUse.select(AttachmentUse.attachment))


def pending(device: str) -> int:
    """Uploads of this device that count against attachments.max_open: unfinished, or finished but
    named by no submission yet (else one tablet could finish attachments without end and fill the disk)."""
    return (Attachment.select()
            .where(Attachment.device == device, (Attachment.state == UPLOADING) | _unnamed()).count())


def abandon(files: Files, older_than: str) -> int:
    """Discard uploads that got no chunk since `older_than` (a tablet reset, say): their chunks and rows
    go, and they no longer count against the tablet's attachments.max_open. (Finished ones stay: the
    submission naming one may still be on its way from a tablet that was away.)"""
    stale = [row.id for row in Attachment.select(Attachment.id)
             .where(Attachment.state == UPLOADING, Attachment.touched < older_than)]
    for attachment_id in stale:
        discard(files, attachment_id)
    return len(stale)


def discard(files: Files, attachment_id: str) -> None:
    """Forget an unfinished upload: its chunks' rows and files."""
    with writing():
        AttachmentChunk.delete().where(AttachmentChunk.attachment == attachment_id).execute()
        Attachment.delete().where(Attachment.id == attachment_id, Attachment.state == UPLOADING).execute()
    files.drop_partial(attachment_id)
