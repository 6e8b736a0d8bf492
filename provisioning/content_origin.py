"""A content origin: course files on an HTTPS port of their own, so that a SCORM package runs at an origin that
holds no credential, next to the runtime it looks for. One implementation, two places: the edge's for tablets
(edge/courses/content_origin.py, `courses.content_port`) and the hub's for phones after release
(hub/courses/content_origin.py, `CONTENT_PORT`). Each side passes in where its files are (`Files`) and the app's
origin the wrapper may talk to.

    GET /c/<token>/<path>   a file of the course version the token names (provisioning/capability.py), by its
                            path in the package, so the package's relative links work; ETag "<sha256>", Range, 304
    GET /files/<token>      the paths of that version (the service worker keeps them all, for offline)
    GET /frame.html         the player's wrapper page: puts scorm-again's cross-frame API at window.API (1.2)
                            and window.API_1484_11 (2004), frames the package's launch file (same origin, so
                            the content's lookup through window.parent finds it), and talks to the app's origin
                            by postMessage alone
    GET /frame.js, /sw.js   its script and the service worker that keeps the files for offline (app/src/entries/)

The server asks for no client certificate and sets no cookie, so a course's scripts have nothing of the device's
to use: no certificate, no cookie, no signing key, and the app's IndexedDB belongs to another origin. Each file's
URL carries a short-lived token (no anonymous access) that only an authenticated route of the app's makes.
"""

from __future__ import annotations

import hashlib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, current_app, jsonify, send_file

from provisioning import capability, stored

FILE_CACHE = "private, max-age=86400"
"""A version's file never changes under its path; the URL carries the token, so the browser's cache only helps
within one launch. Offline the service worker serves them (keyed by course, version and path)."""
PAGE_CACHE = "no-cache"
FRAME_FILES = {"frame.js": "scorm-frame.js", "sw.js": "scorm-sw.js"}


@dataclass(frozen=True)
class Files:
    """Where a side's course files are: `file(course, version, path)` -> (sha256, size, media type) or None;
    `paths(course, version)` -> every path of the version; `blob(sha256)` -> the file on disk; `missing`: what
    staff should do when a listed file is not on disk."""

    file: Callable[[str, int, str], tuple[str, int, str] | None]
    paths: Callable[[str, int], list[str]]
    blob: Callable[[str], Path]
    missing: str


def _refuse(code: str, reason: str, status: int):
    response = jsonify(error=code, reason=reason)
    response.status_code = status
    return response


def _dist() -> Path:
    import webapp  # the built app's files; imports nothing of the project

    return webapp.DIST


WRAPPER_HASHES = b"__WRAPPER_SHA256__"
"""In the service worker (app/src/entries/scorm-sw.js), replaced as it is served by `/frame.html=<sha256>;
/frame.js=<sha256>`: the worker's own copy of what the wrapper's two files hold, in the one script no course's
script can write (the browser keeps a worker's script itself), so it serves them from its cache, offline, only
unchanged (docs/courses.md, "Offline copies")."""


def _frame_html(origin: str) -> bytes | None:
    """The wrapper page as served to a browser whose app is at `origin`, or None when the app is not built."""
    page = _dist() / "scorm-frame.html"
    return page.read_text().replace("__APP_ORIGIN__", origin).encode() if page.is_file() else None


def _not_built(where: str):
    return _refuse("not_built", f"the app is not built on this {where}: run `make` (webapp/dist)", 503)


def create_app(*, token_key: bytes, files: Files, app_origin: Callable[[], str], where: str) -> Flask:
    """The content origin's Flask app. `app_origin()` is asked per request (the host the browser asked for):
    the only origin that may frame the wrapper and that the wrapper talks to. `where`: "edge" or "hub", for
    messages."""
    app = Flask(__name__)
    app.config.update(TOKEN_KEY=token_key)

    def grant_of(token: str):
        return capability.verify(current_app.config["TOKEN_KEY"], token)

    @app.get("/frame.html")
    def frame():
        origin = app_origin()
        html = _frame_html(origin)
        if html is None:
            return _not_built(where)
        return Response(html, 200, {"Cache-Control": PAGE_CACHE,
                                    "Content-Security-Policy": f"frame-ancestors {origin}"},
                        content_type="text/html; charset=utf-8")

    @app.get("/<any(frame.js, sw.js):name>")
    def frame_script(name: str):
        path = _dist() / FRAME_FILES[name]
        if not path.is_file():
            return _not_built(where)
        if name == "sw.js":  # with the wrapper's hashes, so it never serves a changed copy of them offline
            html, script = _frame_html(app_origin()), _dist() / FRAME_FILES["frame.js"]
            hashes = ""
            if html is not None and script.is_file():
                hashes = (f"/frame.html={hashlib.sha256(html).hexdigest()};"
                          f"/frame.js={hashlib.sha256(script.read_bytes()).hexdigest()}")
            body = path.read_bytes().replace(WRAPPER_HASHES, hashes.encode())
            return Response(body, 200, {"Cache-Control": PAGE_CACHE}, mimetype="text/javascript")
        response = send_file(path, mimetype="text/javascript", max_age=0)
        response.headers["Cache-Control"] = PAGE_CACHE
        return response

    @app.get("/files/<token>")
    def listing(token: str):
        """The paths of the token's course version, for the service worker to keep them all (offline)."""
        try:
            grant = grant_of(token)
        except capability.TokenError as exc:
            return _refuse(exc.code, exc.reason, 403)
        response = jsonify(course=grant.course, version=grant.version, paths=files.paths(grant.course, grant.version))
        response.headers["Cache-Control"] = PAGE_CACHE
        return response

    @app.get("/c/<token>/<path:path>")
    def content(token: str, path: str):
        try:
            grant = grant_of(token)
        except capability.TokenError as exc:
            return _refuse(exc.code, exc.reason, 403)
        found = files.file(grant.course, grant.version, path)
        if found is None:
            return _refuse("not_found", f"{grant.course} version {grant.version} holds no file {path[:200]!r}", 404)
        sha, size, media_type = found
        try:
            response = stored.send_stored(files.blob(sha), sha, size, media_type, FILE_CACHE)
        except FileNotFoundError:
            return _refuse("not_found", f"the file is listed but missing from the store: {files.missing}", 404)
        # framed by the wrapper (this origin) inside the app's page: every ancestor must be one of these
        response.headers["Content-Security-Policy"] = f"frame-ancestors 'self' {app_origin()}"
        return response

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.pop("Set-Cookie", None)  # this origin holds nothing: never a cookie
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"  # a token in a URL goes nowhere else
        return response

    return app


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    """The server's certificate; no client certificate is asked for (CERT_NONE): a device's browser presents
    none here, so nothing a course runs can be made to use it."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(str(cert), str(key))
    context.verify_mode = ssl.CERT_NONE
    return context


def origin(host: str | None, fallback: str, port: int) -> str:
    """`https://<host>:<port>`: the host a browser asked for (a Host header's, without its port), else
    `fallback`; an IPv6 address in brackets."""
    from urllib.parse import urlsplit

    name = (urlsplit(f"//{host}").hostname if host else None) or fallback
    name = f"[{name}]" if ":" in name else name
    return f"https://{name}:{port}"
