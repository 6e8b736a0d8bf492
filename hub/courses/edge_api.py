"""What an enrolled edge fetches of its courses, over mutual TLS (`edge_required`):

- GET /v1/courses: `{"courses": [{"envelope": <signed manifest>, "groups": [...]}]}`, the current
  version of each course targeted at the calling edge (groups empty: everyone there).
- GET /v1/content/<sha256>: a file of a course targeted at the calling edge (any of its
  versions), with ETag, Range and 416 (hub/courses/content.py); 404 for any other hash, so an
  edge learns nothing of other prisons' courses.
"""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify

from hub.auth import edge_required
from hub.courses import catalogue, content
from hub.courses.blobs import BlobStore
from hub.refusals import Refused
from wire.records import valid_sha256

log = logging.getLogger("hub.courses")

bp = Blueprint("edge_courses", __name__)


@bp.get("/v1/courses")
@edge_required
def courses(caller):
    return jsonify(courses=catalogue.for_edge(caller.edge_id))


@bp.get("/v1/content/<sha256>")
@edge_required
def file_content(caller, sha256: str):
    row = catalogue.blob_for_edge(caller.edge_id, sha256) if valid_sha256(sha256) else None
    if row is None:
        raise Refused(404, "not_found", "no such file in the courses sent to this edge")
    store = BlobStore.from_config(current_app.config)
    path = store.path(sha256)
    if not path.is_file():
        log.error("blob %s is in the database but not in %s", sha256, store.root)
        raise Refused(503, "blob_missing", "the hub cannot find this file in its store; try again later")
    return content.send(path, sha256, row.size, row.type)
