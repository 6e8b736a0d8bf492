"""POST /v1/batches: an enrolled edge delivers one sealed batch and gets a signed receipt back.
A body over MAX_BATCH_BYTES is refused before it is read (hub/limits.py); a batch that finds the hub
opening BATCHES_AT_ONCE others gets 503 `busy` with Retry-After (slots.py)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from hub.auth import edge_required
from hub.ingest.service import Limits, error, ingest
from hub.ingest.slots import RETRY_AFTER_S
from hub.limits import body_limit

bp = Blueprint("batches", __name__, url_prefix="/v1")

CONTENT_TYPE = "application/cbor"


@bp.post("/batches")
@body_limit("MAX_BATCH_BYTES")
@edge_required
def receive_batch(caller):
    limit = current_app.config["MAX_BATCH_BYTES"]
    if request.mimetype != CONTENT_TYPE:
        return jsonify(error("unsupported_media_type", f"send the envelope as {CONTENT_TYPE}")), 415
    envelope = request.stream.read(limit + 1)
    limits = Limits(limit, current_app.config["MAX_BATCH_RECORDS"], current_app.extensions["batch_slots"])
    status, body = ingest(envelope, current_app.extensions["hub_keys"].get(), edge_id=caller.edge_id, limits=limits)
    headers = {"Retry-After": str(RETRY_AFTER_S)} if status == 503 else {}
    return jsonify(body), status, headers
