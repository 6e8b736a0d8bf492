"""What an enrolled edge asks of the hub about itself, over mutual TLS (`edge_required`):

- POST /v1/edge/renew: a new client certificate (and cross-certificate) before the old expires.
- GET /v1/edge/hub-keys: the hub's current public keys, to learn a rotated sealing key.
- POST /v1/edge/signing-keys: a new Ed25519 key for its batches; earlier keys stay accepted for
  EDGE_KEY_GRACE_DAYS.

Renewing and sending a signing key change the edge, so they need its current certificate; one a
renewal superseded gets 403 superseded_certificate (hub/enrolment/certificates.py).
"""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify

from hub.auth import edge_required
from hub.enrolment import certificates, signing_keys
from hub.enrolment import service as enrolment
from hub.errors import json_object
from provisioning import pki
from wire.records import timestamp

log = logging.getLogger("hub.edge")

bp = Blueprint("edge", __name__, url_prefix="/v1/edge")


@bp.post("/renew")
@edge_required
def renew(caller):
    answer = enrolment.renew(caller, json_object(), current_app.extensions["hub_ca"],
                             current_app.extensions["hub_keys"].get(), current_app.extensions["hub_terms"])
    return jsonify(answer)


@bp.get("/hub-keys")
@edge_required
def hub_keys(caller):
    return jsonify(current_app.extensions["hub_keys"].get().public_document())


@bp.post("/signing-keys")
@edge_required
def add_signing_key(caller):
    certificates.require_current(caller)
    key = signing_keys.parse(json_object().get("signing_key"))
    now = pki.utcnow()
    key_id = signing_keys.add(caller.edge_id, key, current_app.extensions["hub_terms"].key_grace_days, now)
    accepted = [row.key_id for row in signing_keys.accepted(caller.edge_id, timestamp(now))]
    log.info("edge %s: signing key %s is current", caller.edge_id, key_id)
    return jsonify(key_id=key_id, accepted=accepted)
