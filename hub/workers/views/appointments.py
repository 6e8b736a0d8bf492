"""A person's appointments in the workers' console: the list (coming, then past), one appointment with
its whole history (who, when, what, why) and the person's requests still to answer, and the forms to
make, move or cancel one, and to answer a request (accept by moving, propose another time, decline).

Times are typed and shown in the hub's TIME_ZONE (Europe/London by default: the zone the workers and
the person live in), and kept in UTC (hub/appointments/service.py). Every page records a read of the
person's data; every change goes in the audit trail and, through the service, the person's feed."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for

from hub.appointments import jitsi
from hub.appointments import service as appointments
from hub.appointments.models import KINDS, SCHEDULED, Appointment
from hub.console import access as console_access
from hub.refusals import Refused
from hub.workers import access, names
from wire.records import parse_timestamp, timestamp

bp = Blueprint("appointments", __name__)

KIND_LABELS = {"in_person": "In person", "phone": "By phone", "video": "By video"}
WHAT_LABELS = {"created": "made", "moved": "moved", "cancelled": "cancelled", "reschedule_asked": "asked to move it",
               "running_late": "said they are running late", "proposed": "proposed another time",
               "accepted": "accepted the request", "declined": "declined the request"}


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIME_ZONE"])


def local(text: str | None) -> str:
    """A stored UTC time as the workers read it: `Mon 11 Jan 2027, 10:00 GMT`."""
    if not text:
        return "-"
    moment = parse_timestamp(text).astimezone(zone())
    return f"{moment:%a %-d %b %Y, %H:%M %Z}"


def typed(date: str, time: str) -> str:
    """The date and time a worker typed (in TIME_ZONE) as a time with its zone, for the service."""
    try:
        moment = datetime.fromisoformat(f"{date.strip()}T{time.strip()}")
    except ValueError:
        raise Refused(400, "bad_request", "type the date as YYYY-MM-DD and the time as HH:MM (24-hour), like "
                      "2027-01-11 and 14:30") from None
    return moment.replace(tzinfo=zone()).isoformat()


def _minutes() -> int:
    raw = request.form.get("minutes", "").strip() or "30"
    if not raw.isdigit():
        raise Refused(400, "bad_request", f"type how long it lasts in minutes, 5 to {appointments.MAX_MINUTES}")
    return int(raw)


def _request_id() -> int | None:
    raw = request.form.get("request", "").strip()
    return int(raw) if raw.isdigit() else None


def _theirs(person_id: str, appointment_id: str, what: str) -> tuple[object, Appointment]:
    found = access.person(person_id, what)
    row = Appointment.get_or_none((Appointment.appointment_id == appointment_id[:36])
                                  & (Appointment.person == found.person_id))
    if row is None:
        raise Refused(404, "unknown_appointment", "this person has no such appointment: choose one from their list")
    return found, row


def _render(template: str, found, **context):
    return render_template(template, person=found, names=names.names_of([found.person_id]).get(found.person_id),
                           local=local, kinds=KIND_LABELS, whats=WHAT_LABELS, zone=current_app.config["TIME_ZONE"],
                           **context)


@bp.get("/people/<person_id>/appointments")
@access.require("work.appointments.read")
def index(person_id: str):
    found = access.person(person_id, "appointments")
    rows = appointments.listing(found.person_id)
    now = timestamp()
    coming = [r for r in rows if r.ends_at >= now and r.status == SCHEDULED]
    past = [r for r in rows if r not in coming]
    waiting = {r.appointment_id: len(appointments.pending_requests(r.appointment_id)) for r in coming}
    return _render("work/appointments.html", found, coming=coming, past=list(reversed(past)), waiting=waiting,
                   kind_values=KINDS, done=request.args.get("done", ""))


@bp.get("/people/<person_id>/appointments/<appointment_id>")
@access.require("work.appointments.read")
def show(person_id: str, appointment_id: str):
    found, row = _theirs(person_id, appointment_id, "appointments")
    history = [(change, json.loads(change.detail)) for change in appointments.history(row.appointment_id)]
    return _render("work/appointment.html", found, row=row, history=history,
                   pending=[(asked, json.loads(asked.detail)) for asked in appointments.pending_requests(
                       row.appointment_id)], done=request.args.get("done", ""))


def _changed(found, row: Appointment, change: str):
    console_access.record("work.appointments.manage", found.person_id, appointment=row.appointment_id, change=change)
    return redirect(url_for("work.appointments.show", person_id=found.person_id,
                            appointment_id=row.appointment_id, done=change), 303)


@bp.post("/people/<person_id>/appointments")
@access.require("work.appointments.manage")
def create(person_id: str):
    found = access.person(person_id, "appointments")
    kind = request.form.get("kind", "")
    if kind not in KINDS:
        raise Refused(400, "bad_request", "choose in person, by phone or by video")
    row = appointments.create(found.person_id, g.staff.name, kind, typed(request.form.get("date", ""),
                              request.form.get("time", "")), _minutes(), request.form.get("place", ""),
                              g.staff.name, jitsi.from_config(current_app.config))
    return _changed(found, row, "made")


@bp.post("/people/<person_id>/appointments/<appointment_id>/move")
@access.require("work.appointments.manage")
def move(person_id: str, appointment_id: str):
    found, row = _theirs(person_id, appointment_id, "appointments")
    video = jitsi.from_config(current_app.config) if row.kind == "video" else None
    row = appointments.move(row.appointment_id, typed(request.form.get("date", ""), request.form.get("time", "")),
                            request.form.get("reason", ""), g.staff.name, video=video, accepted=_request_id())
    return _changed(found, row, "moved")


@bp.post("/people/<person_id>/appointments/<appointment_id>/propose")
@access.require("work.appointments.manage")
def propose(person_id: str, appointment_id: str):
    found, row = _theirs(person_id, appointment_id, "appointments")
    appointments.propose(row.appointment_id, typed(request.form.get("date", ""), request.form.get("time", "")),
                         request.form.get("reason", ""), g.staff.name, _request_id())
    return _changed(found, row, "proposed")


@bp.post("/people/<person_id>/appointments/<appointment_id>/decline")
@access.require("work.appointments.manage")
def decline(person_id: str, appointment_id: str):
    found, row = _theirs(person_id, appointment_id, "appointments")
    request_id = _request_id()
    if request_id is None:
        raise Refused(400, "bad_request", "choose the request to decline from the appointment's page")
    appointments.decline(row.appointment_id, request_id, request.form.get("reason", ""), g.staff.name)
    return _changed(found, row, "declined")


@bp.post("/people/<person_id>/appointments/<appointment_id>/cancel")
@access.require("work.appointments.manage")
def cancel(person_id: str, appointment_id: str):
    found, row = _theirs(person_id, appointment_id, "appointments")
    appointments.cancel(row.appointment_id, request.form.get("reason", ""), g.staff.name)
    return _changed(found, row, "cancelled")
