"""How long a check-in's photo is kept, per outcome, and the purge that deletes what is due (docs/checkins.md,
"Retention"). The rule is pure (`photo_due`: a check-in and a moment in, a moment out); `purge(now, store)` is
the only I/O, run daily by `hub run` (hub/checkins/job.py) and on demand by `throughgate hub checkins retention`.

The photo goes; the check-in's row stays: the signed document (with the photo's SHA-256), the JWS, the
outcome and flags, the review. Nonces are kept NONCE_KEEP: long enough for a phone offline for weeks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hub import db
from hub.checkins.models import ACCEPTED, FLAGGED, REFUSED, Checkin, CheckinNonce
from hub.forms.models import FormAttachment
from hub.sync.models import MessageAttachment, PhoneUpload
from wire.checkin import parse_time
from wire.records import timestamp

AFTER_REVIEW = {ACCEPTED: timedelta(days=14), FLAGGED: timedelta(days=90)}
"""Once a worker has reviewed it: an accepted check-in's photo is kept 14 days more, a flagged one's 90."""
UNREVIEWED = {ACCEPTED: timedelta(days=60), FLAGGED: timedelta(days=180)}
"""Never reviewed: kept this long after receipt, then deleted all the same (no photo is kept for good)."""
REFUSED_PHOTO = timedelta(days=28)
"""A refused check-in's photo (its claims cannot be trusted): 28 days after receipt, reviewed or not."""
NONCE_KEEP = timedelta(days=90)

RULES = (
    ("accepted, reviewed", "photo deleted 14 days after a worker reviewed it"),
    ("accepted, not reviewed", "photo deleted 60 days after it was received"),
    ("flagged, reviewed", "photo deleted 90 days after a worker reviewed it"),
    ("flagged, not reviewed", "photo deleted 180 days after it was received"),
    ("refused", "photo (if it came) deleted 28 days after it was received"),
    ("every outcome", "the check-in's signed document, photo SHA-256, JWS, outcome, flags and review stay"),
)
"""The rule in words: docs/checkins.md's Retention table and `hub checkins retention` show it."""


def photo_due(row: Checkin) -> datetime | None:
    """When this check-in's photo is to be deleted (None: it has none, or it is gone)."""
    if row.photo_sha256 is None or row.photo_deleted_at is not None:
        return None
    if row.outcome == REFUSED:
        return parse_time(row.received_at) + REFUSED_PHOTO
    if row.reviewed_at is not None:
        return parse_time(row.reviewed_at) + AFTER_REVIEW[row.outcome]
    return parse_time(row.received_at) + UNREVIEWED[row.outcome]


@dataclass(frozen=True)
class Purged:
    photos: int
    nonces: int


def _still_needed(person_id: str, sha256: str) -> bool:
    """Another item of the person's still holds the same bytes (a message, a form, a check-in kept)."""
    if MessageAttachment.select().join_from(MessageAttachment, MessageAttachment.message.rel_model).where(
            (MessageAttachment.sha256 == sha256)
            & (MessageAttachment.message.rel_model.person == person_id)).exists():
        return True
    if FormAttachment.select().join_from(FormAttachment, FormAttachment.submission.rel_model).where(
            (FormAttachment.sha256 == sha256) & (FormAttachment.submission.rel_model.person == person_id)).exists():
        return True
    return Checkin.select().where((Checkin.person == person_id) & (Checkin.photo_sha256 == sha256)
                                  & Checkin.photo_deleted_at.is_null()).exists()


def purge(now: datetime, store) -> Purged:
    """Delete every photo due at `now` (its sealed file, and the upload's row when nothing else holds it);
    `store` is hub/sync/uploads.py's Store."""
    rows = list(Checkin.select().where(Checkin.photo_sha256.is_null(False) & Checkin.photo_deleted_at.is_null()))
    photos = 0
    for row in rows:
        due = photo_due(row)
        if due is None or due > now:
            continue
        with db.proxy.atomic():
            Checkin.update(photo_deleted_at=timestamp(now)).where(Checkin.checkin_id == row.checkin_id).execute()
            if not _still_needed(row.person_id, row.photo_sha256):
                PhoneUpload.delete().where((PhoneUpload.person == row.person_id)
                                           & (PhoneUpload.sha256 == row.photo_sha256)).execute()
                store.blob(row.person_id, row.photo_sha256).unlink(missing_ok=True)
        photos += 1
    nonces = CheckinNonce.delete().where(CheckinNonce.issued_at < timestamp(now - NONCE_KEEP)).execute()
    return Purged(photos, nonces)
