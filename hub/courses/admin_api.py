"""The hub's administrators (admin bearer token) manage courses:

- POST /v1/admin/courses[?course=SLUG]: the body is a package zip (Content-Type application/zip,
  at most COURSE_MAX_PACKAGE_BYTES); 201 with the new version and its signed manifest, 200 with
  `"unchanged": true` if it equals the current version, 400 {"error", "reason"} if refused
  (`course_name_taken` adds "course" and "suggestion": POST again with ?course= one of them).
- GET /v1/admin/courses: every course, its current version and targets.
- GET /v1/admin/courses/<course>: its versions; GET .../<course>/manifest[?version=N].
- PUT /v1/admin/courses/<course>/targets {"edge", "group"?}: send it to an edge (or one group
  there); DELETE with the same body stops. Both answer the course's targets.
"""

from __future__ import annotations

import os

from flask import Blueprint, current_app, jsonify, request

from hub.auth import admin_required
from hub.courses import catalogue
from hub.courses.blobs import BlobStore
from hub.courses.importer import CourseNameTaken, import_package
from hub.courses.package import Limits, PackageError
from hub.errors import json_object
from hub.limits import body_limit
from hub.refusals import Refused

bp = Blueprint("admin_courses", __name__, url_prefix="/v1/admin/courses")

ZIP_TYPES = ("application/zip", "application/x-zip-compressed", "application/octet-stream")
CHUNK = 1 << 20


def import_upload(course: str | None) -> dict:
    """Spool the request body to a temporary file (never whole in memory), then import it."""
    store = BlobStore.from_config(current_app.config)
    spool = store.temp_file(".zip")
    try:
        with spool:
            while chunk := request.stream.read(CHUNK):
                spool.write(chunk)
        return import_package(spool.name, store, current_app.extensions["hub_keys"].get().signing,
                              Limits.from_config(current_app.config), course).to_dict()
    except CourseNameTaken as exc:
        raise Refused(400, exc.code, f"{exc.reason}: send it again with ?course={exc.suggestion} or "
                      f"?course={exc.course}", course=exc.course, suggestion=exc.suggestion) from None
    except PackageError as exc:
        raise Refused(400, exc.code, exc.reason) from None
    finally:
        os.unlink(spool.name)


@bp.post("")
@body_limit("COURSE_MAX_PACKAGE_BYTES")
@admin_required("courses.import")
def upload():
    if request.mimetype not in ZIP_TYPES:
        raise Refused(415, "unsupported_media_type", "send the package zip as the body, with Content-Type: "
                      "application/zip")
    imported = import_upload(request.args.get("course"))
    return jsonify(imported), 200 if imported["unchanged"] else 201


@bp.get("")
@admin_required("courses.list")
def list_all():
    return jsonify(courses=catalogue.list_courses())


@bp.get("/<course>")
@admin_required("courses.list")
def course_versions(course: str):
    return jsonify(course=course, versions=catalogue.versions(course))


@bp.get("/<course>/manifest")
@admin_required("courses.list")
def course_manifest(course: str):
    return jsonify(catalogue.manifest(course, request.args.get("version", type=int)))


@bp.route("/<course>/targets", methods=["PUT", "DELETE"])
@admin_required("courses.target")
def targets(course: str):
    body = json_object()
    group = body.get("group")
    if group is not None and not isinstance(group, str):
        raise Refused(400, "bad_request", "'group' must be a string")
    found = catalogue.set_target(course, body.get("edge"), group, remove=request.method == "DELETE")
    return jsonify(course=course, targets=found)
