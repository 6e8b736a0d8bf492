"""Enrolment, open to anyone who holds a token:

- GET /v1/enrol/ca: the hub root certificate (PEM). The edge trusts it only if its SPKI SHA-256
  equals the pin it was given with the token.
- POST /v1/enrol: spend a token; get a client certificate, the root, the cross-certificate of the
  edge's tablet CA and the hub's public keys (hub/enrolment/service.py).
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from hub.enrolment import service as enrolment
from hub.errors import json_object
from provisioning import pki

bp = Blueprint("enrol", __name__, url_prefix="/v1/enrol")

PEM_TYPE = "application/x-pem-file"


@bp.get("/ca")
def root_certificate():
    return Response(pki.cert_to_pem(current_app.extensions["hub_ca"].cert), mimetype=PEM_TYPE)


@bp.post("")
def enrol():
    answer = enrolment.enrol(json_object(), current_app.extensions["hub_ca"], current_app.extensions["hub_keys"].get(),
                             current_app.extensions["hub_terms"])
    return jsonify(answer)
