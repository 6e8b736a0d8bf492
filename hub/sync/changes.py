"""What a phone sends, applied exactly once. Each change carries the phone's own UUID: the same id
again is acknowledged and not applied twice (the phone did not hear the answer); the same id with
other content is refused as a conflict. Messages are append-only (docs/phone-sync.md, "Conflicts").

Kinds:
- `message`: {"to": a worker's name, or `team:` and a team's name (hub/teams), "text": 1 to MAX_TEXT
  characters, "written_at": RFC 3339, "attachments": [{"sha256", "type", "bytes"}] (optional, at most
  MAX_ATTACHMENTS photos or voice notes the phone uploaded first, hub/sync/uploads.py; with one, the
  text may be empty)}
- `read`: {"message": a message's id, "read_at": RFC 3339}: the person read a worker's message
- `reschedule`, `late`: the person asks to move an appointment, or says they are running late
  (hub/appointments/service.py: recorded, never applied to the worker's appointment)
- `progress_statement`, `quiz_answer`, `course_state`: what the course player on the phone records, as a tablet
  records it (docs/learning.md): {"created": RFC 3339, "payload": an xAPI statement whose id is the change's and
  whose actor is the person (an account on urn:throughgate named by their person id), or a resume state
  (wire/course_state.py)}; kept as a phone_record row (hub/courses/models.py), which GET /v1/phone/courses reads
  and the LRS forwarder sends
- `form_submission`: {"form_id", "version", "filled_at": RFC 3339, "values": {field path: value}}: a filled form,
  its files uploaded first (hub/forms/submissions.py, docs/forms.md); a bad value is refused `bad_value` naming
  the field
- `checkin`: {"jws": a compact JWS over the canonical check-in document, "attachments": [its photo], "webauthn":
  the owner's assertion (optional)}: a check-in signed on the phone (hub/checkins/service.py, docs/checkins.md);
  one that does not verify is kept as refused, with why, and accepted here (the phone reads its outcome from
  GET /v1/phone/checkins)
- `checklist_progress`: {"item": a checklist's id, "step": its number from 0, "done": true or false, "ticked_at": RFC
  3339}: the person ticked (or unticked) a step of a checklist an employment adviser published; the adviser sees it
  (hub/employment/service.py, docs/employment.md)
"""

from __future__ import annotations

import hashlib
import json
import re

import peewee

from hub import db
from hub.appointments import service as appointments
from hub.checkins import phone_api as checkins
from hub.courses import person as person_courses
from hub.courses.models import PhoneRecord
from hub.employment import phone_api as employment
from hub.forms import phone_api as forms
from hub.phones.service import Caller
from hub.refusals import Refused
from hub.staff.models import StaffAccount
from hub.sync import feed
from hub.sync.models import Message, MessageAttachment, PersonChange, PhoneChange, PhoneUpload
from hub.teams import rules as team_rules
from hub.teams import service as teams
from hub.workers.models import Caseload
from wire import course_state, media
from wire.learning import check_statement
from wire.records import STATEMENT_KINDS, Record, RecordError, timestamp, timestamp_problem, valid_sha256

MAX_TEXT = 4000
MAX_CHANGES = 100
MAX_ATTACHMENTS = 4
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


def _attachments(caller: Caller, sent) -> list[dict]:
    """The message's attachments, each a complete upload of this person's with the type and size given;
    ChangeRefused `attachment_incomplete` (keep the message, upload the rest, send it again) otherwise."""
    if sent is None:
        return []
    if not isinstance(sent, list) or len(sent) > MAX_ATTACHMENTS:
        raise ChangeRefused("bad_change", f"'attachments' is a list of at most {MAX_ATTACHMENTS}")
    found = []
    for ref in sent:
        if not isinstance(ref, dict) or not valid_sha256(ref.get("sha256")) or media.kind_of(ref.get("type")) is None \
                or type(ref.get("bytes")) is not int:
            raise ChangeRefused("bad_change", 'each attachment is {"sha256": its SHA-256, "type": its media type, '
                                f'"bytes": its size}}, a photo or voice note: {media.WHAT_WE_TAKE}')
        row = PhoneUpload.get_or_none((PhoneUpload.person == caller.person_id) & (PhoneUpload.sha256 == ref["sha256"]))
        if row is None or row.completed_at is None:
            raise ChangeRefused("attachment_incomplete", f"attachment {ref['sha256']} is not all on the hub yet: ask "
                                f"GET /v1/phone/uploads/{ref['sha256']} how much it holds, upload the rest, then send "
                                "this message again with the same id")
        if row.media_type != ref["type"] or row.bytes != ref["bytes"]:
            raise ChangeRefused("bad_change", f"attachment {ref['sha256']} was uploaded as {row.media_type} of "
                                f"{row.bytes} bytes: send the message with those")
        found.append({"sha256": row.sha256, "type": row.media_type, "bytes": row.bytes})
    return found


def _message(caller: Caller, change_id: str, body: dict) -> None:
    text, to = body.get("text"), body.get("to")
    attachments = _attachments(caller, body.get("attachments"))
    if not isinstance(text, str) or (not text.strip() and not attachments) or len(text) > MAX_TEXT:
        raise ChangeRefused("bad_change", f"a message's text is 1 to {MAX_TEXT} characters (or none, with a photo "
                            "or voice note)")
    if attachments and str(to or "").startswith("team:"):
        raise ChangeRefused("bad_change", "photos and voice notes go to one of your workers, not to a team: send "
                            "this message to your worker")
    if isinstance(to, str) and to.startswith(team_rules.ADDRESS_PREFIX):
        written = _when(body, "written_at")
        try:
            teams.receive(caller.person_id, change_id, to, text, written)
        except Refused as exc:
            raise ChangeRefused(exc.code, exc.reason) from None
        return
    worker = StaffAccount.get_or_none((StaffAccount.name == str(to or "").lower()[:64])
                                      & (StaffAccount.console == "worker"))
    if worker is None or not Caseload.select().where((Caseload.worker == worker.name)
                                                     & (Caseload.person == caller.person_id)).exists():
        # Only the person's own workers (whose caseload holds them) can read it; saying which others exist
        # would tell a phone the hub's worker names.
        raise ChangeRefused("unknown_worker", f"{to!r} is not one of your workers: choose one from your list "
                            "(sync to see it as it is now)")
    written = _when(body, "written_at")
    Message.create(message_id=change_id, person=caller.person_id, from_person=True, worker=worker.name, text=text,
                   written_at=written, received_at=timestamp())
    for position, ref in enumerate(attachments):
        MessageAttachment.create(message=change_id, position=position, sha256=ref["sha256"], media_type=ref["type"],
                                 bytes=ref["bytes"])
    feed.append(caller.person_id, "message", change_id, {"from_person": True, "worker": worker.name, "text": text,
                                                         "written_at": written,
                                                         **({"attachments": attachments} if attachments else {})})


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


def _learning(kind: str):
    def apply(caller: Caller, change_id: str, body: dict) -> None:
        created, payload = body.get("created"), body.get("payload")
        problem = timestamp_problem(created) if isinstance(created, str) else "is missing"
        if problem or not isinstance(payload, dict) or set(body) - {"created", "payload"}:
            raise ChangeRefused("bad_change", f'a {kind} change\'s body is {{"created": an RFC 3339 time, "payload": '
                                f'{{...}}}}' + (f" ('created' {problem})" if problem else ""))
        record = Record(change_id, kind, caller.person_id, created, 1, payload)
        try:
            if kind == course_state.KIND:
                course_state.check(payload, change_id)
            else:
                check_statement(record)
        except RecordError as exc:
            raise ChangeRefused("bad_change", exc.reason) from None
        course = person_courses.course_named(kind, payload)
        if course is not None and not person_courses.theirs(caller.person_id, course):
            raise ChangeRefused("not_your_course", f"{course!r} is not one of your courses: GET /v1/phone/courses "
                                "lists them")
        PhoneRecord.create(record_id=change_id, person=caller.person_id, key_id=caller.key_id, kind=kind,
                           created=created, received_at=timestamp(),
                           payload=json.dumps(payload, ensure_ascii=False, separators=(",", ":")))

    return apply


def _checkin(caller: Caller, change_id: str, body: dict) -> None:
    try:
        checkins.receive(caller, change_id, body)
    except Refused as exc:
        raise ChangeRefused(exc.code, exc.reason) from None


KINDS = {"message": _message, "read": _read, "reschedule": _appointment(appointments.phone_reschedule),
         "late": _appointment(appointments.phone_late),
         **{kind: _learning(kind) for kind in (*sorted(STATEMENT_KINDS), course_state.KIND)},
         "form_submission": _appointment(forms.receive), "checkin": _checkin,
         "checklist_progress": _appointment(employment.receive)}


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
