"""Courses for tablets, on the edge's tablet HTTPS API (edge/tablets/api.py registers `bp`):

    GET /v1/courses            the verified manifests of the current versions, with their groups
    POST /v1/courses/<course>/launch   {"learner"} -> a capability URL on the content origin (content_origin.py)
    GET /v1/content/<sha256>   a file of a published version: ETag "<sha256>", If-None-Match -> 304,
                               one Range -> 206 (unsatisfiable -> 416), streamed from disk
                               (provisioning.stored.send_stored, as the hub sends them to the edge)

Every route needs a tablet's client certificate (checked at the TLS handshake against the tablet
CA, and here against revocation in the store).

A file's bytes never change under its name, so it is `Cache-Control: private, max-age=31536000,
immutable`: a tablet downloads once and then works offline. Course files are sent in a CSP sandbox
(CONTENT_POLICY). The box serves them with this API alone, no nginx in front: bench/accel.py has
that option and docs/bench.md the figures that decided it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sqlite3
import threading

from flask import Blueprint, Response, current_app, jsonify, request

from edge import store
from edge.courses import catalogue
from provisioning import capability, pki, stored
from wire.blobs import BlobStore
from wire.records import valid_sha256

bp = Blueprint("courses", __name__, url_prefix="/v1")

IMMUTABLE = "private, max-age=31536000, immutable"
CONTENT_POLICY = "sandbox allow-scripts allow-forms allow-modals allow-popups allow-downloads"
"""Course files (a package's HTML and scripts) run in an origin of their own, not the tablet API's:
else a page's script could use the tablet's client certificate on /v1/attachments or
/v1/tablets/renew and read the answers (docs/security.md)."""
CERT_SQL = f'SELECT device, revoked FROM "{store.TabletCert._meta.table_name}" WHERE serial = ?'  # noqa: S608


class Reader:
    """One query-only SQLite connection the request threads share, for the two lookups every file
    fetch makes. The server runs each connection in a new thread and the app closes peewee's
    per-thread connection after each request; opening one (with the store's PRAGMAs) cost ~0.7 ms,
    more than the rest of the request. Each query is a few microseconds, so one lock is enough."""

    def __init__(self, path):
        self.path = str(path)
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def one(self, sql: str, params: tuple) -> tuple | None:
        with self._lock:
            if self._conn is None:
                self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
                self._conn.execute("PRAGMA query_only = 1")
            cursor = self._conn.execute(sql, params)
            try:
                return cursor.fetchone()
            finally:
                cursor.close()  # no read snapshot is held between requests


@bp.record_once
def _attach_reader(state) -> None:
    state.app.extensions["courses_reader"] = Reader(state.app.config["EDGE"].db_path)


def _one(sql: str, params: tuple) -> tuple | None:
    return current_app.extensions["courses_reader"].one(sql, params)


def _refuse(code: str, reason: str, status: int):
    return jsonify(error=code, reason=reason), status


@functools.lru_cache(maxsize=4096)
def _identity(pem: str) -> tuple[str, str]:
    cert = pki.load_cert(pem.encode())
    return pki.common_name(cert), str(cert.serial_number)


def tablet_required(view):
    """The tablet's client certificate, verified at the handshake, not revoked since."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        pem = request.environ.get("SSL_CLIENT_CERT")
        if not pem:
            return _refuse("client_certificate_required", "courses are for enrolled tablets: connect with the "
                           "tablet's certificate", 401)
        device, serial = _identity(pem)
        found = _one(CERT_SQL, (serial,))
        if found is None or found[0] != device or found[1] is not None:
            return _refuse("tablet_revoked", f"tablet {device}'s certificate is not current at this edge: "
                           "ask staff to enrol it again", 403)
        return view(*args, **kwargs)

    return wrapped


@bp.get("/courses")
@tablet_required
def courses():
    listing = [{"envelope": json.loads(row.envelope), "groups": json.loads(row.groups)}
               for row in catalogue.current_versions()]
    body = json.dumps({"courses": listing}, separators=(",", ":")).encode()
    etag = hashlib.sha256(body).hexdigest()[:32]
    headers = {"ETag": f'"{etag}"', "Cache-Control": "private, no-cache"}
    if request.if_none_match.contains(etag):
        return Response(status=304, headers=headers)
    return Response(body, 200, headers, content_type="application/json")


def servable(sha: str) -> tuple[int, str] | None:
    """(size, media type) of a file that a published course version holds, or None."""
    return _one(catalogue.SERVABLE_SQL, (sha, *catalogue.SERVED_STATES)) if valid_sha256(sha) else None


def not_servable():
    return _refuse("not_found", "no course version on this edge holds that file: fetch /v1/courses again", 404)


@bp.get("/content/<sha>")
@tablet_required
def content(sha: str):
    found = servable(sha)
    if found is None:
        return not_servable()
    size, media_type = found
    try:
        return stored.send_stored(BlobStore(current_app.config["EDGE"].courses_dir).path(sha), sha, size, media_type,
                                 IMMUTABLE)
    except FileNotFoundError:
        return _refuse("not_found", "the file is listed but missing from the cache: staff should run "
                       "`throughgate edge courses sync`", 404)


@bp.post("/courses/<course>/launch")
@tablet_required
def launch(course: str):
    """A capability for the content origin (content_origin.py): {"learner", "version"?} -> where this learner's
    player opens this course version, for capability.TTL_S (the current version unless a served one is named,
    so a learner part-way through a retained version resumes in it)."""
    if request.headers.get("Sec-Fetch-Site") not in (None, "same-origin", "none"):
        return _refuse("cross_origin", "only the tablet's app, from this edge's own origin, may open courses", 403)
    body = request.get_json(silent=True)
    device, _ = _identity(request.environ["SSL_CLIENT_CERT"])
    bound = store.Tablet.get_or_none(store.Tablet.device == device)
    bound = bound.learner if bound is not None else None
    if isinstance(body, dict) and body.get("learner") is None and bound:
        body["learner"] = bound
    if not isinstance(body, dict) or not capability.valid_learner(body.get("learner")):
        return _refuse("bad_request", "send JSON with 'learner' (the learner's id, like L-0042)", 400)
    if bound and body["learner"] != bound:
        return _refuse("learner_mismatch", f"this tablet is {bound}'s: it cannot open courses for another learner",
                       403)
    version = body.get("version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        return _refuse("bad_request", "'version', when sent, is a course version number", 400)
    row = (catalogue.current(course) if version is None else catalogue.CourseVersion.get_or_none(
        catalogue.CourseVersion.course == course, catalogue.CourseVersion.version == version))
    if row is None or row.state not in catalogue.SERVED_STATES:
        return _refuse("not_found", f"this edge serves no course {course[:80]!r}"
                       + (f" version {version!r}" if version is not None else "") + ": fetch /v1/courses again", 404)
    config = current_app.config["EDGE"]
    token, expires = capability.mint(capability.load_key(config.instance), learner=body["learner"], device=device,
                                     course=row.course, version=row.version)
    host = request.host.rsplit(":", 1)[0] if not request.host.endswith("]") else request.host
    origin = f"https://{host}:{config.courses.content_port}"
    return jsonify(course=row.course, version=row.version, learner=body["learner"], origin=origin,
                   frame=f"{origin}/frame.html", content=f"{origin}/c/{token}/", expires=expires)


@bp.after_request
def sandboxed(response: Response) -> Response:
    """Course files in a CSP sandbox, an origin of their own (CONTENT_POLICY)."""
    response.headers["Content-Security-Policy"] = CONTENT_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
