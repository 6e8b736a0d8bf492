"""A person's health summary in the workers' console: that one exists (for every worker of their
caseload), its contents (for those allowed to read it, and only once they say why), the FHIR bundle
to download, the upload of a summary or of health appointments, and who read it.

Who may do what (hub/workers/access.py ACTIONS, then hub/medical/service.py `may_read`):
- `work.health.exists`, every worker: whether the person has a summary, uploaded when, by whom and in
  what role. Never what it says: an offender manager needs to know it is there (to remind the person
  to take it to their GP), not their medicines.
- `work.health.read`, health care staff: the contents and the bundle, always with a purpose
  (hub/medical/purposes.py) that goes in the person's health_read row with who, role and when. A
  worker of another role reads too where the person shared their summary with them
  (service.share_with_worker): both are asked, the role table and `may_read`, so health care staff
  also need the person in their caseload.
- `work.health.upload`, health care staff: a summary (IPS) or health appointments, checked by
  hub/medical/checks.py; a refusal lists each reason with the resource and the path, and stores nothing.
- `work.health.reads`, every worker: who read it (who, role, purpose, how, when), never what it said.
  Every worker of the caseload may see it because the list is about the workers, not the person's
  health: it lets an offender manager answer the person's "who has been looking at my records?" and
  it keeps readers accountable to their colleagues as well as to the person (who sees the same list
  on their phone).

Every guard here answers 404 for a person outside the worker's caseload before it asks the role, so
a refusal for a role (403, audited) never says that someone else's person exists. Contents are only
ever read through service.read, which appends the health_read row; the page and the bundle are sent
with Cache-Control: no-store.
"""

from __future__ import annotations

import functools
import json
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, g, redirect, render_template, request, url_for

from hub.console import access as console_access
from hub.limits import body_limit
from hub.medical import service
from hub.medical.models import APPOINTMENTS, SUMMARY, HealthWorkerShare
from hub.medical.purposes import PURPOSES
from hub.refusals import Refused
from hub.workers import access, caseload, names
from wire import ips

bp = Blueprint("health", __name__)

EXISTS, READ, UPLOAD, READS = "work.health.exists", "work.health.read", "work.health.upload", "work.health.reads"
KINDS = {SUMMARY: "Summary", APPOINTMENTS: "Appointments"}
VIA_LABELS = {"console": "workers' console", "api": "health system (API)", "cli": "hub command line",
              "phone": "their phone", "share": "a share link"}
WHAT_LABELS = {"summary": "the summary", "bundle": "the FHIR bundle (download)", "printable": "the printable summary",
               "appointments": "the appointments", "existence": "that it exists"}
READS_PAGE = 100


def guard(action: str, reader: bool = False):
    """access.require for the health pages: anonymous visitors log in; a person outside the caseload is
    404 (asked first, so a 403 never says they exist); then the role, or for a `reader` view `may_read`;
    a refusal is 403 and recorded in the audit trail."""
    if action not in access.ACTIONS:
        raise ValueError(f"unknown workers' console action {action}")

    def wrap(view):
        @functools.wraps(view)
        def checked(person_id: str):
            if g.staff is None:
                if request.method == "GET":
                    return redirect(url_for("work.auth.login", next=request.full_path.rstrip("?")))
                abort(401)
            if caseload.visible(g.staff, person_id) is None:
                abort(404)
            if not (may_read(person_id) if reader else access.allowed(g.staff.role, action)):
                console_access.record(action, person_id, "refused: role may not")
                abort(403)
            return view(person_id)

        checked.action = action  # the authorization matrix test reads it
        return checked

    return wrap


def may_read(person_id: str) -> bool:
    """Both must say yes: the role table (health care staff), or the person's own share with this worker;
    and service.may_read (which also wants the person in the caseload)."""
    shared = HealthWorkerShare.select().where((HealthWorkerShare.person == person_id)
                                              & (HealthWorkerShare.worker == g.staff.name)).exists()
    return (access.allowed(g.staff.role, READ) or shared) and service.may_read(g.staff, person_id)


def _today() -> str:
    return datetime.now(ZoneInfo(current_app.config["TIME_ZONE"])).date().isoformat()


def _purpose() -> str:
    """The purpose the worker chose, or Refused 400 saying what to choose."""
    purpose = request.args.get("purpose", "")
    if purpose not in PURPOSES:
        raise Refused(400, "no_purpose", "choose why you are opening the health summary: "
                      + ", ".join(f"{key} ({label})" for key, label in PURPOSES.items()))
    return purpose


def _render(template: str, found, status: int = 200, **context):
    response = Response(render_template(
        template, person=found, names=names.names_of([found.person_id]).get(found.person_id), kinds=KINDS,
        purposes=PURPOSES, vias=VIA_LABELS, whats=WHAT_LABELS, **context), status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/people/<person_id>/health")
@guard(EXISTS)
def show(person_id: str):
    """Whether a summary exists; with ?purpose= and permission, what it says (a health_read row)."""
    found = access.person(person_id, "health")
    meta, appointments = service.summary_meta(found.person_id), service.appointments_meta(found.person_id)
    allowed = may_read(found.person_id)
    uploaded = request.args.get("uploaded", "")  # a link cannot claim an upload: it must be the current one
    context = dict(meta=meta, appointments=appointments, may_read=allowed, may_upload=console_access.may(UPLOAD),
                   uploaded=next((m.kind for m in (meta, appointments) if m and m.record_id == uploaded), ""),
                   plain=None, purpose=None, error=None)
    if "purpose" not in request.args:
        return _render("work/health.html", found, **context)
    if not allowed:
        console_access.record(READ, found.person_id, "refused: role may not")
        abort(403)
    if request.args["purpose"] not in PURPOSES:
        return _render("work/health.html", found, 400, **{
            **context, "error": "Choose why you are opening the summary, then open it."})
    purpose = request.args["purpose"]
    opened = service.read(found.person_id, g.staff.name, g.staff.role, purpose, "console", "summary")
    if opened is None:
        return _render("work/health.html", found, **context)
    plain = ips.plain(opened.summary, opened.appointments, _today())
    return _render("work/health.html", found, **{**context, "plain": plain, "purpose": purpose})


@bp.get("/people/<person_id>/health/bundle.json")
@guard(READ, reader=True)
def bundle(person_id: str):
    """The summary as its FHIR bundle, to save: read like the page, with its purpose, and recorded."""
    purpose = _purpose()
    missing = Refused(404, "no_summary", "this person has no health summary at the hub: health care staff upload "
                      "one from the person's health page")
    if service.summary_meta(person_id) is None:  # asked first: a read of nothing is not recorded
        raise missing
    opened = service.read(person_id, g.staff.name, g.staff.role, purpose, "console", "bundle")
    if opened is None or opened.summary is None:
        raise missing
    response = Response(json.dumps(opened.summary, ensure_ascii=False, indent=1), mimetype="application/fhir+json")
    response.headers["Content-Disposition"] = f'attachment; filename="health-summary-{person_id}.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/people/<person_id>/health/upload")
@guard(UPLOAD)
def upload_form(person_id: str):
    found = access.person(person_id, "health")
    return _render("work/health_upload.html", found, kind=SUMMARY, problems=[], error=None)


def _refusal(found, status: int, kind: str, error: str, problems=()):
    return _render("work/health_upload.html", found, status, kind=kind, error=error, problems=list(problems))


@bp.post("/people/<person_id>/health/upload")
@body_limit("WORK_HEALTH_FORM_BYTES")  # HEALTH_MAX_BUNDLE_BYTES and the form's fields (hub/workers/web.py)
@guard(UPLOAD)
def upload(person_id: str):
    """One file, checked then stored sealed; a refusal shows every reason and stores nothing."""
    found = access.person(person_id, "health")
    kind = request.form.get("kind", "")
    upload = request.files.get("file")
    data = upload.read() if upload is not None and upload.filename else b""
    if kind not in KINDS:
        return _refusal(found, 400, SUMMARY, "Choose what the file is: a summary or appointments.")
    if not data:
        return _refusal(found, 400, kind, "Choose the file to upload: a FHIR bundle in JSON.")
    if request.form.get("agreed") != "yes":
        return _refusal(found, 400, kind, "Tick “The person agreed to carry this summary” once you have asked "
                        "them. If they said no, do not upload it.")
    try:
        bundle = service.parse(data, kind)
        imported = service.import_bundle(found.person_id, bundle, kind, g.staff.name, g.staff.role, "console")
    except Refused as exc:
        problems = getattr(exc, "problems", ())
        reason = f"{exc.reason[0].upper()}{exc.reason[1:]}" if exc.reason else "The hub refused it"
        if problems:
            reason = f"The {KINDS[kind].lower()} was refused, and nothing was stored: {reason}"
        else:
            reason = f"{reason.rstrip('.')}. Nothing was stored."
        return _refusal(found, exc.status, kind, reason, problems)
    console_access.record(UPLOAD, found.person_id, kind=kind, record=imported.record_id,
                          stored="new" if imported.created else "the same as before")
    return redirect(url_for("work.health.show", person_id=found.person_id, uploaded=imported.record_id), 303)


@bp.get("/people/<person_id>/health/reads")
@guard(READS)
def reads(person_id: str):
    """Who read the person's health records: who, role, purpose, how, when; never what it said."""
    found = access.person(person_id, "health reads")
    after = request.args.get("after", "")
    rows = list(service.reads(found.person_id, int(after) if after.isdigit() else 0, READS_PAGE + 1))
    more = len(rows) > READS_PAGE
    rows = rows[:READS_PAGE]
    return _render("work/health_reads.html", found, rows=rows,
                   next_after=rows[-1].id if more and rows else None)
