"""POST /v1/phone/activate: a phone registers its key with the person's one-time activation code.

The body, `{"code": "ABCD-EFGH-JKMN", "key": <JWK>, "label": "..."}`, is signed with that key
(RFC 9421), which proves the phone holds it. Wrong codes count against the address's limit
(LOGIN_FAILURES in LOGIN_WINDOW_S, the consoles' setting), before the code is checked, and an
unknown code also counts against every working code with its first 4 characters (hub/people/service.py
MAX_CODE_TRIES: at 5 such a code is withdrawn, `code_guessed`). The answer,
`{"person", "key_id", "cursor": 0, "application_server_key"}`, gives the phone the hub's VAPID public
key for PushManager.subscribe (hub/push).
"""

from __future__ import annotations

import json
import math

from flask import Blueprint, current_app, jsonify, request

from hub import limits
from hub.people import service as people
from hub.phones import service
from hub.push import vapid
from hub.refusals import Refused
from hub.staff import throttle
from provisioning import signatures
from wire.records import timestamp

bp = Blueprint("phones", __name__, url_prefix="/v1/phone")


@bp.post("/activate")
def activate():
    body = limits.read_body()
    keys = (f"activate:{(request.remote_addr or 'unknown')[:60]}",)
    config = current_app.config
    wait, at = throttle.count_attempt(keys, config["LOGIN_FAILURES"], config["LOGIN_WINDOW_S"])
    if wait > 0:
        response = jsonify(error="too_many_tries", reason="too many wrong codes from this address: wait "
                           f"{math.ceil(wait / 60)} minutes, then try again, or ask your worker")
        response.headers["Retry-After"] = str(math.ceil(wait))
        return response, 429
    try:
        phone, new = service.activate(request.method, signatures.request_url(request.environ), request.headers, body,
                                       request.remote_addr or "")
    except Refused as exc:
        if exc.code not in ("code_unknown", "bad_code"):  # not a guess: do not count it
            throttle.take_back(keys, at, forget=False)
        if exc.code == "code_unknown":  # counted per code too, whatever the address
            people.count_wrong_try(_typed(body), timestamp())
        raise
    throttle.take_back(keys, at, forget=False)
    push_key = vapid.application_server_key(vapid.load_or_make(config["VAPID_KEY_FILE"]))
    return jsonify(person=phone.person_id, key_id=phone.key_id, cursor=0, application_server_key=push_key), \
        201 if new else 200


def _typed(body: bytes) -> str:
    """The code an activation's body carried ("" if it carried none)."""
    try:
        offer = json.loads(body or b"{}")
    except ValueError:
        return ""
    return str(offer.get("code", "")) if isinstance(offer, dict) else ""
