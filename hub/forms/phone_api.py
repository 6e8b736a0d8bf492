"""The person's phone and forms, with signed requests (RFC 9421, like a sync):

- GET /v1/phone/forms: the latest version of every published form, as the app renders it (the field
  list of hub/forms/xlsform.py), and the upload limits, so the app knows before the person finishes
  whether a photo or voice note will be taken;
- a filled form goes with the next sync as a `form_submission` change (hub/sync/changes.py calls
  `receive`), its files uploaded first with PUT /v1/phone/uploads/<sha256> (hub/sync/uploads_api.py).
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from hub.forms import service, submissions
from hub.phones import service as phones
from hub.sync import uploads, uploads_api
from provisioning import signatures

bp = Blueprint("phone_forms", __name__, url_prefix="/v1/phone")


@bp.get("/forms")
def forms():
    phones.check(request.method, signatures.request_url(request.environ), request.headers, b"")
    rules = uploads.Rules.from_config(current_app.config)
    return jsonify(forms=service.latest_documents(),
                   limits={"photo_bytes": rules.photo_bytes, "voice_bytes": rules.voice_bytes,
                           "chunk_bytes": rules.chunk_bytes})


def receive(person_id: str, submission_id: str, body: dict) -> None:
    """A `form_submission` change of a sync (in its request and transaction): hub/forms/submissions.py."""
    submissions.receive(person_id, submission_id, body, submissions.pixels_reader(uploads_api.store()))
