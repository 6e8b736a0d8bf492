"""Serving the built app at /app/: one Flask blueprint that the hub registers for phones (side "phone") and the
edge's tablet API for tablets (side "tablet"), so the two serve the same files with the same headers.

    GET /app            308 to /app/
    GET /app/           index.html, with <html data-side="..."> set to the side (the app reads it)
    GET /app/<path>     a file of webapp/dist (asset-manifest.json lists them), ETag its SHA-256
    GET /app/sw.js      the service worker, with Service-Worker-Allowed: /app/
    GET /app/asset-manifest.json   the build's list of files, which the service worker precaches

Text files go gzipped to a browser that takes gzip. Every answer is `Cache-Control: no-cache` (the browser
revalidates by ETag, a 304 when unchanged): the files' names carry no hash, and the service worker keeps the
offline copies. The Content-Security-Policy allows only this origin (no inline script, no eval); `frame_src` adds
where the side frames from (the tablet's SCORM content origin). Where the app is not built, every /app/ address
answers a 503 page saying to run `make deps`.
Flask only: webapp imports nothing of the project."""

from __future__ import annotations

import gzip
import hashlib
import json
import mimetypes
from collections.abc import Callable
from pathlib import Path

from flask import Blueprint, Response, redirect, request
from werkzeug.security import safe_join

import webapp

SIDES = ("phone", "tablet")
MANIFEST = "asset-manifest.json"
PREFIX = "/app"
TYPES = {".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8", ".json": "application/json", ".html": "text/html; charset=utf-8",
         ".webmanifest": "application/manifest+json", ".svg": "image/svg+xml", ".png": "image/png",
         ".woff2": "font/woff2", ".wasm": "application/wasm"}
COMPRESSED = ("text/", "application/json", "application/manifest+json", "image/svg+xml")
SIDE_MARK = 'data-side="phone"'  # as app/static/index.html has it; replaced by the side that serves it


def csp(frame_src: tuple[str, ...] = ()) -> str:
    """The app's policy: this origin only, no inline script. blob: for the person's own photos and voice notes
    (made on the device, shown before sending); data: images for inline icons."""
    frames = " ".join(("'self'", *frame_src))
    return ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
            "media-src 'self' blob:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; "
            f"frame-src {frames}; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'")


NOT_BUILT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>The app is not built here</title></head>
<body><main><h1>The app is not built here</h1>
<p>This server has no built copy of the person's app (webapp/dist is missing).</p>
<p>Staff: run <code>make deps</code> in the source tree (it runs <code>node app/build.mjs</code>), or install a
throughgate wheel built by <code>make</code>, then reload this page.</p></main></body></html>
"""


class Files:
    """The built files' SHA-256 from asset-manifest.json, read again when the build changes it."""

    def __init__(self):
        self._stamp, self._sha = None, {}

    def sha256(self, dist: Path, name: str) -> str | None:
        manifest = dist / "asset-manifest.json"
        stamp = (str(manifest), manifest.stat().st_mtime_ns)
        if stamp != self._stamp:
            assets = json.loads(manifest.read_text())["assets"]
            self._sha, self._stamp = {a["path"]: a["sha256"] for a in assets}, stamp
        return self._sha.get(name)


_gzipped: dict[str, bytes] = {}


def _gzip(etag: str, body: bytes) -> bytes:
    """The file gzipped once per build (files are few and small: the app's whole build is under a megabyte)."""
    if etag not in _gzipped:
        if len(_gzipped) > 256:
            _gzipped.clear()
        _gzipped[etag] = gzip.compress(body, 9, mtime=0)
    return _gzipped[etag]


def _answer(body: bytes, content_type: str, etag: str, policy: str, status: int = 200) -> Response:
    """A file's answer: gzipped where the browser takes gzip and it is text (data costs the person money;
    the first load's figure in docs/app.md is gzipped bytes), with its own ETag then."""
    compress = content_type.startswith(COMPRESSED) and len(body) > 512 and "gzip" in request.accept_encodings
    response = Response(_gzip(etag, body) if compress else body, status=status, content_type=content_type)
    if compress:
        response.headers["Content-Encoding"] = "gzip"
        etag = f"{etag}-gzip"
    response.headers["Vary"] = "Accept-Encoding"
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Content-Security-Policy"] = policy
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    return response.make_conditional(request)


def blueprint(name: str, side: str, frame_src: Callable[[], tuple[str, ...]] = tuple) -> Blueprint:
    """The /app/ routes for one side. frame_src() is asked per request (an origin can depend on the Host asked
    for). The files are looked up in webapp.DIST at each request."""
    if side not in SIDES:
        raise ValueError(f"side must be one of {SIDES}")
    bp = Blueprint(name, __name__)
    files = Files()

    def built() -> bool:
        return (webapp.DIST / "asset-manifest.json").is_file()

    def not_built() -> Response:
        response = Response(NOT_BUILT_PAGE, status=503, content_type="text/html; charset=utf-8")
        response.headers["Cache-Control"] = "no-store"
        response.headers["Retry-After"] = "300"
        response.headers["Content-Security-Policy"] = "default-src 'none'"
        response.headers["X-Throughgate-Reason"] = webapp.NOT_BUILT
        return response

    def index() -> Response:
        html = (webapp.DIST / "index.html").read_bytes().replace(SIDE_MARK.encode(), f'data-side="{side}"'.encode(), 1)
        return _answer(html, TYPES[".html"], hashlib.sha256(html).hexdigest(), csp(frame_src()))

    @bp.get(PREFIX)
    def app_root():
        return redirect(f"{PREFIX}/", 308)

    @bp.get(f"{PREFIX}/")
    def app_index():
        return index() if built() and (webapp.DIST / "index.html").is_file() else not_built()

    @bp.get(f"{PREFIX}/<path:path>")
    def app_file(path: str):
        if not built():
            return not_built()
        if path == "index.html":
            return index()
        found = safe_join(str(webapp.DIST), path)
        if path == MANIFEST:  # the service worker's list: not in itself, so hashed here
            body = (webapp.DIST / MANIFEST).read_bytes()
            return _answer(body, TYPES[".json"], hashlib.sha256(body).hexdigest(), csp(frame_src()))
        sha = files.sha256(webapp.DIST, path)
        if found is None or sha is None or not Path(found).is_file():
            return Response("Not found: this file is not part of the app.\n", status=404,
                            content_type="text/plain; charset=utf-8")
        suffix = Path(path).suffix
        content_type = TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"
        response = _answer(Path(found).read_bytes(), content_type, sha, csp(frame_src()))
        if path == "sw.js":
            response.headers["Service-Worker-Allowed"] = f"{PREFIX}/"
        return response

    return bp
