"""Check-ins in the workers' console (/work/people/<person_id>/checkins): the person's schedule and setting a
new one, each check-in with its photo, the drift between the phone's time and the hub's receipt, the distance
from the expected place against the fix's accuracy, its flags, and the schedule's slots: in the window, late,
no check-in. The page says what happened, never what it means: a worker decides (docs/checkins.md).

Who may do what (hub/workers/access.py ACTIONS): `work.checkins.read`, `work.checkins.schedule` and
`work.checkins.review` are the offender manager's and their team manager's, for the people they may see (their
caseload; a team manager's team's): another worker's person is 404, as if they did not exist; other roles 403.
Every view of the page or a photo records a read (person_read, "check-ins"); setting a schedule and marking a
check-in reviewed are in the audit trail.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for

from hub.checkins import evidence, schedules, service
from hub.checkins.models import REFUSED
from hub.console import access as console_access
from hub.refusals import Refused
from hub.sync import uploads_api
from hub.sync.models import PhoneUpload
from hub.workers import access

bp = Blueprint("checkins", __name__, template_folder="templates")

READ, SCHEDULE, REVIEW = "work.checkins.read", "work.checkins.schedule", "work.checkins.review"
WHAT = "check-ins"


def _page(found, error: str | None = None, status: int = 200, said: str | None = None):
    now = datetime.now(UTC)
    shown = service.of_person(found.person_id)
    states = schedules.slot_states(schedules.history(found.person_id), [s.row for s in shown], now)
    response = Response(render_template(
        "work/checkins.html", person=found, schedule=schedules.current(found.person_id),
        states=states[:52], counts=schedules.summary(states),
        next_slot=schedules.next_slot(schedules.current(found.person_id), now), shown=shown, words=evidence.WORDS,
        error=error, said=said or {"set": "Schedule saved. The phone learns it at its next sync.",
                                   "reviewed": "Marked as reviewed."}.get(request.args.get("saved", "")),
        may_schedule=console_access.may(SCHEDULE), may_review=console_access.may(REVIEW), form=request.form,
        refused=REFUSED, limits=(schedules.MIN_DAYS, schedules.MAX_DAYS, schedules.MIN_WINDOW_H,
                                 schedules.MAX_WINDOW_H)), status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/people/<person_id>/checkins")
@access.require(READ)
def index(person_id: str):
    return _page(access.person(person_id, WHAT))


@bp.post("/people/<person_id>/checkins/schedule")
@access.require(SCHEDULE)
def schedule(person_id: str):
    found = access.person(person_id, WHAT)
    form = request.form
    try:
        row = schedules.set_schedule(found.person_id, g.staff.name, form.get("every_days"), form.get("start"),
                                     form.get("window_hours"), form.get("lat"), form.get("lon"), form.get("radius_m"))
    except Refused as exc:
        return _page(found, f"{exc.reason[0].upper()}{exc.reason[1:]}. Nothing was saved.", exc.status)
    console_access.record(SCHEDULE, found.person_id, schedule=row.schedule_id, every_days=row.every_days,
                          window_hours=row.window_hours)
    return redirect(url_for("work.checkins.index", person_id=found.person_id, saved="set"), 303)


@bp.post("/people/<person_id>/checkins/reviewed")
@access.require(REVIEW)
def reviewed(person_id: str):
    found = access.person(person_id, WHAT)
    if not request.form.get("checkin"):
        raise Refused(400, "bad_request", "say which check-in was reviewed: use the button beside it")
    try:
        row = service.review(found.person_id, request.form["checkin"], g.staff.name)
    except Refused:
        abort(404)
    console_access.record(REVIEW, f"{found.person_id}/{row.checkin_id}")
    back = url_for("work.checkins.index", person_id=found.person_id, saved="reviewed")
    return redirect(f"{back}#c-{row.checkin_id}", 303)


@bp.get("/people/<person_id>/checkins/photo")
@access.require(READ)
def photo(person_id: str):
    found = access.person(person_id, WHAT)
    if not request.args.get("checkin"):
        raise Refused(400, "bad_request", "say which check-in's photo: ?checkin=<its id>")
    row = service.one(found.person_id, request.args["checkin"])
    if row is None or row.photo_sha256 is None:
        abort(404)
    if row.photo_deleted_at is not None:
        raise Refused(410, "photo_deleted", f"this photo was deleted on {row.photo_deleted_at} under the retention "
                      "policy; the check-in's SHA-256 and signature remain")
    upload = PhoneUpload.get_or_none((PhoneUpload.person == found.person_id)
                                     & (PhoneUpload.sha256 == row.photo_sha256))
    if upload is None or upload.completed_at is None:
        abort(404)
    return uploads_api.send_sealed(found.person_id, upload)
