"""Photos and voice notes from a person's phone: uploaded in chunks, resumable, sealed at rest.

No Flask here: service functions raise hub.refusals.Refused, hub/sync/uploads_api.py answers.

It is the edges' upload machinery (hub/attachments): `Content-Range` chunks in order, each continuing
where the hub's copy ends (a repeated chunk changes nothing, a cut one is sent again), one request at a
time per upload (`uploads.held`), at most PHONE_UPLOADS_PER_PHONE unfinished uploads per phone (the
least recently written is discarded, `uploads.start`), at most PHONE_UPLOAD_BYTES_PER_DAY begun in 24
hours by one person's phones (`_check_quota`), the ATTACHMENTS_MIN_FREE_BYTES floor
(`uploads.check_room`), and the hash checked after the last byte. What differs for a phone:

- the first chunk's bytes must be the photo or voice note its `Content-Type` says (wire/media.py, by
  magic bytes), within PHONE_PHOTO_MAX_BYTES or PHONE_VOICE_MAX_BYTES;
- the bytes are sealed as they arrive (hub/sync/sealed.py): a chunk is a whole number of 64 KiB
  segments, but for the last;
- they are the person's own: another person's phone neither finds nor reads them, even with the hash.

    <ATTACHMENTS_DIR>/phones/<phone key id>/<sha256>              while uploading
    <ATTACHMENTS_DIR>/people/<person id>/<first 2 hex>/<sha256>   once complete
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from peewee import fn

from hub import db
from hub.attachments import uploads
from hub.attachments.service import parse_range
from hub.phones.service import Caller
from hub.refusals import Refused
from hub.sync import sealed
from hub.sync.models import PhoneUpload
from wire import media
from wire.records import timestamp, valid_sha256

log = logging.getLogger("hub.sync.uploads")
_TOTAL = re.compile(r"bytes \d{1,15}-\d{1,15}/(\d{1,15})")


@dataclass(frozen=True)
class Rules:
    """The hub's settings for phones' uploads (hub/config.py)."""

    chunk_bytes: int = 256 * 1024
    photo_bytes: int = 10 * 1024 * 1024
    voice_bytes: int = 5 * 1024 * 1024
    uploads_per_phone: int = 3
    min_free_bytes: int = 0
    bytes_per_day: int = 100 * 1024 * 1024

    @classmethod
    def from_config(cls, config) -> Rules:
        return cls(config["PHONE_UPLOAD_CHUNK_BYTES"], config["PHONE_PHOTO_MAX_BYTES"],
                   config["PHONE_VOICE_MAX_BYTES"], config["PHONE_UPLOADS_PER_PHONE"],
                   config["ATTACHMENTS_MIN_FREE_BYTES"], config["PHONE_UPLOAD_BYTES_PER_DAY"])

    def most(self, kind: str) -> int:
        return self.photo_bytes if kind == media.PHOTO else self.voice_bytes


class Store:
    """The attachments folder (ATTACHMENTS_DIR) and the key the person's files are sealed with."""

    def __init__(self, root: str | os.PathLike, key_file: str | os.PathLike):
        self.root, self.key_file = Path(root), Path(key_file)

    @property
    def key(self) -> bytes:
        return sealed.master_key(self.key_file)

    def partial(self, key_id: str, sha256: str) -> Path:
        return self.root / "phones" / key_id / sha256

    def blob(self, person_id: str, sha256: str) -> Path:
        return self.root / "people" / person_id / sha256[:2] / sha256


def _owner(caller: Caller) -> str:
    return f"phone:{caller.key_id}"


def _hash(sha256: str) -> str:
    if not valid_sha256(sha256):
        raise Refused(400, "bad_request", "name the file by its SHA-256: 64 lower-case hex digits")
    return sha256


def status(store: Store, caller: Caller, sha256: str, rules: Rules) -> dict:
    """How much of this file the hub holds from this person (0 for a file it has not seen)."""
    sha256 = _hash(sha256)
    row = PhoneUpload.get_or_none((PhoneUpload.person == caller.person_id) & (PhoneUpload.sha256 == sha256))
    complete = row is not None and row.completed_at is not None and store.blob(caller.person_id, sha256).exists()
    partial = store.partial(caller.key_id, sha256)
    received = row.bytes if complete else (sealed.plain_size(partial.stat().st_size) if partial.exists() else 0)
    return {"sha256": sha256, "received": received, "bytes": row.bytes if row else None,
            "type": row.media_type if row else None, "complete": complete, "chunk_bytes": rules.chunk_bytes}


def _declared(content_range: str | None, media_type: str | None, rules: Rules) -> tuple[int, str, str]:
    match = _TOTAL.fullmatch((content_range or "").strip())
    if not match:
        raise Refused(400, "bad_range", "send Content-Range: bytes <first>-<last>/<size> with each chunk")
    media_type = str(media_type or "").split(";", 1)[0].strip().lower()
    kind = media.kind_of(media_type)
    if kind is None:
        raise Refused(415, "unsupported_type", f"send {media.WHAT_WE_TAKE}, with its media type as Content-Type "
                      "(image/jpeg, image/png, image/webp, audio/ogg, audio/webm, audio/mp4 or audio/amr)")
    size = int(match[1])
    if size > rules.most(kind):
        smaller = ("make the photo smaller (a lower resolution), or crop it" if kind == media.PHOTO else
                   "record a shorter voice note, or say it in two")
        raise Refused(413, "too_large", f"this {kind} is {size} bytes; the most a {kind} may be is {rules.most(kind)} "
                      f"bytes: {smaller}, then send it again", most=rules.most(kind))
    return size, media_type, kind


def _check_first(data: bytes, media_type: str, kind: str) -> None:
    found = media.sniff(data[:media.HEAD])
    if found is None:
        raise Refused(415, "not_photo_or_voice", f"this file is not {media.WHAT_WE_TAKE} (whatever its name says): "
                      "choose a photo or record a voice note, and send that")
    if found != media_type:
        raise Refused(415, "wrong_type", f"this file is a {media.NAMES[found]}, not {media_type}: send it again with "
                      f"Content-Type {found}", type=found)


def put(store: Store, caller: Caller, sha256: str, content_range: str | None, media_type: str | None, data: bytes,
        rules: Rules) -> dict:
    """Append one chunk; after the last, check the hash and keep the file as the person's."""
    sha256 = _hash(sha256)
    size, media_type, kind = _declared(content_range, media_type, rules)
    first = parse_range(content_range, size, len(data))
    with uploads.held(_owner(caller), sha256):
        done = status(store, caller, sha256, rules)
        if done["complete"]:
            return done
        partial = store.partial(caller.key_id, sha256)
        received = sealed.plain_size(partial.stat().st_size) if partial.exists() else None
        if first != (received or 0):
            raise Refused(409, "range_mismatch", f"the hub holds {received or 0} bytes of this file: continue from "
                          "there", received=received or 0)
        if first + len(data) < size and len(data) % sealed.SEGMENT:
            raise Refused(400, "bad_chunk", f"send chunks of a whole number of {sealed.SEGMENT} bytes (the hub "
                          f"suggests {rules.chunk_bytes}), but for the file's last")
        if received is None:
            _check_first(data, media_type, kind)
            _check_quota(caller, sha256, size, rules)
        else:
            row = PhoneUpload.get_or_none((PhoneUpload.person == caller.person_id) & (PhoneUpload.sha256 == sha256))
            if row is None or row.media_type != media_type or row.bytes != size:
                partial.unlink()  # begun as another file: it cannot be finished as this one
                raise Refused(409, "range_mismatch", "this upload began with another size or media type, and was "
                              "discarded: send the file from byte 0", received=0)
        uploads.check_room(store.root, sealed.stored_size(len(data)), rules.min_free_bytes)
        if received is None:
            try:
                uploads.start(partial, _owner(caller), rules.uploads_per_phone)
            except Refused as exc:
                raise Refused(429, "too_many_uploads", f"this phone is sending {rules.uploads_per_phone} other "
                              "files right now: send one file at a time") from exc
            _begin(caller, sha256, media_type, size)
        sealed.append(partial, store.key, sha256, first, data, size)
        if first + len(data) == size:
            _commit(store, caller, sha256, size, partial)
        return status(store, caller, sha256, rules)


def _check_quota(caller: Caller, sha256: str, size: int, rules: Rules) -> None:
    """Refused 429 when this file would take the person's uploads begun in the last 24 hours over
    PHONE_UPLOAD_BYTES_PER_DAY (a finished upload stays, message or not: without this, one phone could fill
    the attachments' disk for everyone). A file begun again counts once."""
    since = timestamp(datetime.now(UTC) - timedelta(days=1))
    used = (PhoneUpload.select(fn.COALESCE(fn.SUM(PhoneUpload.bytes), 0))
            .where((PhoneUpload.person == caller.person_id) & (PhoneUpload.started_at >= since)
                   & (PhoneUpload.sha256 != sha256)).scalar())
    if used + size > rules.bytes_per_day:
        raise Refused(429, "upload_quota", f"you have sent {used} bytes of photos and voice notes today; the most is "
                      f"{rules.bytes_per_day} bytes in 24 hours: send this one tomorrow", most=rules.bytes_per_day)


def _begin(caller: Caller, sha256: str, media_type: str, size: int) -> None:
    now = timestamp()
    with db.proxy.atomic():
        (PhoneUpload.insert(person=caller.person_id, sha256=sha256, key_id=caller.key_id, media_type=media_type,
                            bytes=size, started_at=now)
         .on_conflict(conflict_target=[PhoneUpload.person, PhoneUpload.sha256],
                      update={PhoneUpload.key_id: caller.key_id, PhoneUpload.media_type: media_type,
                              PhoneUpload.bytes: size, PhoneUpload.started_at: now, PhoneUpload.completed_at: None})
         .execute())


def _commit(store: Store, caller: Caller, sha256: str, size: int, partial: Path) -> None:
    digest = hashlib.sha256()
    for piece in sealed.read(partial, store.key, sha256):
        digest.update(piece)
    if digest.hexdigest() != sha256:
        partial.unlink()
        raise Refused(422, "hash_mismatch", f"the {size} bytes received hash to {digest.hexdigest()}, not {sha256}: "
                      "discarded; check the file's SHA-256, then send it again from byte 0")
    final = store.blob(caller.person_id, sha256)
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(partial, final)
    final.chmod(0o600)
    PhoneUpload.update(completed_at=timestamp()).where((PhoneUpload.person == caller.person_id)
                                                       & (PhoneUpload.sha256 == sha256)).execute()
    log.info("a phone's attachment of %d bytes stored", size)


_WANTED = re.compile(r"bytes=(\d{0,15})-(\d{0,15})")


def wanted_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The bytes `Range: bytes=first-last` (or `first-`, or `-suffix`) asks of a file of `size`,
    inclusive; None for no Range (the whole file). Refused 416 for one the file cannot satisfy."""
    if not header:
        return None
    match = _WANTED.fullmatch(header.strip())
    if not match or not (match[1] or match[2]):
        raise Refused(416, "bad_range", f"ask for one range, like Range: bytes=0-{max(size - 1, 0)}, or "
                      "bytes=<the bytes you hold>- to go on", bytes=size)
    if not match[1]:
        first, last = max(size - int(match[2]), 0), size - 1
    else:
        first, last = int(match[1]), min(int(match[2]) if match[2] else size - 1, size - 1)
    if first >= size or last < first:
        raise Refused(416, "bad_range", f"the file is {size} bytes: ask for a range within it", bytes=size)
    return first, last


def attachment_of(person_id: str, sha256: str):
    """The attachment (sha256, media_type, bytes) a message of this person's carries; None otherwise."""
    from hub.sync.models import Message, MessageAttachment

    if not valid_sha256(sha256):
        return None
    return (MessageAttachment.select().join(Message)
            .where((MessageAttachment.sha256 == sha256) & (Message.person == person_id)).first())


def keep_whole(store: Store, person_id: str, data: bytes, rules: Rules) -> dict:
    """A whole photo or voice note a worker sends the person: checked as a phone's are (its bytes, its
    size), sealed into the person's folder; {"sha256", "type", "bytes"} for the message."""
    found = media.sniff(data[:media.HEAD])
    if found is None:
        raise Refused(415, "not_photo_or_voice", f"this file is not {media.WHAT_WE_TAKE}, whatever its name says: "
                      "choose a photo or a voice note")
    kind = media.kind_of(found)
    if len(data) > rules.most(kind):
        raise Refused(413, "too_large", f"this {kind} is {len(data)} bytes; the most a {kind} may be is "
                      f"{rules.most(kind)} bytes: send a smaller one (the person pays for the data)")
    sha256 = hashlib.sha256(data).hexdigest()
    final = store.blob(person_id, sha256)
    if not final.exists():
        uploads.check_room(store.root, sealed.stored_size(len(data)), rules.min_free_bytes)
        final.parent.mkdir(parents=True, exist_ok=True)
        spare = final.with_name(f"{sha256}.{os.getpid()}.new")
        spare.unlink(missing_ok=True)
        sealed.append(spare, store.key, sha256, 0, data, len(data))
        spare.chmod(0o600)
        os.replace(spare, final)
    return {"sha256": sha256, "type": found, "bytes": len(data)}
