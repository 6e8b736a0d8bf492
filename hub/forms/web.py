"""Forms in the workers' console (/work/forms): the forms published and their fields, publishing a new
version from an XLSForm, and the submissions of the people in the worker's caseload, one by one, their files,
and as ODK Central's CSV with media.

Who may do what (hub/workers/access.py ACTIONS):
- `work.forms.read`, every worker: the forms, their versions and fields (no one's answers);
- `work.forms.publish`, team managers: publish a version (the hub's operator also can: `hub forms publish`);
- `work.forms.submissions`, every worker: the submissions of the people they may see (their caseload; a
  team manager's team's), never anyone else's. Every page, file and export that shows a person's answers
  records a read for each person shown (person_read, "form submissions"), as every page of a person's
  data does, and an export is also in the audit trail.
"""

from __future__ import annotations

import io
import json

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for

from hub.console import access as console_access
from hub.forms import service, submissions
from hub.forms.xlsform import MAX_BYTES
from hub.limits import body_limit
from hub.refusals import Refused
from hub.sync import uploads_api
from hub.workers import access, caseload, names

bp = Blueprint("forms", __name__, template_folder="templates")

READ, PUBLISH, SUBMISSIONS = "work.forms.read", "work.forms.publish", "work.forms.submissions"
PAGE = 200
"""The newest submissions a page lists; the export has them all."""
WHAT = "form submissions"
FLAG_WORDS = {"poor_accuracy": "GPS fix less accurate than the form's warning accuracy",
              "mock_location": "the phone said this location was mocked"}


def init_config(app) -> None:
    app.config["WORK_FORM_UPLOAD_BYTES"] = MAX_BYTES + 64 * 1024  # an XLSForm and the form's fields


def _mine() -> list[str]:
    return [person.person_id for person in caseload.people_of(g.staff)]


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/forms")
@access.require(READ)
def index():
    mine = _mine() if console_access.may(SUBMISSIONS) else []
    return render_template("work/forms.html", forms=service.listing(mine), may_publish=console_access.may(PUBLISH),
                           may_read=console_access.may(SUBMISSIONS))


def _publish_page(status: int = 200, error: str | None = None, problems=(), form_id: str = ""):
    return render_template("work/forms_publish.html", error=error, problems=list(problems), form_id=form_id,
                           most=MAX_BYTES), status


@bp.get("/forms/publish")
@access.require(PUBLISH)
def publish_form():
    return _publish_page()


@bp.post("/forms/publish")
@body_limit("WORK_FORM_UPLOAD_BYTES")
@access.require(PUBLISH)
def publish():
    """One XLSForm: published, or refused with every reason and nothing kept."""
    upload = request.files.get("file")
    data = upload.read() if upload is not None and upload.filename else b""
    form_id = request.form.get("form_id", "").strip()[:64]
    if not data:
        return _publish_page(400, "Choose the XLSForm to publish: an Excel workbook (.xlsx).", form_id=form_id)
    try:
        published = service.publish(data, g.staff.name, form_id or None, upload.filename or "")
    except Refused as exc:
        problems = exc.extra.get("problems", [])
        error = ("The form was not published, and nothing was kept. Fix these in the workbook, then publish it "
                 "again:" if problems else f"{exc.reason[0].upper()}{exc.reason[1:]}")
        return _publish_page(exc.status, error, problems, form_id)
    row = published.row
    console_access.record(PUBLISH, f"{row.form_id}/{row.version}", stored="new" if published.created else "the same")
    return redirect(url_for("work.forms.show", form_id=row.form_id, version=row.version,
                            published="new" if published.created else "same"), 303)


@bp.get("/forms/<form_id>")
@access.require(READ)
def show(form_id: str):
    row = service.find(form_id, request.args.get("version") or None)
    said = {"new": f"Published version {row.version}. Phones get it at their next sync.",
            "same": f"Version {row.version} was already published with the same content: nothing changed."
            }.get(request.args.get("published", ""))
    return render_template("work/form.html", form=row, document=service.document(row),
                           versions=service.versions(row.form_id), said=said,
                           may_read=console_access.may(SUBMISSIONS))


@bp.get("/forms/<form_id>/submissions")
@access.require(SUBMISSIONS)
def submissions_index(form_id: str):
    form = service.find(form_id)
    shown = submissions.of_form(form.form_id, _mine(), PAGE + 1)
    more, shown = len(shown) > PAGE, shown[:PAGE]
    people = sorted({s.row.person_id for s in shown})
    caseload.record_reads(g.staff.name, people, WHAT)
    return _no_store(Response(render_template(
        "work/form_submissions.html", form=form, shown=shown, more=more, page=PAGE, names=names.names_of(people),
        flag_words=FLAG_WORDS)))


def _one(form_id: str, submission_id: str):
    found = submissions.one(form_id, submission_id, _mine())
    if found is None:
        abort(404)  # someone else's person's, or none: the same answer
    caseload.record_reads(g.staff.name, [found.row.person_id], WHAT)
    return found


@bp.get("/forms/<form_id>/submissions/<submission_id>")
@access.require(SUBMISSIONS)
def submission(form_id: str, submission_id: str):
    form = service.find(form_id)
    found = _one(form.form_id, submission_id)
    version = service.find(form.form_id, found.row.version)
    return _no_store(Response(render_template(
        "work/form_submission.html", form=form, found=found, fields=service.document(version)["fields"],
        files={a.path: a for a in found.attachments}, names=names.names_of([found.row.person_id]),
        flag_words=FLAG_WORDS, as_json=json.dumps)))


@bp.get("/forms/<form_id>/submissions/<submission_id>/files/<sha256>")
@access.require(SUBMISSIONS)
def file(form_id: str, submission_id: str, sha256: str):
    found = submissions.attachment(form_id, submission_id, sha256, _mine())
    if found is None:
        abort(404)
    caseload.record_reads(g.staff.name, [found[0].row.person_id], WHAT)
    return uploads_api.send_sealed(found[0].row.person_id, found[1], download=True)


@bp.get("/forms/<form_id>/export.zip")
@access.require(SUBMISSIONS)
def export(form_id: str):
    form = service.find(form_id)
    mine = _mine()
    out = io.BytesIO()
    count = submissions.export(form.form_id, mine, uploads_api.store(), out)
    people = sorted({s.row.person_id for s in submissions.of_form(form.form_id, mine)})
    caseload.record_reads(g.staff.name, people, WHAT)
    console_access.record(SUBMISSIONS, form.form_id, exported=count, people=len(people))
    response = Response(out.getvalue(), mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{form.form_id}.zip"'
    return _no_store(response)
