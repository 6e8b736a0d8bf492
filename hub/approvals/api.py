"""Approval requests over the admin API:

- GET /v1/admin/approvals[?pending=1]: every request (newest last), its status: pending, approved,
  refused or expired.
- POST /v1/admin/approvals/<id>/approve: a second, different admin whose role may do the action
  approves it, and it takes effect now; 403 same_admin for the admin who asked, 409 for a request
  already decided or expired.
- POST /v1/admin/approvals/<id>/refuse: the same, but it never takes effect.
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request

from hub.approvals import service
from hub.auth import admin_required, note
from hub.ingest.storage import utc_now

bp = Blueprint("approvals", __name__, url_prefix="/v1/admin/approvals")


@bp.get("")
@admin_required("approvals.list")
def list_all():
    pending = request.args.get("pending") in ("1", "true")
    return jsonify([found.to_dict() for found in service.list_requests(utc_now(), pending_only=pending)])


@bp.post("/<int:request_id>/approve")
@admin_required("approvals.decide")
def approve(request_id: int):
    done = service.approve(request_id, g.admin.name, g.admin.role, utc_now(),
                           current_app.config["SEALING_KEY_FILE"])
    note(str(request_id), decided="approved", action=done.action, on=done.target, requested_by=done.requested_by)
    return jsonify(done.to_dict())


@bp.post("/<int:request_id>/refuse")
@admin_required("approvals.decide")
def refuse(request_id: int):
    done = service.refuse(request_id, g.admin.name, g.admin.role, utc_now())
    note(str(request_id), decided="refused", action=done.action, on=done.target, requested_by=done.requested_by)
    return jsonify(done.to_dict())
