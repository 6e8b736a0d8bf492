"""The hub's administrators (admin API tokens, hub/auth.py; roles in hub/admins/roles.py) manage edges:

- POST /v1/admin/enrolment-tokens {"edge_id", "ttl_s"?}: a one-time token for one edge (201). With
  ADMIN_APPROVALS on, 202: the token is shown now but enrols nothing until a second admin approves
  the request named in "approval" (hub/approvals).
- POST /v1/admin/enrolment-tokens/<token_id>/cancel: an unused token enrols nothing from now on (200);
  404 unknown_token, 409 token_used, token_expired or token_cancelled.
- POST /v1/admin/edges/<edge_id>/revoke: refuse the edge from now on (200); with ADMIN_APPROVALS on,
  202 and a pending request.
- POST /v1/admin/keys/rotate: a new current sealing key (200); with ADMIN_APPROVALS on, 202 and a
  pending request.
- GET /v1/admin/edges: every edge, its status, certificate expiry and accepted signing keys.
"""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, g, jsonify

from hub import ca
from hub.approvals import service as approvals
from hub.auth import admin_required, note
from hub.enrolment import edges, revoking, tokens
from hub.errors import json_object
from hub.ingest.storage import utc_now

log = logging.getLogger("hub.admin")

bp = Blueprint("admin", __name__, url_prefix="/v1/admin")


def _ask(action: str, target: str, detail: dict):
    """With ADMIN_APPROVALS on, a pending request (returned, after noting it for the audit); else None."""
    if not current_app.config["ADMIN_APPROVALS"]:
        return None
    return _waiting(approvals.ask(action, target, detail, g.admin.name, current_app.config["APPROVAL_TTL_S"],
                                  utc_now()))


def _waiting(asked: approvals.Request) -> approvals.Request:
    """Note a request just made for the audit, and log it."""
    note(asked.target, approval=asked.id)
    log.info("%s %s by %s waits for a second admin (request %s)", asked.action, asked.target or "", g.admin.name,
             asked.id)
    return asked


@bp.post("/enrolment-tokens")
@admin_required("enrolment_tokens.create")
def create_token():
    body = json_object()
    current_app.extensions["hub_terms"].edge_name(body.get("edge_id"))  # a name it can have
    token, info = tokens.create(body.get("edge_id"), body.get("ttl_s", current_app.config["TOKEN_TTL_S"]))
    note(info.token_id, edge_id=info.edge_id, expires=info.expires)
    log.info("enrolment token %s made for edge %s, valid until %s", info.token_id, info.edge_id, info.expires)
    answer = {"token": str(token), "token_id": info.token_id, "edge_id": info.edge_id, "expires": info.expires,
              "hub_ca_sha256": ca.root_pin(current_app.extensions["hub_ca"])}
    asked = _ask("enrolment_tokens.create", info.token_id, {"edge_id": info.edge_id, "expires": info.expires})
    if asked is None:
        return jsonify(answer), 201
    return jsonify({**answer, "approval": asked.to_dict()}), 202


@bp.post("/edges/<edge_id>/revoke")
@admin_required("edges.revoke")
def revoke_edge(edge_id: str):
    done = revoking.revoke_or_ask(edge_id, g.admin.name, utc_now(), current_app.config["ADMIN_APPROVALS"],
                                  current_app.config["APPROVAL_TTL_S"])  # 404 for an unknown edge, before any request
    if done.asked is not None:
        _waiting(done.asked)
        return jsonify({**done.edge.to_dict(), "approval": done.asked.to_dict()}), 202
    if done.revoked_now:
        log.warning("edge %s revoked", done.edge.edge_id)
    return jsonify(done.edge.to_dict())


@bp.post("/keys/rotate")
@admin_required("keys.rotate")
def rotate_keys():
    config = current_app.config
    done = approvals.rotate_or_ask(g.admin.name, utc_now(), config["ADMIN_APPROVALS"], config["APPROVAL_TTL_S"],
                                   config["SEALING_KEY_FILE"])
    if done.asked is not None:
        _waiting(done.asked)
        return jsonify(approval=done.asked.to_dict()), 202
    note(None, rotated_from=done.rotated_from, rotated_to=done.rotated_to)
    log.warning("sealing key %s is now current (was %s)", done.rotated_to, done.rotated_from)
    return jsonify(sealing_key_id=done.rotated_to, previous=done.rotated_from)


@bp.post("/enrolment-tokens/<token_id>/cancel")
@admin_required("enrolment_tokens.cancel")
def cancel_token(token_id: str):
    info = tokens.cancel(token_id, utc_now())
    note(info.token_id, edge_id=info.edge_id)
    log.info("enrolment token %s for edge %s cancelled", info.token_id, info.edge_id)
    return jsonify(token_id=info.token_id, edge_id=info.edge_id, created=info.created, state=tokens.CANCELLED)


@bp.get("/edges")
@admin_required("edges.list")
def list_edges():
    return jsonify([info.to_dict() for info in edges.list_edges(utc_now())])
