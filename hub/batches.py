"""POST /v1/batches: an enrolled edge delivers one sealed batch and gets a signed receipt back."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from hub.auth import edge_required
from hub.ingest import error, ingest

bp = Blueprint("batches", __name__, url_prefix="/v1")

CONTENT_TYPE = "application/cbor"


@bp.post("/batches")
@edge_required
def receive_batch(caller):
    limit = current_app.config["MAX_BATCH_BYTES"]
    if request.mimetype != CONTENT_TYPE:
        return jsonify(error("unsupported_media_type", f"send the envelope as {CONTENT_TYPE}")), 415
    if request.content_length is not None and request.content_length > limit:
        return jsonify(error("too_large", f"batch is {request.content_length} bytes; "
                             f"this hub takes at most {limit}")), 413
    envelope = request.stream.read(limit + 1)
    status, body = ingest(envelope, current_app.extensions["hub_keys"].get(), edge_id=caller.edge_id,
                          max_bytes=limit)
    return jsonify(body), status
