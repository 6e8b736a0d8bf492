"""Courses for tablets, on the edge's tablet HTTPS API (edge/tablets/api.py registers `bp`):

    GET /v1/courses            the verified manifests of the current versions, with their groups
    GET /v1/content/<sha256>   a file of a published version: ETag "<sha256>", If-None-Match -> 304,
                               one Range -> 206 (unsatisfiable -> 416), streamed from disk
                               (provisioning.https.send_stored, as the hub sends them to the edge)

Every route needs a tablet's client certificate (checked at the TLS handshake against the tablet
CA, and here against revocation in the store).

Behind nginx (`accel_app`, an option docs/bench.md measures; the box does not use it: the tablet
API alone, with keep-alive, serves small files faster and at half the CPU): nginx terminates TLS, checks the
certificate against the tablet CA and passes it, URL-escaped, in `X-Tablet-Cert` to this app on a
loopback-only plain-HTTP listener; the app authorises each request as above and answers with
`X-Accel-Redirect: /_blobs/<aa>/<sha256>`, and nginx sends the file (Range included) from disk.
The header is trusted only in that app, never on the TLS API. A file's bytes never change under its name, so
it is `Cache-Control: private, max-age=31536000, immutable`: a tablet downloads once and then
works offline.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sqlite3
import threading
from urllib.parse import unquote

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from edge import store
from edge.courses import catalogue
from edge.courses.nginx import CONTENT_POLICY
from provisioning import https, pki
from wire.blobs import BlobStore
from wire.records import valid_sha256

bp = Blueprint("courses", __name__, url_prefix="/v1")

IMMUTABLE = "private, max-age=31536000, immutable"
ACCEL_PREFIX = "/_blobs/"
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
        if current_app.config.get("COURSES_ACCEL") and request.headers.get("X-Tablet-Cert"):
            pem = unquote(request.headers["X-Tablet-Cert"])  # set by nginx after its TLS check
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


@bp.get("/content/<sha>")
@tablet_required
def content(sha: str):
    found = _one(catalogue.SERVABLE_SQL, (sha, *catalogue.SERVED_STATES)) if valid_sha256(sha) else None
    if found is None:
        return _refuse("not_found", "no course version on this edge holds that file: fetch /v1/courses again", 404)
    size, media_type = found
    if current_app.config.get("COURSES_ACCEL"):  # nginx sends the file (and applies any Range itself)
        headers = {"ETag": f'"{sha}"', "Cache-Control": IMMUTABLE}
        if request.if_none_match.contains(sha):
            return Response(status=304, headers=headers)
        return Response(status=200, headers={**headers, "X-Accel-Redirect": f"{ACCEL_PREFIX}{sha[:2]}/{sha}"},
                        content_type=media_type)
    try:
        return https.send_stored(BlobStore(current_app.config["EDGE"].courses_dir).path(sha), sha, size, media_type,
                                 IMMUTABLE)
    except FileNotFoundError:
        return _refuse("not_found", "the file is listed but missing from the cache: staff should run "
                       "`throughgate edge courses sync`", 404)


@bp.after_request
def _sandboxed(response: Response) -> Response:
    """Course files in a CSP sandbox, an origin of their own (edge.courses.nginx.CONTENT_POLICY)."""
    response.headers["Content-Security-Policy"] = CONTENT_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def accel_app(config) -> Flask:
    """The course routes for nginx in front (see the module's docstring): serve it on loopback only."""
    app = Flask(__name__)
    app.config.update(EDGE=config, COURSES_ACCEL=True)

    @app.teardown_request
    def _close(_exc=None):
        if not store.db.is_closed():
            store.db.close()

    app.register_blueprint(bp)
    return app
