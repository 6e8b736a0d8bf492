"""What a phone sends, applied exactly once. Each change carries the phone's own UUID: the same id
again is acknowledged and not applied twice (the phone did not hear the answer); the same id with
other content is refused as a conflict. Messages are append-only (docs/phone-sync.md, "Conflicts").

Kinds:
- `message`: {"to": a worker's name, or `team:` and a team's name (hub/teams), "text": 1 to MAX_TEXT
  characters, "written_at": RFC 3339}
- `read`: {"message": a message's id, "read_at": RFC 3339}: the person read a worker's message
- `reschedule`, `late`: the person asks to move an appointment, or says they are running late
  (hub/appointments/service.py: recorded, never applied to the worker's appointment)
"""

from __future__ import annotations

import hashlib
import json
import re

import peewee

from hub import db
from hub.appointments import service as appointments
from hub.phones.service import Caller
from hub.refusals import Refused
from hub.staff.models import StaffAccount
from hub.sync import feed
from hub.sync.models import Message, PersonChange, PhoneChange
from hub.teams import rules as team_rules
from hub.teams import service as teams
from wire.records import timestamp, timestamp_problem

MAX_TEXT = 4000
MAX_CHANGES = 100
_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class ChangeRefused(ValueError):
    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code, self.reason = code, reason


def _digest(change: dict) -> str:
    canonical = json.dumps({"kind": change.get("kind"), "body": change.get("body")}, sort_keys=True,
                           separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _when(body: dict, key: str) -> str:
    value = body.get(key)
    problem = timestamp_problem(value) if isinstance(value, str) else "missing"
    if problem:
        raise ChangeRefused("bad_change", f"'{key}' must be an RFC 3339 time, like 2027-01-05T09:30:00Z ({problem})")
    return value


def _message(caller: Caller, change_id: str, body: dict) -> None:
    text, to = body.get("text"), body.get("to")
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
        raise ChangeRefused("bad_change", f"a message's text is 1 to {MAX_TEXT} characters")
    if isinstance(to, str) and to.startswith(team_rules.ADDRESS_PREFIX):
        written = _when(body, "written_at")
        try:
            teams.receive(caller.person_id, change_id, to, text, written)
        except Refused as exc:
            raise ChangeRefused(exc.code, exc.reason) from None
        return
    worker = StaffAccount.get_or_none((StaffAccount.name == str(to or "").lower()[:64])
                                      & (StaffAccount.console == "worker"))
    if worker is None:
        raise ChangeRefused("unknown_worker", f"there is no worker {to!r} to write to: choose one from your list")
    written = _when(body, "written_at")
    Message.create(message_id=change_id, person=caller.person_id, from_person=True, worker=worker.name, text=text,
                   written_at=written, received_at=timestamp())
    feed.append(caller.person_id, "message", change_id, {"from_person": True, "worker": worker.name, "text": text,
                                                         "written_at": written})


def _read(caller: Caller, _change_id: str, body: dict) -> None:
    read_at = _when(body, "read_at")
    Message.update(read_at=read_at).where((Message.message_id == str(body.get("message"))[:64])
                                          & (Message.person == caller.person_id) & ~Message.from_person
                                          & Message.read_at.is_null()).execute()


def _appointment(handler):
    def apply(caller: Caller, change_id: str, body: dict) -> None:
        try:
            handler(caller.person_id, change_id, body)
        except Refused as exc:
            raise ChangeRefused(exc.code, exc.reason) from None

    return apply


KINDS = {"message": _message, "read": _read, "reschedule": _appointment(appointments.phone_reschedule),
         "late": _appointment(appointments.phone_late)}


def apply(caller: Caller, change) -> None:
    """Apply one change once; raise ChangeRefused (nothing stored) when it cannot be."""
    if not isinstance(change, dict) or not isinstance(change.get("id"), str) or not _ID.fullmatch(change["id"]):
        raise ChangeRefused("bad_change", "each change needs an 'id': a UUID the phone made, in lower case")
    kind, body = change.get("kind"), change.get("body")
    if kind not in KINDS or not isinstance(body, dict):
        raise ChangeRefused("bad_change", f"a change's 'kind' is one of {', '.join(KINDS)}, with a 'body' object")
    digest = _digest(change)
    try:
        with db.proxy.atomic():
            PhoneChange.create(change_id=change["id"], person=caller.person_id, kind=kind, digest=digest,
                               key_id=caller.key_id, applied_at=timestamp())
            KINDS[kind](caller, change["id"], body)
    except peewee.IntegrityError:
        known = PhoneChange.get_or_none(PhoneChange.change_id == change["id"])
        if known is None or known.person_id != caller.person_id or known.digest != digest:
            raise ChangeRefused("conflict", "a different change was already sent with this id: make a new id for a "
                                "new change") from None


def mark_delivered(person_id: str, cursor: int) -> int:
    """Workers' messages the phone has now received (its cursor is past them) are delivered."""
    received = PersonChange.select(PersonChange.item_id).where(
        (PersonChange.person == person_id) & (PersonChange.kind == "message") & (PersonChange.seq <= cursor))
    return Message.update(delivered_at=timestamp()).where(
        (Message.person == person_id) & ~Message.from_person & Message.delivered_at.is_null()
        & Message.message_id.in_(received)).execute()
