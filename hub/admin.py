"""The hub's administrators (admin bearer token) manage edges:

- POST /v1/admin/enrolment-tokens {"edge_id", "ttl_s"?}: a one-time token for one edge (201).
- POST /v1/admin/edges/<edge_id>/revoke: refuse the edge from now on.
- GET /v1/admin/edges: every edge, its status, certificate expiry and accepted signing keys.
"""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify

from hub import ca
from hub.auth import admin_required
from hub.enrolment import edges, tokens
from hub.errors import json_object
from hub.ingest.storage import utc_now

log = logging.getLogger("hub.admin")

bp = Blueprint("admin", __name__, url_prefix="/v1/admin")


@bp.post("/enrolment-tokens")
@admin_required
def create_token():
    body = json_object()
    current_app.extensions["hub_terms"].edge_name(body.get("edge_id"))  # a name it can have
    token, info = tokens.create(body.get("edge_id"), body.get("ttl_s", current_app.config["TOKEN_TTL_S"]))
    log.info("enrolment token %s made for edge %s, valid until %s", info.token_id, info.edge_id, info.expires)
    return jsonify(token=str(token), token_id=info.token_id, edge_id=info.edge_id, expires=info.expires,
                   hub_ca_sha256=ca.root_pin(current_app.extensions["hub_ca"])), 201


@bp.post("/edges/<edge_id>/revoke")
@admin_required
def revoke_edge(edge_id: str):
    info = edges.revoke(edge_id, utc_now())
    log.warning("edge %s revoked", info.edge_id)
    return jsonify(info.to_dict())


@bp.get("/edges")
@admin_required
def list_edges():
    return jsonify([info.to_dict() for info in edges.list_edges(utc_now())])
