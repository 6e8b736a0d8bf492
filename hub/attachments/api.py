"""GET and PUT /v1/attachments/<sha256>: an edge forwards the attachments of its delivered
submissions (mutual TLS, `edge_required`). The rules are in hub/attachments/service.py."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from hub.attachments import service as attachments
from hub.auth import edge_required
from hub.limits import body_limit, read_body

bp = Blueprint("attachments", __name__, url_prefix="/v1/attachments")


def _store() -> attachments.Store:
    return attachments.Store(current_app.config["ATTACHMENTS_DIR"])


def _rules() -> attachments.Rules:
    return attachments.Rules.from_config(current_app.config)


@bp.get("/<sha256>")
@edge_required
def status(caller, sha256: str):
    return jsonify(attachments.status(_store(), caller.edge_id, sha256, _rules()))


@bp.put("/<sha256>")
@body_limit("MAX_ATTACHMENT_CHUNK_BYTES")
@edge_required
def put(caller, sha256: str):
    return jsonify(attachments.put(_store(), caller.edge_id, sha256, request.headers.get("Content-Range"),
                                   read_body(), _rules()))
