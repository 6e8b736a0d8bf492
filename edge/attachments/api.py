"""The tablet API's attachment routes (a client certificate from an enrolled, unrevoked tablet for all):

    GET  /v1/attachments/limits              {"max_bytes", "chunk_bytes", "types"}: asked before uploading
    PUT  /v1/attachments/<id>/chunks/<n>     chunk n (raw bytes, n from 0); 201 stored, 200 held already
    GET  /v1/attachments/<id>                {"state", "chunk_bytes", "chunks": [n, ...], "bytes", ...}
    POST /v1/attachments/<id>/finish         {"sha256", "size", "type", "name"}: checked, then committed

The rules live in edge/attachments/upload.py; this module only authenticates and translates.
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from edge import store
from edge.attachments import upload as attachments_upload
from edge.attachments.store import Files, Limits
from edge.identity import EdgeFiles
from provisioning import pki

bp = Blueprint("attachments", __name__, url_prefix="/v1/attachments")


def _refuse(code: str, reason: str, status: int):
    return jsonify(error=code, reason=reason), status


def tablet_device() -> str | None:
    """The device whose current, unrevoked certificate made this request, or None."""
    pem = request.environ.get("SSL_CLIENT_CERT")
    if not pem:
        return None
    files: EdgeFiles = current_app.config["FILES"]
    try:
        cert = pki.load_cert(pem.encode())
        pki.verify_client(cert, [], [pki.load_cert(files.ca_cert.read_bytes())])  # the TLS layer did too
        device = pki.common_name(cert)
    except pki.PkiError:
        return None
    tablet = store.Tablet.get_or_none(store.Tablet.device == device)
    issued = store.TabletCert.get_or_none(store.TabletCert.serial == str(cert.serial_number))
    if tablet is None or tablet.status != "active" or issued is None or issued.device != device or issued.revoked:
        return None
    return device


@bp.before_request
def _authenticate():
    device = tablet_device()
    if device is None:
        return _refuse("client_certificate_required", "attachments need the certificate of an enrolled tablet "
                       "that is not revoked", 401)
    g.device = device
    return None


def _setup() -> tuple[Files, Limits]:
    config = current_app.config["EDGE"]
    return Files(config.attachments_dir), Limits.of(config.attachments)


def _answer(result: tuple[int, dict]):
    status, body = result
    return jsonify(body), status


@bp.get("/limits")
def limits():
    return jsonify(_setup()[1].to_dict())


@bp.put("/<attachment_id>/chunks/<int:n>")
def put_chunk(attachment_id: str, n: int):
    files, limits_ = _setup()
    most = limits_.chunk_bytes
    if request.content_length is not None and request.content_length > most:
        return _refuse("too_large", f"a chunk is at most {most} bytes (GET /v1/attachments/limits)", 413)
    request.max_content_length = most + 1  # a chunked body over the limit shows as one byte more
    try:
        data = request.get_data(cache=False)
    except RequestEntityTooLarge:
        return _refuse("too_large", f"a chunk is at most {most} bytes (GET /v1/attachments/limits)", 413)
    return _answer(attachments_upload.put_chunk(files, limits_, g.device, attachment_id,
                                                n, data))


@bp.get("/<attachment_id>")
def status(attachment_id: str):
    return _answer(attachments_upload.status(g.device, attachment_id))


@bp.post("/<attachment_id>/finish")
def finish(attachment_id: str):
    files, limits_ = _setup()
    return _answer(attachments_upload.finish(files, limits_, g.device, attachment_id,
                                             request.get_json(silent=True)))
