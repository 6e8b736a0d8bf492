"""Check-ins received from phones, nonces handed to them, and what a worker reads. No Flask here.

A phone sends a check-in as a `checkin` change of its sync (hub/sync/changes.py), its photo uploaded first
through the phones' resumable uploads (hub/sync/uploads.py):

    {"id": the check-in's id (a UUID), "kind": "checkin",
     "body": {"jws": the compact JWS of the canonical document (wire/checkin.py),
              "attachments": [the document's photo: {"sha256", "type", "bytes"}],
              "webauthn": the owner's assertion (optional, hub/checkins/owner.py)}}

Every check-in leaves a row, whatever it holds (docs/checkins.md, "What the hub checks"):
- refused: it cannot be trusted as the phone's: the JWS does not verify with this phone's key (the photo's
  hash, the GPS fix or the time changed after signing, or another key signed it), it is not a JWS, its id,
  person or key is not this change's, or the photo sent is not the one signed. The row keeps what it claimed
  and why it was refused; the sync accepts the change (the hub holds it: sending it again changes nothing)
  and the phone reads the outcome from GET /v1/phone/checkins.
- flagged: it verifies, and something needs a human's eye (hub/checkins/evidence.py): kept with the flags.
- accepted: it verifies, and nothing was flagged.
The sync's own rule applies before: the same id and content again is stored once, the same id with other
content refused as a conflict. A verified check-in whose photo is not all on the hub yet is refused
`attachment_incomplete` (nothing stored; the phone uploads the rest and sends it again).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from hub.checkins import evidence, owner, schedules
from hub.checkins.models import ACCEPTED, FLAGGED, REFUSED, Checkin, CheckinNonce
from hub.phones.models import Phone
from hub.phones.service import Caller
from hub.refusals import Refused
from hub.sync.models import PhoneUpload
from provisioning import signatures
from wire import checkin as wire
from wire.records import timestamp

RECENT = 20
"""How many of its latest check-ins a phone is told the outcome of."""


def issue_nonce(caller: Caller, now: datetime | None = None) -> CheckinNonce:
    """A fresh nonce for this phone: a check-in carrying it was made after now."""
    return CheckinNonce.create(nonce=secrets.token_urlsafe(24), key_id=caller.key_id, person=caller.person_id,
                               issued_at=timestamp(now or datetime.now(UTC)))


def _utc(text: str) -> str | None:
    """The phone's time as the hub writes times (UTC, milliseconds, Z), so they sort and compare; None if it is
    not an RFC 3339 time."""
    try:
        return timestamp(wire.parse_time(text)) if wire.TIME.fullmatch(text) else None
    except ValueError:
        return None


def _refused(caller: Caller, checkin_id: str, jws, claimed: dict | None, code: str, text: str,
             now: datetime) -> Checkin:
    claimed = claimed if isinstance(claimed, dict) else {}
    photo = claimed.get("photo") if isinstance(claimed.get("photo"), dict) else {}
    device_time = claimed.get("device_time")
    return Checkin.create(
        checkin_id=checkin_id, person=caller.person_id, key_id=caller.key_id, outcome=REFUSED,
        reasons=json.dumps([{"code": code, "text": text}]), document=json.dumps(claimed, ensure_ascii=False)[:20000],
        jws=str(jws or "")[:wire.MAX_JWS_CHARS], slot=str(claimed.get("slot") or "")[:48] or None,
        device_time=_utc(device_time) if isinstance(device_time, str) else None,
        received_at=timestamp(now), photo_sha256=str(photo.get("sha256") or "")[:64] or None)


def _photo_complete(caller: Caller, ref: dict) -> None:
    row = PhoneUpload.get_or_none((PhoneUpload.person == caller.person_id) & (PhoneUpload.sha256 == ref["sha256"]))
    if row is None or row.completed_at is None:
        raise Refused(409, "attachment_incomplete", f"the check-in's photo ({ref['sha256']}) is not all on the hub "
                      f"yet: ask GET /v1/phone/uploads/{ref['sha256']} how much it holds, upload the rest, then send "
                      "this check-in again with the same id")


def _facts(caller: Caller, document: dict, now: datetime, owner_flags) -> evidence.Facts:
    nonce = CheckinNonce.get_or_none((CheckinNonce.nonce == document["nonce"][:64])
                                     & (CheckinNonce.key_id == caller.key_id))
    found = schedules.find_slot(document["slot"])
    mine = found is not None and found[0].person_id == caller.person_id
    schedule, slot = found if mine else (None, None)
    earlier = [json.loads(row.document)["counter"] for row in Checkin.select(Checkin.document).where(
        (Checkin.key_id == caller.key_id) & (Checkin.outcome != REFUSED)
        & (Checkin.device_time < _utc(document["device_time"])))]
    return evidence.Facts(
        received_at=now, nonce_issued_at=wire.parse_time(nonce.issued_at) if nonce else None, slot=slot,
        place=(schedule.lat, schedule.lon, schedule.radius_m) if schedule else None,
        slot_known=document["slot"] is None or mine, previous_counter=max(earlier) if earlier else None,
        owner=owner_flags)


def receive(caller: Caller, checkin_id: str, body: dict, config, now: datetime | None = None) -> Checkin:
    """Check and keep one check-in (inside the sync's transaction); Refused only for a photo not all up."""
    now = now or datetime.now(UTC)
    jws = body.get("jws")
    try:
        _header, claimed = wire.unverified(jws)
    except wire.CheckinError as exc:
        return _refused(caller, checkin_id, jws, None, exc.code, exc.reason, now)
    phone = Phone.get(Phone.key_id == caller.key_id)
    try:
        document = wire.verify(jws, signatures.load_jwk(json.loads(phone.jwk)), caller.key_id)
    except wire.CheckinError as exc:
        return _refused(caller, checkin_id, jws, claimed, exc.code, exc.reason, now)
    if document["checkin_id"] != checkin_id:
        return _refused(caller, checkin_id, jws, claimed, "id_mismatch", "the signed check-in's id is not the id it "
                        "was sent with: a signed check-in cannot be sent again as another one", now)
    if document["person"] != caller.person_id or document["key_id"] != caller.key_id:
        return _refused(caller, checkin_id, jws, claimed, "wrong_person", "the signed check-in names another person "
                        "or phone than the one that sent it", now)
    if body.get("attachments") != [document["photo"]]:
        return _refused(caller, checkin_id, jws, claimed, "photo_mismatch", "the photo sent with it is not the one "
                        "the phone signed (its SHA-256, type or size differ): the photo was changed after signing", now)
    _photo_complete(caller, document["photo"])
    confirmed, owner_flags = owner.check(caller, document, body.get("webauthn"), config)
    found = evidence.flags(document, _facts(caller, document, now, owner_flags))
    return Checkin.create(
        checkin_id=checkin_id, person=caller.person_id, key_id=caller.key_id, outcome=FLAGGED if found else ACCEPTED,
        reasons=json.dumps([{"code": code, "text": text} for code, text in found]),
        document=wire.canonical(document).decode(), jws=jws, slot=document["slot"],
        device_time=_utc(document["device_time"]), received_at=timestamp(now), photo_sha256=document["photo"]["sha256"],
        owner_confirmed=confirmed)


def outcomes(key_id: str) -> list[dict]:
    """This phone's latest check-ins and what became of them (the phone's own list)."""
    rows = (Checkin.select().where(Checkin.key_id == key_id).order_by(Checkin.received_at.desc()).limit(RECENT))
    return [{"checkin_id": row.checkin_id, "outcome": row.outcome, "received_at": row.received_at,
             "reasons": [r["text"] for r in json.loads(row.reasons)]} for row in rows]


@dataclass(frozen=True)
class Shown:
    row: Checkin
    document: dict
    reasons: list[dict]
    drift: str | None
    distance_m: float | None
    radius_m: int | None

    @property
    def gps(self) -> dict:
        return self.document.get("gps") if isinstance(self.document.get("gps"), dict) else {}


def of_person(person_id: str) -> list[Shown]:
    """The person's check-ins, newest first, with what the worker's page shows of each."""
    shown = []
    for row in Checkin.select().where(Checkin.person == person_id).order_by(Checkin.received_at.desc()):
        document, place = json.loads(row.document), None
        found = schedules.find_slot(row.slot)
        if found is not None and found[0].person_id == person_id:
            place = (found[0].lat, found[0].lon, found[0].radius_m)
        try:
            away = evidence.distance(document, place) if row.outcome != REFUSED else None
        except (KeyError, TypeError):
            away = None
        shown.append(Shown(row, document, json.loads(row.reasons),
                           evidence.drift(row.device_time, row.received_at) if row.device_time else None,
                           away, place[2] if place else None))
    return shown


def one(person_id: str, checkin_id: str) -> Checkin | None:
    row = Checkin.get_or_none(Checkin.checkin_id == str(checkin_id or "")[:64])
    return row if row is not None and row.person_id == person_id else None


def review(person_id: str, checkin_id: str, by: str, now: datetime | None = None) -> Checkin:
    """A worker has looked at it: its photo's keeping time runs from now (hub/checkins/retention.py)."""
    row = one(person_id, checkin_id)
    if row is None:
        raise Refused(404, "unknown_checkin", "no such check-in of this person's")
    if row.reviewed_at is None:
        Checkin.update(reviewed_at=timestamp(now or datetime.now(UTC)), reviewed_by=by[:80]).where(
            Checkin.checkin_id == row.checkin_id).execute()
    return Checkin.get(Checkin.checkin_id == row.checkin_id)
