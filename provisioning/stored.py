"""Serving a stored, content-addressed file over HTTP (the hub's course files for edges, the edge's
for tablets), on provisioning/https.py's server.

`send_stored()` answers a GET for a stored, content-addressed file (the hub's course files for
edges, the edge's for tablets), with validators and byte ranges (RFC 9110), streamed:

- `ETag: "<sha256>"` (strong: the name is the content), `Accept-Ranges: bytes`, the caller's
  Cache-Control;
- `If-None-Match` with that tag: 304; `Range: bytes=a-b` (one range): 206 with Content-Range;
  a range that starts past the end: 416 with `Content-Range: bytes */<size>`; several ranges,
  another unit, or a stale `If-Range`: the whole file (200), which RFC 9110 allows.
- The body is read in CHUNK pieces as the client takes it, never whole into memory.

(Not werkzeug's `send_file(conditional=True)`: it answers several ranges with 416 and its 416 is
an HTML page, where a client here gets the whole file and a JSON error.)
"""

from __future__ import annotations

from pathlib import Path

from flask import Response, jsonify, request
from werkzeug.http import parse_range_header

CHUNK = 256 * 1024
"""A stored file is sent in pieces of this size (each one TLS write in C, the GIL released)."""


def wanted_range(range_header: str | None, if_range: str | None, etag: str, size: int) -> tuple[int, int] | None | str:
    """(start, stop) to send part of the file; None for all of it; "unsatisfiable" for 416."""
    if not range_header or (if_range and if_range.strip() != etag):
        return None
    parsed = parse_range_header(range_header)
    if parsed is None or parsed.units != "bytes" or len(parsed.ranges) != 1:
        return None
    span = parsed.range_for_length(size)
    return span if span is not None else "unsatisfiable"


def send_stored(path: Path, sha256: str, size: int, media_type: str, cache_control: str) -> Response:
    """The file at `path` (named by its `sha256`, `size` bytes) for the current request; see the
    module's docstring. Raises FileNotFoundError if it is not there (before anything is sent)."""
    etag = f'"{sha256}"'
    headers = {"ETag": etag, "Accept-Ranges": "bytes", "Cache-Control": cache_control}
    if request.if_none_match.contains(sha256):
        return Response(status=304, headers=headers)
    span = wanted_range(request.headers.get("Range"), request.headers.get("If-Range"), etag, size)
    if span == "unsatisfiable":
        response = jsonify(error="range_not_satisfiable", reason=f"the file is {size} bytes")
        response.status_code = 416
        response.headers.update(headers)
        response.headers["Content-Range"] = f"bytes */{size}"
        return response
    start, stop = span or (0, size)
    handle = open(path, "rb")  # noqa: SIM115 (closed by the generator, or by the response if never started)
    response = Response(_read(handle, start, stop), status=206 if span else 200, content_type=media_type,
                        headers=headers, direct_passthrough=True)
    response.call_on_close(handle.close)
    response.content_length = stop - start
    if span:
        response.headers["Content-Range"] = f"bytes {start}-{stop - 1}/{size}"
    return response


def _read(handle, start: int, stop: int):
    handle.seek(start)
    left = stop - start
    while left > 0:
        chunk = handle.read(min(CHUNK, left))
        if not chunk:
            return
        left -= len(chunk)
        yield chunk
