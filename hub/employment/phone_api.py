"""The person's phone and help into work, with signed requests (RFC 9421, like a sync):

- GET /v1/phone/work: `{"items": [...]}`, the job links, videos and checklists for this person (for everyone, or
  for them alone), newest first, with the checklist steps they ticked (hub/employment/service.py `document`);
- GET /v1/phone/work/files/<sha256>: a video or its WebVTT captions, if an item this person is offered holds it,
  with `ETag` and byte ranges (provisioning/stored.py), so a download cut short continues with `Range` from what
  the phone holds; 404 otherwise (someone else's, or none: the same answer);
- a tick on a checklist goes with the next sync as a `checklist_progress` change (hub/sync/changes.py calls
  `receive`).
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from hub.courses.blobs import BlobStore
from hub.employment import service
from hub.phones import service as phones
from hub.refusals import Refused
from provisioning import signatures
from provisioning.stored import send_stored
from wire.records import valid_sha256

bp = Blueprint("phone_work", __name__, url_prefix="/v1/phone")


@bp.get("/work")
def items():
    caller = phones.check(request.method, signatures.request_url(request.environ), request.headers, b"")
    response = jsonify(items=service.for_phone(caller.person_id))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/work/files/<sha256>")
def file(sha256: str):
    caller = phones.check(request.method, signatures.request_url(request.environ), request.headers, b"")
    found = service.file_for(caller.person_id, sha256) if valid_sha256(sha256) else None
    if found is None:
        raise Refused(404, "not_found", "no item of yours holds this file: fetch GET /v1/phone/work again")
    _item, media_type, size = found
    try:
        return send_stored(BlobStore.from_config(current_app.config).path(sha256), sha256, size, media_type,
                           "private, max-age=31536000, immutable")
    except FileNotFoundError:
        raise Refused(404, "not_found", "the hub lost this file: tell the adviser who published it") from None


def receive(person_id: str, tick_id: str, body: dict) -> None:
    """A `checklist_progress` change of a sync (in its request and transaction)."""
    service.receive(person_id, tick_id, body)
