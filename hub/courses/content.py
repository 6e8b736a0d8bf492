"""Serving a stored file over HTTP with validators and byte ranges (RFC 9110), streamed.

- `ETag: "<sha256>"` (strong: the name is the content), `Accept-Ranges: bytes`;
- `If-None-Match` with that tag: 304; `Range: bytes=a-b` (one range): 206 with Content-Range;
  a range that starts past the end: 416 with `Content-Range: bytes */<size>`; several ranges,
  another unit, or a stale `If-Range`: the whole file (200), which RFC 9110 allows.
- The body is read in CHUNK pieces as the client takes it, never whole into memory.
"""

from __future__ import annotations

from pathlib import Path

from flask import Response, jsonify, request
from werkzeug.http import parse_range_header

from hub.courses.blobs import CHUNK

CACHE_CONTROL = "private, max-age=31536000, immutable"


def wanted_range(range_header: str | None, if_range: str | None, etag: str, size: int) -> tuple[int, int] | None | str:
    """(start, stop) to send part of the file; None for all of it; "unsatisfiable" for 416."""
    if not range_header or (if_range and if_range.strip() != etag):
        return None
    parsed = parse_range_header(range_header)
    if parsed is None or parsed.units != "bytes" or len(parsed.ranges) != 1:
        return None
    span = parsed.range_for_length(size)
    return span if span is not None else "unsatisfiable"


def _stream(path: Path, start: int, stop: int):
    with path.open("rb") as handle:
        handle.seek(start)
        left = stop - start
        while left > 0:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk


def send(path: Path, sha256: str, size: int, media_type: str) -> Response:
    etag = f'"{sha256}"'
    headers = {"ETag": etag, "Accept-Ranges": "bytes", "Cache-Control": CACHE_CONTROL}
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        return Response(status=304, headers=headers)
    span = wanted_range(request.headers.get("Range"), request.headers.get("If-Range"), etag, size)
    if span == "unsatisfiable":
        response = jsonify(error="range_not_satisfiable", reason=f"the file is {size} bytes")
        response.status_code = 416
        response.headers.update(headers)
        response.headers["Content-Range"] = f"bytes */{size}"
        return response
    start, stop = span or (0, size)
    response = Response(_stream(path, start, stop), status=206 if span else 200, content_type=media_type,
                        headers=headers, direct_passthrough=True)
    response.content_length = stop - start
    if span:
        response.headers["Content-Range"] = f"bytes {start}-{stop - 1}/{size}"
    return response
