"""Help into work in the workers' console: /work/employment lists what was published and lets an employment
adviser publish a job link, a video (MP4 or WebM, with WebVTT captions if given) or a checklist, for everyone or
for one person of their caseload; /work/employment/withdraw takes one off phones; /work/people/<person_id>/employment
shows that person's ticks on each checklist.

Who may do what (hub/workers/access.py ACTIONS):
- `work.employment.read`, every worker: what was published (it holds no one's personal data);
- `work.employment.publish`, employment advisers and team managers: publish an item, or withdraw one;
- `work.employment.progress`, every worker: a person's ticks, for the people they may see (their caseload; a team
  manager's team's), as a release plan is: another worker's person is 404, as if they did not exist. Every view
  records a read (person_read, "work progress").
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, g, redirect, render_template, request, url_for

from hub.console import access as console_access
from hub.courses.blobs import BlobStore
from hub.employment import files, service
from hub.employment.models import KINDS, VIDEO
from hub.limits import body_limit
from hub.refusals import Refused
from hub.workers import access, caseload

bp = Blueprint("employment", __name__)  # its pages are hub/workers/templates/work/employment*.html

READ, PUBLISH, PROGRESS = "work.employment.read", "work.employment.publish", "work.employment.progress"
WHAT = "work progress"


def init_config(app) -> None:
    app.config["WORK_EMPLOYMENT_UPLOAD_BYTES"] = files.MAX_VIDEO_BYTES + files.MAX_CAPTIONS_BYTES + 64 * 1024


def _page(status: int = 200, error: str | None = None, said: str | None = None):
    people = caseload.people_of(g.staff) if console_access.may(PUBLISH) else []
    response = Response(render_template(
        "work/employment.html", items=service.listing(), may_publish=console_access.may(PUBLISH), people=people,
        error=error, said=said, form=request.form, kinds=KINDS, most=files.megabytes(files.MAX_VIDEO_BYTES),
        megabytes=files.megabytes, steps_of=lambda item: len(json.loads(item.steps))), status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/employment")
@access.require(READ)
def index():
    said = ("Published. Phones get it when they next open Work and jobs." if request.args.get("published") else
            "Withdrawn. Phones drop it when they next open Work and jobs; ticks on it stay." if
            request.args.get("withdrawn") else None)
    return _page(said=said)


def _video(form, uploads) -> service.Video | None:
    if form.get("kind") != VIDEO:
        return None
    video = uploads.get("video")
    if video is None or not video.filename:
        raise Refused(400, "bad_item", "choose the video file (MP4 or WebM)")
    blobs = BlobStore.from_config(current_app.config)
    head = video.stream.read(files.HEAD)
    video.stream.seek(0)
    stored, media_type = files.store_video(blobs, head, iter(lambda: video.stream.read(1 << 20), b""))
    captions = uploads.get("captions")
    kept = files.store_captions(blobs, captions.read()) if captions is not None and captions.filename else None
    return service.Video(stored.sha256, media_type, stored.size, kept and kept.sha256, kept and kept.size)


@bp.post("/employment/publish")
@body_limit("WORK_EMPLOYMENT_UPLOAD_BYTES")
@access.require(PUBLISH)
def publish():
    form = request.form
    person = form.get("person") or None
    try:
        if person is not None and caseload.visible(g.staff, person) is None:
            raise Refused(404, "unknown_person", "choose one of your people, or everyone")
        row = service.publish(form.get("kind", ""), form.get("title"), form.get("text"), g.staff.name,
                              url=form.get("url"), steps=form.get("steps", "").splitlines(),
                              video=_video(form, request.files), person=person)
    except Refused as exc:
        return _page(exc.status, f"{exc.reason[0].upper()}{exc.reason[1:]}. Nothing was published.")
    console_access.record(PUBLISH, row.item_id, kind=row.kind, person=row.person_id or "everyone")
    return redirect(url_for("work.employment.index", published=row.item_id), 303)


@bp.post("/employment/withdraw")
@access.require(PUBLISH)
def withdraw():
    if not request.form.get("item"):
        return _page(400, "Say which item to withdraw: use the button beside it. Nothing was withdrawn.")
    try:
        row = service.withdraw(request.form["item"], g.staff.name)
    except Refused as exc:
        return _page(exc.status, f"{exc.reason[0].upper()}{exc.reason[1:]}.")
    console_access.record(PUBLISH, row.item_id, withdrawn=row.withdrawn_at)
    return redirect(url_for("work.employment.index", withdrawn=row.item_id), 303)


@bp.get("/people/<person_id>/employment")
@access.require(PROGRESS)
def progress(person_id: str):
    found = access.person(person_id, WHAT)
    response = Response(render_template("work/employment_progress.html", person=found,
                                        progress=service.progress_of(found.person_id)))
    response.headers["Cache-Control"] = "no-store"
    return response
