"""Learners' names (the manager's page): the list, one learner's name set or cleared, and a CSV import shown as
a preview (new, changed, unchanged, refused) that the manager confirms, all rows or none."""

from __future__ import annotations

import base64
import binascii

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for

from edge.console import learning
from edge.console.access import require
from edge.learners import csvimport, names
from wire.records import valid_learner

bp = Blueprint("learners", __name__, url_prefix="/learners")
UPLOADS = ("learners.import_preview", "learners.import_confirm")
UPLOAD_LIMIT = csvimport.MAX_BYTES * 2  # the file, or its base64 (4/3) in the confirm form, with room for the form


@bp.url_value_preprocessor
def _upload_limits(endpoint, _values) -> None:
    """The console takes 64 KiB a request; an import takes a file up to csvimport.MAX_BYTES. Set before the
    CSRF check (a before_request) reads the form."""
    if endpoint in UPLOADS and session.get("user"):  # a logged-in session's cookie (the role is checked after)
        request.max_content_length = UPLOAD_LIMIT
        request.max_form_memory_size = UPLOAD_LIMIT


def _rows() -> list[dict]:
    kept = {row.learner: row for row in names.listing()}
    learners = sorted(set(learning.known_learners(learning.Scope(everyone=True))) | set(kept))
    return [{"learner": learner, "row": kept.get(learner)} for learner in learners]


@bp.get("/")
@require("manager")
def index():
    return render_template("learners/index.html", rows=_rows())


def _learner(learner: str) -> str:
    if not valid_learner(learner):
        abort(404)
    return learner


def _edit(learner: str, error: str | None = None, status: int = 200):
    return render_template("learners/edit.html", learner=learner, kept=names.get(learner), error=error,
                           name_max=names.NAME_MAX), status


@bp.get("/learner/<learner>")
@require("manager")
def edit(learner: str):
    return _edit(_learner(learner))


@bp.post("/learner/<learner>")
@require("manager")
def save(learner: str):
    learner = _learner(learner)
    try:
        names.set_name(learner, request.form.get("name", ""), request.form.get("prison_number", ""),
                       by=g.member.username)
    except names.NamesError as exc:
        return _edit(learner, str(exc), 400)
    flash(f"Name of {learner} saved.")
    return redirect(url_for("learners.index"))


@bp.post("/learner/<learner>/clear")
@require("manager")
def clear(learner: str):
    learner = _learner(learner)
    names.clear_name(learner, by=g.member.username)
    flash(f"Name and prison number of {learner} removed.")
    return redirect(url_for("learners.index"))


def _import_form(error: str, status: int = 400):
    return render_template("learners/import.html", error=error, limits=_limits()), status


def _limits() -> dict:
    return {"bytes": f"{csvimport.MAX_BYTES // 1024 // 1024} MiB", "rows": f"{csvimport.MAX_ROWS:,}",
            "name": names.NAME_MAX}


@bp.get("/import")
@require("manager")
def import_form():
    return render_template("learners/import.html", error=None, limits=_limits())


@bp.post("/import")
@require("manager")
def import_preview():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _import_form("Choose the CSV file to import, then press Preview.")
    data = upload.read(csvimport.MAX_BYTES + 1)
    try:
        preview = csvimport.preview(data)
    except csvimport.ImportRefused as exc:
        return _import_form(f"Nothing was imported: {exc}.")
    return render_template("learners/preview.html", preview=preview, filename=upload.filename,
                           data=base64.b64encode(data).decode()), 400 if preview.refused else 200


@bp.post("/import/confirm")
@require("manager")
def import_confirm():
    try:
        data = base64.b64decode(request.form.get("data", ""), validate=True)
    except binascii.Error:
        return _import_form("Nothing was imported: the previewed file did not come back whole. Choose the file "
                            "again and press Preview.")
    try:
        result = csvimport.apply(data, by=g.member.username)
    except csvimport.ImportRefused as exc:
        return _import_form(f"Nothing was imported: {exc}.")
    if result.refused:
        return render_template("learners/preview.html", preview=result, filename=request.form.get("filename", ""),
                               data=request.form.get("data", "")), 400
    flash(f"Names imported: {result.count('new')} new, {result.count('changed')} changed, "
          f"{result.count('unchanged')} unchanged.")
    return redirect(url_for("learners.index"))
