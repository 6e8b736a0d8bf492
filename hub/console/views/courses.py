"""The admin console's courses pages: every course with where it is sent and which version each edge
holds (from the edge's newest status report), one course's versions and targets with the form that
sends it to an edge or stops, and importing a package with a progress page.

The work is the courses service's (hub/courses/catalogue.py, importer.py), as for the admin API and
the CLI; imports run in the background (hub/console/imports.py).
"""

from __future__ import annotations

import contextlib
import io
import json
import os

from flask import Blueprint, current_app, g, make_response, redirect, render_template, request, url_for
from werkzeug.exceptions import NotFound

from hub.audit.models import AuditEntry
from hub.console import access, imports
from hub.courses import catalogue
from hub.courses.blobs import BlobStore
from hub.courses.cli import FORMAT_NAMES, size_text
from hub.courses.package import Limits
from hub.fleet import store
from hub.limits import body_limit
from hub.models import ACTIVE, Edge
from hub.refusals import Refused

bp = Blueprint("courses", __name__)
bp.add_app_template_filter(size_text, "size")
bp.add_app_template_filter(lambda code: FORMAT_NAMES.get(code, code), "format_name")

GREEN, AMBER, RED, GREY = "green", "amber", "red", "grey"


# ---- which edge holds which version (pure) ----

def holding(course: str, published: int | None, targets: list[dict], edges: dict[str, dict]) -> list[dict]:
    """One row per edge the course is sent to, or that still holds it: what it holds against what is
    published. `edges`: edge id -> {"status", "report_at", "courses"} (courses: the `courses` list of its
    newest report, None if it never reported)."""
    groups: dict[str, list[str]] = {}
    for target in targets:
        groups.setdefault(target["edge"], []).append(target["group"] or "")
    rows = []
    for edge_id, edge in sorted(edges.items()):
        entry = next((c for c in edge["courses"] or [] if c["course"] == course), None)
        held = entry["current"] if entry else None
        if edge_id not in groups and held is None:
            continue
        rows.append({"edge": edge_id, "groups": groups.get(edge_id), "revoked": edge["status"] != ACTIVE,
                     "held": held, "report_at": edge["report_at"],
                     **_state(published, edge_id in groups, edge["courses"] is not None, entry, held)})
    return rows


def _state(published: int | None, targeted: bool, reported: bool, entry: dict | None, held: int | None) -> dict:
    if not reported:
        return {"colour": GREY, "text": "not yet reported", "detail": "this edge has sent no status report yet"}
    holds = f"v{held}" if held is not None else "none yet"
    if not targeted:
        return {"colour": GREY, "text": f"no longer sent here (holds {holds})",
                "detail": "kept at the edge while learners are part-way"}
    detail = None
    if entry and entry["status"] == "errored":
        detail = f"sync failed{' at ' + entry['stage'] if entry['stage'] else ''}: {entry['last_error'] or 'no reason'}"
    elif entry and entry["status"] in ("pending", "started") and entry["version"] is not None:
        detail = f"fetching v{entry['version']}{' (' + entry['stage'] + ')' if entry['stage'] else ''}"
    elif entry is None:
        detail = "its last report does not list this course yet: it fetches it at its next sync"
    if held is not None and held == published:
        return {"colour": GREEN, "text": "up to date", "detail": detail}
    if held is not None and published is not None and held > published:
        return {"colour": RED, "text": f"ahead (holds v{held}, v{published} published)",
                "detail": "the hub's database may have been restored from an older backup"}
    colour = RED if entry and entry["status"] == "errored" else AMBER
    return {"colour": colour, "text": f"behind (holds {holds}, v{published} published)", "detail": detail}


# ---- reading what the pages show ----

def _edges() -> dict[str, dict]:
    found = {}
    for edge in Edge.select(Edge.edge_id, Edge.status).order_by(Edge.edge_id):
        last = store.latest(edge.edge_id)
        found[edge.edge_id] = {"status": edge.status, "report_at": last.received_at if last else None,
                               "courses": last.report["courses"] if last else None}
    return found


def _importers(course: str) -> dict[int, str]:
    """Who imported each version of the course, where the audit trail says (console imports)."""
    found = {}
    query = (AuditEntry.select(AuditEntry.actor, AuditEntry.detail)
             .where((AuditEntry.action == "courses.import") & (AuditEntry.target == course)
                    & (AuditEntry.outcome == "ok")).order_by(AuditEntry.seq))
    for entry in query:
        detail = json.loads(entry.detail)
        if isinstance(detail.get("version"), int) and not detail.get("unchanged"):
            found.setdefault(detail["version"], entry.actor)
    return found


def _find(course: str) -> dict:
    found = next((c for c in catalogue.list_courses() if c["course"] == course), None)
    if found is None:
        raise NotFound()
    return found


def _course_page(course: str, status: int = 200, error: str | None = None, form: dict | None = None):
    found = _find(course)
    versions = catalogue.versions(course)
    by = _importers(course)
    edges = _edges()
    published = found["current"]["version"] if found["current"] else None
    context = {"course": found, "versions": [dict(v, by=by.get(v["version"])) for v in versions],
               "holding": holding(course, published, found["targets"], edges),
               "edges": [e for e, info in edges.items() if info["status"] == ACTIVE],
               "error": error, "form": form or {}, "done": None, "done_edge": request.args.get("edge", "")}
    targeted = {t["edge"] for t in found["targets"]}
    done = request.args.get("done")
    if done == "send" and context["done_edge"] in targeted or done == "stop" and context["done_edge"] in edges:
        context["done"] = done  # said only when it is so: the address alone cannot make the page claim it
    return make_response(render_template("console/course.html", **context), status)


# ---- pages ----

@bp.get("/courses")
@access.require("courses.list")
def index():
    edges = _edges()
    courses = []
    for found in catalogue.list_courses():
        published = found["current"]["version"] if found["current"] else None
        courses.append(dict(found, holding=holding(found["course"], published, found["targets"], edges)))
    return render_template("console/courses.html", courses=courses)


@bp.get("/courses/<course>")
@access.require("courses.list")
def course(course: str):
    return _course_page(course)


@bp.post("/courses/<course>/targets")
@access.require("courses.target")
def target(course: str):
    _find(course)
    edge, group = request.form.get("edge", "").strip(), request.form.get("group", "").strip()
    change = request.form.get("change", "send")
    form = {"edge": edge, "group": group}
    if change not in ("send", "stop"):
        return _course_page(course, 400, "Choose to send the course or to stop sending it.", form)
    if not edge:
        return _course_page(course, 400, "Choose the edge (the prison's box) to send the course to.", form)
    try:
        catalogue.set_target(course, edge, group or None, remove=change == "stop")
    except Refused as exc:
        access.record("courses.target", f"{course}/{edge}", f"refused: {exc.code}", edge=edge, group=group,
                      change=change)
        reason = exc.body().get("reason") or exc.code
        return _course_page(course, exc.status, f"Nothing was changed: {reason}.", form)
    access.record("courses.target", f"{course}/{edge}", "ok", edge=edge, group=group, change=change)
    return redirect(url_for(".course", course=course, done=change, edge=edge), 303)


# ---- importing ----

def _spool_factory(total_content_length=None, content_type=None, filename=None, content_length=None):
    """Where an uploaded file's bytes go while the form is read: a temporary file in the blob store's
    tmp/ folder (in the instance, on the store's filesystem), never memory nor /tmp (a tmpfs on Debian)."""
    if g.course_spools:  # one package a form: a further file part is read and dropped (no file, no descriptor)
        return _Dropped()
    spool = BlobStore.from_config(current_app.config).temp_file(".zip")
    g.course_spools.append(spool.name)
    return spool


class _Dropped(io.BytesIO):
    """Where a file part after the first goes: nowhere."""

    def write(self, data) -> int:
        return len(data)


@bp.url_value_preprocessor
def _spool_uploads_in_the_instance(endpoint, _values):
    # URL value preprocessors run before every before_request function, so before the console's CSRF
    # check reads the form: the upload is streamed into the instance from its first byte.
    if endpoint == "console.courses.start_import":
        g.course_spools = []
        request._get_file_stream = _spool_factory


@bp.teardown_request
def _forget_unclaimed_spools(_exc):
    for name in g.pop("course_spools", []):
        if name != g.get("course_claimed"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)


@bp.get("/course-imports")
@access.require("courses.import")
def new_import():
    return render_template("console/course_import.html", error=None, course="")


@bp.post("/course-imports")
@body_limit("COURSE_MAX_PACKAGE_BYTES")
@access.require("courses.import")
def start_import():
    upload = request.files.get("package")
    course = request.form.get("course", "").strip()
    if upload is None or not upload.filename or getattr(upload.stream, "name", None) not in g.course_spools:
        access.record("courses.import", course, "refused: no_file")
        return make_response(render_template("console/course_import.html", course=course,
                                             error="Choose the package zip to import."), 400)
    upload.stream.close()
    spool = upload.stream.name
    config = current_app.config
    directory = imports.folder(current_app.instance_path)
    job = imports.create(directory, filename=upload.filename, size=os.path.getsize(spool), course=course or None,
                         by=g.staff.name, spool=spool)
    g.course_claimed = spool
    key = current_app.extensions["hub_keys"].get().signing
    imports.start(directory, job, spool, BlobStore.from_config(config), key, Limits.from_config(config),
                  access.actor(), request.path)
    return redirect(url_for(".import_job", job=job["id"]), 303)


@bp.get("/course-imports/<job>")
@access.require("courses.list")
def import_job(job: str):
    found = imports.read(imports.folder(current_app.instance_path), job)
    if found is None:
        raise NotFound()
    return render_template("console/course_job.html", job=found, stages=imports.STAGES,
                           final=found["stage"] in imports.FINAL)
