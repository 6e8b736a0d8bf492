"""Chunked, resumable uploads from tablets. No Flask here: arguments in, (HTTP status, JSON body) out.

    put_chunk  store chunk n of an upload; the same bytes again change nothing (200), different
               bytes for a held chunk are refused (409 chunk_conflict)
    status     which chunks are held, so a tablet resumes after a dropped connection
    finish     check the chunks, the limits and the hash, then commit the whole file

An upload belongs to the device that sent its first chunk: to any other device it does not exist
(404 not_found, the same answer as for an id never used).
"""

from __future__ import annotations

import hashlib
import math

import peewee as pw

from edge.attachments.store import COMPLETE, Attachment, AttachmentChunk, Files, Limits, discard, pending, write_file
from edge.store import utcnow, writing
from wire.learning import name_problem, valid_media_type, valid_sha256, valid_uuid


def error(code: str, reason: str, **extra) -> dict:
    return {"error": code, "reason": reason, **extra}


NOT_FOUND = (404, error("not_found", "no such attachment for this tablet"))


def _own(device: str, attachment_id: str) -> Attachment | None:
    row = Attachment.get_or_none(Attachment.id == attachment_id)
    return row if row is not None and row.device == device else None


def describe(row: Attachment) -> dict:
    chunks = [c.n for c in AttachmentChunk.select(AttachmentChunk.n)
              .where(AttachmentChunk.attachment == row.id).order_by(AttachmentChunk.n)]
    held = (AttachmentChunk.select(pw.fn.COALESCE(pw.fn.SUM(AttachmentChunk.size), 0))
            .where(AttachmentChunk.attachment == row.id).scalar())
    body = {"id": row.id, "state": row.state, "chunk_bytes": row.chunk_bytes, "chunks": chunks, "bytes": int(held)}
    if row.state == COMPLETE:
        body.update(sha256=row.sha256, size=row.size, type=row.type, name=row.name)
    return body


def status(device: str, attachment_id: str) -> tuple[int, dict]:
    row = _own(device, attachment_id) if valid_uuid(attachment_id) else None
    return (200, describe(row)) if row is not None else NOT_FOUND


def put_chunk(files: Files, limits: Limits, device: str, attachment_id: str, n: int,
              data: bytes) -> tuple[int, dict]:
    if not valid_uuid(attachment_id):
        return 400, error("bad_request", "an attachment id is a UUID in canonical lower-case form, made by the tablet")
    row = Attachment.get_or_none(Attachment.id == attachment_id)
    if row is not None and row.device != device:
        return NOT_FOUND
    chunk_bytes = row.chunk_bytes if row is not None else limits.chunk_bytes
    if not 0 < len(data) <= chunk_bytes:
        return 413 if data else 400, error("too_large" if data else "bad_request",
                                           f"a chunk is 1 to {chunk_bytes} bytes; this one is {len(data)}")
    if n * chunk_bytes + len(data) > limits.max_bytes:
        return 413, error("too_large", f"chunk {n} reaches past {limits.max_bytes} bytes, the largest attachment "
                          "this edge takes (GET /v1/attachments/limits)")
    digest = hashlib.sha256(data).hexdigest()
    held = AttachmentChunk.get_or_none(AttachmentChunk.attachment == attachment_id, AttachmentChunk.n == n)
    if held is not None:
        return _again(held, digest, n)
    if row is not None and row.state == COMPLETE:
        return 409, error("already_finished", f"attachment {attachment_id} is finished: it takes no new chunks")
    if row is None:
        refused = _open(limits, device, attachment_id, chunk_bytes)
        if refused is not None:
            return refused
    write_file(files.chunk(attachment_id, n, digest), data)
    try:
        with writing():
            AttachmentChunk.create(attachment=attachment_id, n=n, size=len(data), sha256=digest)
            Attachment.update(touched=utcnow()).where(Attachment.id == attachment_id).execute()
    except pw.IntegrityError:  # the same chunk arrived twice at once: compare with the one stored
        return _again(AttachmentChunk.get(AttachmentChunk.attachment == attachment_id, AttachmentChunk.n == n),
                      digest, n)
    return 201, {"id": attachment_id, "chunk": n, "size": len(data), "sha256": digest, "stored": True}


def _open(limits: Limits, device: str, attachment_id: str, chunk_bytes: int) -> tuple[int, dict] | None:
    """Open a new upload for `device`, or say why not. The count of its open uploads and the new row
    are one immediate transaction: parallel first chunks cannot all see room for one more (an
    independent probe had 39 of 80 accepted against a limit of 20 when the count came first)."""
    with writing():
        row = Attachment.get_or_none(Attachment.id == attachment_id)
        if row is not None:  # another request with this id got here first
            return None if row.device == device else NOT_FOUND
        opened = pending(device)
        if opened >= limits.max_open:
            return 429, error("too_many_uploads", f"this tablet has {opened} uploads unfinished or named by no "
                              "submission yet, the most this edge allows: finish them and send their submission "
                              "first")
        now = utcnow()
        Attachment.insert(id=attachment_id, device=device, chunk_bytes=chunk_bytes, created=now,
                          touched=now).execute()
    return None


def _again(held: AttachmentChunk, digest: str, n: int) -> tuple[int, dict]:
    if held.sha256 != digest:
        return 409, error("chunk_conflict", f"chunk {n} is already held with other bytes (SHA-256 {held.sha256}): "
                          "a chunk never changes; start a new attachment id if the file changed")
    return 200, {"id": held.attachment, "chunk": n, "size": held.size, "sha256": digest, "stored": False}


def _finish_fields(body, limits: Limits) -> tuple[int, dict] | None:
    """Why the finish request cannot be accepted as sent, or None."""
    if not isinstance(body, dict) or set(body) != {"sha256", "size", "type", "name"}:
        return 400, error("bad_request", "send JSON {\"sha256\", \"size\", \"type\", \"name\"}")
    if not valid_sha256(body["sha256"]):
        return 400, error("bad_request", "'sha256' is 64 lower-case hex digits")
    if type(body["size"]) is not int or body["size"] < 1:
        return 400, error("bad_request", "'size' is a whole number of bytes from 1")
    if body["size"] > limits.max_bytes:
        return 413, error("too_large", f"the attachment is {body['size']} bytes; this edge takes at most "
                          f"{limits.max_bytes}")
    if not valid_media_type(body["type"]) or body["type"] not in limits.types:
        return 415, error("type_not_allowed", f"type {body['type']!r} is not one this edge takes: "
                          f"{', '.join(limits.types)}")
    problem = name_problem(body["name"])
    return (400, error("bad_request", f"'name': {problem}")) if problem else None


def _finished_before(row: Attachment, body: dict) -> tuple[int, dict]:
    if (row.sha256, row.size, row.type, row.name) == (body["sha256"], body["size"], body["type"], body["name"]):
        return 200, describe(row)  # finished before; the answer was lost, or it was sent twice at once
    return 409, error("already_finished", f"attachment {row.id} was finished with other details")


def finish(files: Files, limits: Limits, device: str, attachment_id: str, body) -> tuple[int, dict]:
    row = _own(device, attachment_id) if valid_uuid(attachment_id) else None
    if row is None:
        return NOT_FOUND
    refused = _finish_fields(body, limits)
    if refused:
        return refused
    if row.state == COMPLETE:
        return _finished_before(row, body)
    count = math.ceil(body["size"] / row.chunk_bytes)
    chunks = {c.n: c for c in AttachmentChunk.select().where(AttachmentChunk.attachment == attachment_id)}
    sizes = {n: c.size for n, c in chunks.items()}
    missing = [n for n in range(count) if n not in sizes]
    if missing:
        return 409, error("chunks_missing", f"{len(missing)} of {count} chunks are not here yet: send them, then "
                          "finish again", missing=missing[:1000])
    expected = {n: min(row.chunk_bytes, body["size"] - n * row.chunk_bytes) for n in range(count)}
    if sizes != expected:
        return 409, error("size_mismatch", f"the chunks held do not make {body['size']} bytes in chunks of "
                          f"{row.chunk_bytes}: start again with a new attachment id")
    try:
        temporary, digest = files.assemble(attachment_id, [chunks[n].sha256 for n in range(count)])
    except FileNotFoundError:  # the same finish, sent again, ran alongside and has committed (or discarded)
        row = _own(device, attachment_id)
        if row is None or row.state != COMPLETE:
            return NOT_FOUND if row is None else (409, error("finish_running", "this upload is being finished "
                                                             "by another request: ask for its state, or finish "
                                                             "again"))
        return _finished_before(row, body)
    if digest != body["sha256"]:
        temporary.unlink()
        discard(files, attachment_id)
        return 422, error("hash_mismatch", f"the chunks make a file with SHA-256 {digest}, not {body['sha256']}; "
                          "the upload was discarded: send it again")
    files.commit(temporary, digest)
    with writing():
        (Attachment.update(state=COMPLETE, sha256=digest, size=body["size"], type=body["type"], name=body["name"],
                           completed=utcnow())
         .where(Attachment.id == attachment_id).execute())
    files.drop_partial(attachment_id)
    return 200, describe(Attachment.get(Attachment.id == attachment_id))
