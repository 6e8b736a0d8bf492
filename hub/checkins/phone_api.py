"""The person's phone and check-ins, with signed requests (RFC 9421, like a sync):

- GET /v1/phone/checkins: a fresh nonce (the next check-in carries the last one the phone got), the
  schedule's next window (or the one open now) and its expected place, whether this phone has a WebAuthn
  credential, and what became of this phone's latest check-ins (accepted, flagged, refused, and why). The
  reference phone asks at every sync;
- POST /v1/phone/checkins/credential: register a WebAuthn credential bound to this phone
  (hub/checkins/owner.py);
- a check-in goes with the next sync as a `checkin` change (hub/sync/changes.py calls `receive`), its photo
  uploaded first with PUT /v1/phone/uploads/<sha256>.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from flask import Blueprint, current_app, jsonify, request

from hub import limits
from hub.checkins import owner, schedules, service
from hub.phones import service as phones
from hub.phones.service import Caller
from hub.refusals import Refused
from provisioning import signatures
from wire.records import timestamp

bp = Blueprint("phone_checkins", __name__, url_prefix="/v1/phone")


def answer(caller: Caller, now: datetime | None = None) -> dict:
    now = now or datetime.now(UTC)
    nonce = service.issue_nonce(caller, now)
    row = schedules.current(caller.person_id)
    slot = schedules.next_slot(row, now)
    return {"nonce": nonce.nonce, "issued_at": nonce.issued_at, "now": timestamp(now),
            "next": {**slot.document(), "place": {"lat": row.lat, "lon": row.lon, "radius_m": row.radius_m}}
            if slot else None,
            "schedule": {"every_days": row.every_days, "window_hours": row.window_hours} if row else None,
            "webauthn": owner.summary(caller.key_id), "checkins": service.outcomes(caller.key_id)}


@bp.get("/checkins")
def checkins():
    caller = phones.check(request.method, signatures.request_url(request.environ), request.headers, b"")
    return jsonify(answer(caller))


@bp.post("/checkins/credential")
def credential():
    body = limits.read_body()
    caller = phones.check(request.method, signatures.request_url(request.environ), request.headers, body)
    try:
        sent = json.loads(body)
    except (ValueError, RecursionError):
        sent = None
    if not isinstance(sent, dict):
        raise Refused(400, "bad_request", 'send {"nonce": "...", "credential": {...}} as JSON')
    row = owner.register(caller, sent, current_app.config)
    return jsonify(credential_id=row.credential_id, registered_at=row.registered_at), 201


def receive(caller: Caller, checkin_id: str, body: dict) -> None:
    """A `checkin` change of a sync (in its request and transaction): hub/checkins/service.py."""
    service.receive(caller, checkin_id, body, current_app.config)
