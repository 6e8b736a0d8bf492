"""/v1/phone/push, signed by the phone (RFC 9421, as a sync is):

- GET: `{"application_server_key": <the hub's VAPID public key, base64url>, "subscribed": bool}`;
- PUT `{"endpoint", "keys": {"p256dh", "auth"}}` (PushSubscription.toJSON()): register or replace this
  phone's subscription; 201 when new, 200 when replaced, with the same answer as GET;
- DELETE: forget it (204, also when there was none).

A phone subscribes with the application server key, then PUTs what it got (docs/phone-sync.md,
"Waking the phone: Web Push")."""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, jsonify, request

from hub import limits
from hub.phones import service as phones
from hub.push import subscriptions, vapid
from provisioning import signatures

bp = Blueprint("push", __name__, url_prefix="/v1/phone")


def _caller(body: bytes) -> phones.Caller:
    return phones.check(request.method, signatures.request_url(request.environ), request.headers, body)


def _answer(key_id: str, status: int = 200):
    key = vapid.load_or_make(current_app.config["VAPID_KEY_FILE"])
    return jsonify(application_server_key=vapid.application_server_key(key),
                   subscribed=subscriptions.of_phone(key_id) is not None), status


@bp.get("/push")
def show():
    return _answer(_caller(b"").key_id)


@bp.put("/push")
def subscribe():
    body = limits.read_body()
    caller = _caller(body)
    try:
        sent = json.loads(body or b"{}")
    except (ValueError, RecursionError):
        sent = None
    config = current_app.config
    subscription = subscriptions.parse(sent, subscriptions.services(config["PUSH_SERVICES"]),
                                       config["PUSH_INSECURE_LOOPBACK"])
    new = subscriptions.save(caller.key_id, caller.person_id, subscription)
    return _answer(caller.key_id, 201 if new else 200)


@bp.delete("/push")
def unsubscribe():
    subscriptions.remove(_caller(limits.read_body()).key_id)  # none: nothing to do (a lost answer, sent again)
    return Response(status=204)
