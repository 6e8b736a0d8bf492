"""Appointments: a worker makes, moves and cancels them; the person asks to reschedule or says they
are running late (phone changes, hub/sync/changes.py); the worker accepts a request (and moves the
appointment), proposes another time, or declines. Every change is an appointment_change row, never
edited; every change the person should see goes into their feed (kind `appointment`, the appointment's
state now and the change), so their phone has it at its next sync.

Appointments are the worker's: only a worker changes one. The person's requests are append-only: each
is kept, whatever the worker does with it (docs/phone-sync.md, "Conflicts")."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

from hub import db
from hub.appointments import jitsi
from hub.appointments.models import CANCELLED, KINDS, Appointment, AppointmentChange
from hub.people import service as people
from hub.refusals import Refused
from hub.staff.models import StaffAccount
from hub.sync import feed
from wire.records import timestamp

MAX_MINUTES = 8 * 60
MAX_PLACE = 200
MAX_REASON = 500
MAX_WANTED = 200
MAX_LATE_MINUTES = 240
CHANGED_EVENT = ("moved", "cancelled")
"""The changes that change the calendar event (its SEQUENCE counts them)."""


def parse_when(text: str) -> datetime:
    """A time with its zone, like 2027-01-11T10:00Z or 2027-01-11T10:00:00+00:00."""
    try:
        moment = datetime.fromisoformat(str(text).strip().replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise Refused(400, "bad_request", f"a time is a date and time with its zone, like 2027-01-11T10:00Z, not "
                      f"{text!r}")
    return moment.astimezone(UTC)


def _span(at: str, minutes: int) -> tuple[str, str]:
    start = parse_when(at)
    if not isinstance(minutes, int) or not 5 <= minutes <= MAX_MINUTES:
        raise Refused(400, "bad_request", f"an appointment lasts 5 to {MAX_MINUTES} minutes")
    return timestamp(start), timestamp(start + timedelta(minutes=minutes))


def _text(value, what: str, most: int, required: bool = True) -> str | None:
    text = " ".join(str(value or "").split())
    if not text:
        if required:
            raise Refused(400, "bad_request", f"say {what} (1 to {most} characters)")
        return None
    if len(text) > most:
        raise Refused(400, "bad_request", f"{what} is at most {most} characters")
    return text


def _worker(name: str) -> StaffAccount:
    row = StaffAccount.get_or_none((StaffAccount.name == str(name or "").strip().lower()[:64])
                                   & (StaffAccount.console == "worker"))
    if row is None:
        raise Refused(404, "unknown_worker", f"there is no worker {name!r}: `throughgate hub workers list` shows them")
    return row


def find(appointment_id: str) -> Appointment:
    found = Appointment.get_or_none(Appointment.appointment_id == str(appointment_id or "").strip().lower()[:36])
    if found is None:
        raise Refused(404, "unknown_appointment", f"no appointment {appointment_id!r}: `throughgate hub appointments "
                      "list PERSON` shows a person's")
    return found


def history(appointment_id: str) -> list[AppointmentChange]:
    return list(AppointmentChange.select().where(AppointmentChange.appointment == appointment_id)
                .order_by(AppointmentChange.id))


def sequence(appointment_id: str) -> int:
    """How many times the worker changed the event after making it (the calendar's SEQUENCE)."""
    return AppointmentChange.select().where((AppointmentChange.appointment == appointment_id)
                                            & AppointmentChange.what.in_(CHANGED_EVENT)).count()


def listing(person_id: str) -> list[Appointment]:
    person = people.find(person_id)
    return list(Appointment.select().where(Appointment.person == person.person_id)
                .order_by(Appointment.starts_at, Appointment.appointment_id))


def state(row: Appointment) -> dict:
    """What the person's phone and calendar hold of an appointment: no names, no case references."""
    role = StaffAccount.get_or_none(StaffAccount.name == row.worker)
    return {"worker": row.worker, "role": role.role if role else None, "kind": row.kind, "starts_at": row.starts_at,
            "ends_at": row.ends_at, "place": row.place, "video_url": row.video_url, "status": row.status,
            "sequence": sequence(row.appointment_id)}


def _record(row: Appointment, by: str, what: str, reason: str | None, detail: dict | None = None,
            to_feed: bool = True) -> AppointmentChange:
    now = timestamp()
    change = AppointmentChange.create(appointment=row.appointment_id, at=now, by=by[:80], what=what, reason=reason,
                                      detail=json.dumps(detail or {}, sort_keys=True, separators=(",", ":")))
    if to_feed:
        feed.append(row.person_id, "appointment", row.appointment_id,
                    {**state(row), "change": {"what": what, "by": "person" if by == "person" else "worker",
                                              "at": now, "reason": reason, **(detail or {})}})
    return change


def _video(kind: str, video: jitsi.Jitsi | None, starts_at: str, ends_at: str, room: str | None = None) -> str | None:
    if kind != "video" or video is None:
        return None
    return jitsi.link(video, room or jitsi.new_room(), starts_at, ends_at)


def create(person_id: str, worker: str, kind: str, at: str, minutes: int, place: str, by: str,
           video: jitsi.Jitsi | None = None) -> Appointment:
    """A new appointment, in the person's feed at once. `video`: the hub's Jitsi (jitsi.from_config);
    None leaves a video appointment without a link."""
    person = people.find(person_id)
    account = _worker(worker)
    if kind not in KINDS:
        raise Refused(400, "bad_request", f"an appointment's kind is one of {', '.join(KINDS)}")
    starts_at, ends_at = _span(at, minutes)
    place = _text(place, "where it is (or how to join)", MAX_PLACE)
    now = timestamp()
    with db.proxy.atomic():
        row = Appointment.create(appointment_id=str(uuid.uuid4()), person=person.person_id, worker=account.name,
                                 kind=kind, starts_at=starts_at, ends_at=ends_at, place=place,
                                 video_url=_video(kind, video, starts_at, ends_at), created_at=now, updated_at=now)
        _record(row, by, "created", None, {"starts_at": starts_at, "ends_at": ends_at})
    return row


def _scheduled(appointment_id: str) -> Appointment:
    row = find(appointment_id)
    if row.status == CANCELLED:
        raise Refused(409, "appointment_cancelled", "this appointment was cancelled: make a new one instead")
    return row


def move(appointment_id: str, at: str, reason: str, by: str, minutes: int | None = None,
         video: jitsi.Jitsi | None = None, accepted: int | None = None) -> Appointment:
    """To a new time (the same length unless `minutes`), with the reason; a video link gets a new token
    for the new time, in the same room. `accepted`: the id of the person's request this answers."""
    reason = _text(reason, "why it moves", MAX_REASON)
    with db.proxy.atomic():
        row = _scheduled(appointment_id)
        length = minutes or int((parse_when(row.ends_at) - parse_when(row.starts_at)).total_seconds() // 60)
        starts_at, ends_at = _span(at, length)
        before = {"starts_at": row.starts_at, "ends_at": row.ends_at}
        if accepted is not None:
            _request(row, accepted)
            _record(row, by, "accepted", reason, {"request": accepted}, to_feed=False)
        row.starts_at, row.ends_at, row.updated_at = starts_at, ends_at, timestamp()
        if row.video_url or (row.kind == "video" and video):
            row.video_url = _video(row.kind, video, starts_at, ends_at, jitsi.room_of(row.video_url))
        row.save()
        _record(row, by, "moved", reason, {"from": before, "starts_at": starts_at, "ends_at": ends_at,
                                           **({"request": accepted} if accepted is not None else {})})
    return row


def cancel(appointment_id: str, reason: str, by: str) -> Appointment:
    reason = _text(reason, "why it is cancelled", MAX_REASON)
    with db.proxy.atomic():
        row = _scheduled(appointment_id)
        row.status, row.updated_at = CANCELLED, timestamp()
        row.save()
        _record(row, by, "cancelled", reason)
    return row


def _request(row: Appointment, request_id: int) -> AppointmentChange:
    asked = AppointmentChange.get_or_none((AppointmentChange.id == request_id)
                                          & (AppointmentChange.appointment == row.appointment_id)
                                          & (AppointmentChange.what == "reschedule_asked"))
    if asked is None:
        raise Refused(404, "unknown_request", f"appointment {row.appointment_id} has no reschedule request "
                      f"{request_id}: `throughgate hub appointments history ID` shows them")
    return asked


def propose(appointment_id: str, at: str, reason: str, by: str, request_id: int | None = None) -> AppointmentChange:
    """Offer the person another time (the appointment stays where it is until the worker moves it)."""
    reason = _text(reason, "why this time", MAX_REASON)
    with db.proxy.atomic():
        row = _scheduled(appointment_id)
        length = int((parse_when(row.ends_at) - parse_when(row.starts_at)).total_seconds() // 60)
        starts_at, ends_at = _span(at, length)
        if request_id is not None:
            _request(row, request_id)
        return _record(row, by, "proposed", reason, {"starts_at": starts_at, "ends_at": ends_at,
                                                     **({"request": request_id} if request_id is not None else {})})


def decline(appointment_id: str, request_id: int, reason: str, by: str) -> AppointmentChange:
    reason = _text(reason, "why not", MAX_REASON)
    with db.proxy.atomic():
        row = _scheduled(appointment_id)
        _request(row, request_id)
        return _record(row, by, "declined", reason, {"request": request_id})


def pending_requests(appointment_id: str) -> list[AppointmentChange]:
    """The person's reschedule requests no worker has answered yet (accepted, proposed or declined)."""
    rows = history(appointment_id)
    answered = {json.loads(r.detail).get("request") for r in rows if r.what in ("accepted", "proposed", "declined")}
    return [r for r in rows if r.what == "reschedule_asked" and r.id not in answered]


# The person's requests, from their phone (hub/sync/changes.py): appended, never applied to the appointment.

def _theirs(person_id: str, appointment_id) -> Appointment:
    row = Appointment.get_or_none((Appointment.appointment_id == str(appointment_id or "")[:36])
                                  & (Appointment.person == person_id))
    if row is None:
        raise Refused(404, "unknown_appointment", "there is no such appointment of yours: sync to see your "
                      "appointments as they are now")
    if row.status == CANCELLED:
        raise Refused(409, "appointment_cancelled", "this appointment was cancelled: write to your worker if you "
                      "need another one")
    return row


def ask_reschedule(person_id: str, change_id: str, appointment_id, reason, wanted=None) -> AppointmentChange:
    row = _theirs(person_id, appointment_id)
    reason = _text(reason, "why you need another time", MAX_REASON)
    wanted = _text(wanted, "when would suit you", MAX_WANTED, required=False)
    return _record(row, "person", "reschedule_asked", reason, {"change": change_id,
                                                               **({"wanted": wanted} if wanted else {})})


def running_late(person_id: str, change_id: str, appointment_id, minutes, reason) -> AppointmentChange:
    row = _theirs(person_id, appointment_id)
    if type(minutes) is not int or not 1 <= minutes <= MAX_LATE_MINUTES:
        raise Refused(400, "bad_request", f"say how late you will be: 1 to {MAX_LATE_MINUTES} minutes")
    reason = _text(reason, "why you are late", MAX_REASON, required=False)
    return _record(row, "person", "running_late", reason, {"change": change_id, "minutes": minutes})


def phone_reschedule(person_id: str, change_id: str, body: dict) -> None:
    """Phone change `reschedule`: {"appointment", "reason", "wanted" (optional text)}."""
    ask_reschedule(person_id, change_id, body.get("appointment"), body.get("reason"), body.get("wanted"))


def phone_late(person_id: str, change_id: str, body: dict) -> None:
    """Phone change `late`: {"appointment", "minutes", "reason" (may be empty)}."""
    running_late(person_id, change_id, body.get("appointment"), body.get("minutes"), body.get("reason"))
