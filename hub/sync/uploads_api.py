"""A person's phone uploads photos and voice notes, and fetches those of their messages, with signed
requests (RFC 9421, like a sync):

- GET /v1/phone/uploads/<sha256>: how much of the file the hub holds (`received`), so a cut upload
  goes on from there;
- PUT /v1/phone/uploads/<sha256>: one chunk, `Content-Range: bytes first-last/size`, `Content-Type`
  the file's media type;
- GET /v1/phone/attachments/<sha256>: an attachment of one of the person's own messages, with
  `Range` (206), so a cut download goes on from the bytes the phone holds.

The rules are in hub/sync/uploads.py; docs/phone-sync.md has the protocol."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from hub import limits
from hub.phones import service as phones
from hub.refusals import Refused
from hub.sync import sealed, uploads
from provisioning import signatures
from wire import media

bp = Blueprint("uploads", __name__, url_prefix="/v1/phone")


def store() -> uploads.Store:
    return uploads.Store(current_app.config["ATTACHMENTS_DIR"], current_app.config["ATTACHMENTS_KEY_FILE"])


def _caller(body: bytes):
    return phones.check(request.method, signatures.request_url(request.environ), request.headers, body)


@bp.get("/uploads/<sha256>")
def status(sha256: str):
    caller = _caller(b"")
    return jsonify(uploads.status(store(), caller, sha256, uploads.Rules.from_config(current_app.config)))


@bp.put("/uploads/<sha256>")
@limits.body_limit("PHONE_UPLOAD_CHUNK_BYTES")
def put(sha256: str):
    body = limits.read_body()
    caller = _caller(body)
    return jsonify(uploads.put(store(), caller, sha256, request.headers.get("Content-Range"),
                               request.headers.get("Content-Type"), body,
                               uploads.Rules.from_config(current_app.config)))


def send_sealed(person_id: str, row, download: bool = False) -> Response:
    """The attachment's bytes, opened from the sealed file, all or the Range asked for (206)."""
    path = store().blob(person_id, row.sha256)
    if not path.exists():
        raise Refused(404, "not_found", "this attachment is not on the hub (yet): ask again after the next sync")
    wanted = uploads.wanted_range(request.headers.get("Range"), row.bytes)
    first, last = wanted or (0, row.bytes - 1)
    key = store().key
    pieces = sealed.read(path, key, row.sha256, first, last)
    response = Response(pieces, 206 if wanted else 200, mimetype=row.media_type, direct_passthrough=True)
    response.headers["Content-Length"] = str(last - first + 1)
    response.headers["Accept-Ranges"] = "bytes"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if wanted:
        response.headers["Content-Range"] = f"bytes {first}-{last}/{row.bytes}"
    name = f"{media.kind_of(row.media_type) or 'file'}-{row.sha256[:12]}{media.SUFFIXES.get(row.media_type, '')}"
    response.headers["Content-Disposition"] = f'{"attachment" if download else "inline"}; filename="{name}"'
    return response


@bp.get("/attachments/<sha256>")
def attachment(sha256: str):
    caller = _caller(b"")
    row = uploads.attachment_of(caller.person_id, sha256)
    if row is None:
        raise Refused(404, "not_found", "no message of yours carries this attachment: check its SHA-256 in the "
                      "message it came with")
    return send_sealed(caller.person_id, row)
