"""The content origin: course files on an HTTPS port of their own (`courses.content_port`), so that a
SCORM package runs at an origin that holds no credential, next to the runtime it looks for.

    GET /c/<token>/<path>   a file of the course version the token names (capability.py), by its path in the
                            package, so the package's relative links work; ETag "<sha256>", Range, 304
    GET /files/<token>      the paths of that version (the service worker keeps them all, for offline)
    GET /frame.html         the player's wrapper page: puts scorm-again's cross-frame API at window.API (1.2)
                            and window.API_1484_11 (2004), frames the package's launch file (same origin, so
                            the content's lookup through window.parent finds it), and talks to the app's origin
                            (the tablet API's, https://<host>:<tablets.api_port>) by postMessage alone
    GET /frame.js, /sw.js   its script and the service worker that keeps the files for offline (app/src/scorm/)

Why not the tablet API's port: a page there runs with the tablet's client certificate (the sandbox without
allow-same-origin stopped that, and also stopped the SCORM API lookup, which needs the content and its API on
one origin). Here the server asks for no client certificate and sets no cookie, so a course's scripts have
nothing of the tablet's to use: no certificate, no cookie, and the app's IndexedDB belongs to another origin.
Each file's URL carries a short-lived token (no anonymous access) that only the tablet API makes.
"""

from __future__ import annotations

import ssl
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, jsonify, request, send_file

from edge.config import EdgeConfig
from edge.courses import capability
from edge.courses.serve import Reader
from edge.courses.tables import CURRENT, RETAINED, CourseVersion, VersionFile
from edge.identity import EdgeFiles
from provisioning import https, stored
from wire.blobs import BlobStore

_FILES, _VERSIONS = VersionFile._meta.table_name, CourseVersion._meta.table_name
FILE_SQL = (f'SELECT f.sha256, f.size, f.type FROM "{_FILES}" f JOIN "{_VERSIONS}" v ON v.id = f.version_id '  # noqa: S608
            'WHERE v.course = ? AND v.version = ? AND v.state IN (?, ?) AND f.path = ? LIMIT 1')
PATHS_SQL = (f'SELECT f.path FROM "{_FILES}" f JOIN "{_VERSIONS}" v ON v.id = f.version_id '  # noqa: S608
             'WHERE v.course = ? AND v.version = ? AND v.state IN (?, ?) ORDER BY f.path')
FILE_CACHE = "private, max-age=86400"
"""A version's file never changes under its path; the URL carries the token, so the browser's cache only helps
within one launch. Offline the service worker serves them (keyed by course, version and path)."""
PAGE_CACHE = "no-cache"
FRAME_FILES = {"frame.js": "scorm-frame.js", "sw.js": "scorm-sw.js"}


class _Reader(Reader):
    """serve.Reader, with every row of a query too."""

    def all(self, sql: str, params: tuple) -> list[tuple]:
        if self._conn is None:
            self.one("SELECT 1", ())  # opens the connection
        with self._lock:
            return self._conn.execute(sql, params).fetchall()


def app_origin(config: EdgeConfig) -> str:
    """The tablet app's origin as this browser sees it: the host it asked for here, the tablet API's port."""
    host = urlsplit(f"//{request.host}").hostname or config.tablets.api_host
    host = f"[{host}]" if ":" in host else host
    return f"https://{host}:{config.tablets.api_port}"


def _refuse(code: str, reason: str, status: int):
    response = jsonify(error=code, reason=reason)
    response.status_code = status
    return response


def _dist():
    import webapp  # the built app's files; imports nothing of the project

    return webapp.DIST


def create_app(config: EdgeConfig) -> Flask:
    app = Flask(__name__)
    app.config.update(EDGE=config, TOKEN_KEY=capability.load_key(config.instance), READER=_Reader(config.db_path))

    @app.get("/frame.html")
    def frame():
        origin = app_origin(config)
        page = (_dist() / "scorm-frame.html")
        if not page.is_file():
            return _refuse("not_built", "the app is not built on this edge: run `make` (webapp/dist)", 503)
        html = page.read_text().replace("__APP_ORIGIN__", origin)
        return Response(html, 200, {"Cache-Control": PAGE_CACHE,
                                    "Content-Security-Policy": f"frame-ancestors {origin}"},
                        content_type="text/html; charset=utf-8")

    @app.get("/<any(frame.js, sw.js):name>")
    def frame_script(name: str):
        path = _dist() / FRAME_FILES[name]
        if not path.is_file():
            return _refuse("not_built", "the app is not built on this edge: run `make` (webapp/dist)", 503)
        response = send_file(path, mimetype="text/javascript", max_age=0)
        response.headers["Cache-Control"] = PAGE_CACHE
        return response

    @app.get("/files/<token>")
    def files(token: str):
        """The paths of the token's course version, for the service worker to keep them all (offline)."""
        try:
            grant = capability.verify(current_app.config["TOKEN_KEY"], token)
        except capability.TokenError as exc:
            return _refuse(exc.code, exc.reason, 403)
        paths = [row[0] for row in current_app.config["READER"].all(PATHS_SQL, (grant.course, grant.version,
                                                                                  CURRENT, RETAINED))]
        response = jsonify(course=grant.course, version=grant.version, paths=paths)
        response.headers["Cache-Control"] = PAGE_CACHE
        return response

    @app.get("/c/<token>/<path:path>")
    def content(token: str, path: str):
        try:
            grant = capability.verify(current_app.config["TOKEN_KEY"], token)
        except capability.TokenError as exc:
            return _refuse(exc.code, exc.reason, 403)
        found = current_app.config["READER"].one(FILE_SQL, (grant.course, grant.version, CURRENT, RETAINED, path))
        if found is None:
            return _refuse("not_found", f"{grant.course} version {grant.version} holds no file {path[:200]!r}", 404)
        sha, size, media_type = found
        try:
            response = stored.send_stored(BlobStore(config.courses_dir).path(sha), sha, size, media_type, FILE_CACHE)
        except FileNotFoundError:
            return _refuse("not_found", "the file is listed but missing from the cache: staff should run "
                           "`throughgate edge courses sync`", 404)
        # framed by the wrapper (this origin) inside the app's page: every ancestor must be one of these
        response.headers["Content-Security-Policy"] = f"frame-ancestors 'self' {app_origin(config)}"
        return response

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.pop("Set-Cookie", None)  # this origin holds nothing: never a cookie
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"  # a token in a URL goes nowhere else
        return response

    return app


def server_context(files: EdgeFiles) -> ssl.SSLContext:
    """The edge's server certificate; no client certificate is asked for (CERT_NONE): a tablet's browser presents
    none here, so nothing a course runs can be made to use it."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(str(files.server_cert), str(files.server_key))
    context.verify_mode = ssl.CERT_NONE
    return context


class ContentOriginServer(https.HttpsServer):
    def __init__(self, config: EdgeConfig, port: int | None = None):
        files = EdgeFiles(config.instance)
        host = config.courses.content_host or config.tablets.api_host
        super().__init__(create_app(config), host, config.courses.content_port if port is None else port,
                         lambda: server_context(files), name="content-origin")
