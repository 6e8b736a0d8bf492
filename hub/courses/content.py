"""Serving a stored course file to an edge: provisioning.stored.send_stored (ETag, If-None-Match
-> 304, one Range -> 206, unsatisfiable -> 416, streamed), the one implementation the edge's
tablet API uses too."""

from __future__ import annotations

from pathlib import Path

from flask import Response

from provisioning import stored

CACHE_CONTROL = "private, max-age=31536000, immutable"


def send(path: Path, sha256: str, size: int, media_type: str) -> Response:
    return stored.send_stored(path, sha256, size, media_type, CACHE_CONTROL)
