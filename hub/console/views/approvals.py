"""The admin console's approvals page: requests waiting for a second admin (an enrolment token,
revoking an edge, rotating keys), and below them those decided or expired. An admin whose role may
decide on a request's action, and who did not ask for it, approves it (it takes effect now) or
refuses it (it never does), through the same service as the admin API (hub/approvals/service.py)."""

from __future__ import annotations

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for

from hub.admins import roles
from hub.approvals import service as approvals
from hub.console import access
from hub.enrolment import tokens
from hub.ingest.storage import utc_now
from hub.refusals import Refused

bp = Blueprint("approvals", __name__)

DONE = {"approved": "Request {id} is approved: {effect}", "refused": "Request {id} is refused: it never takes effect."}


def describe(found: approvals.Request, cancelled: set[str] = frozenset()) -> str:
    """What the request acts on, in words."""
    if found.action == "enrolment_tokens.create":
        return (f"token {found.target} for edge {found.detail.get('edge_id', '?')}"
                + (" (since cancelled: approving it enrols nothing)" if found.target in cancelled else ""))
    if found.action == "edges.revoke":
        return f"edge {found.target}"
    if found.action == "keys.rotate":
        rotated = found.detail.get("rotated_to")
        return "the hub's sealing key" + (f" (now {rotated})" if rotated else "")
    return found.target or "-"


def effect(found: approvals.Request) -> str:
    if found.action == "enrolment_tokens.create":
        return f"token {found.target} can now enrol edge {found.detail.get('edge_id', '?')}."
    if found.action == "edges.revoke":
        return f"edge {found.target} is revoked; every request with its certificates is refused from now on."
    if found.action == "keys.rotate":
        return f"sealing key {found.detail.get('rotated_to')} is now current."
    return "it took effect."


def _decision(found: approvals.Request) -> str | None:
    """None when this admin may approve or refuse it; else why not, in words."""
    if found.status != approvals.PENDING:
        return None
    if approvals.same_admin(g.staff.name, found.requested_by):
        return "You asked for this: a second, different admin must approve or refuse it."
    if not roles.may_decide(g.staff.role, found.action):
        what = roles.ACTIONS[found.action].what if found.action in roles.ACTIONS else found.action
        return f"Your role ({g.staff.role}) may not decide on this: an admin whose role may {what} must."
    return ""


def _page(status: int = 200, error: str | None = None):
    now = utc_now()
    found = list(reversed(approvals.list_requests(now)))
    cancelled = {info.token_id for info in tokens.list_tokens() if info.state(now) == tokens.CANCELLED}
    rows = [{"r": r, "what": roles.ACTIONS[r.action].what if r.action in roles.ACTIONS else r.action,
             "on": describe(r, cancelled), "why_not": _decision(r)} for r in found]
    done = request.args.get("done", "")
    shown = next((r for r in found if str(r.id) == request.args.get("id")), None)
    message = (DONE[done].format(id=shown.id, effect=effect(shown))
               if shown and done in DONE and shown.status == done else None)  # only when it is so
    pending = [row for row in rows if row["r"].status == approvals.PENDING]
    others = [row for row in rows if row["r"].status != approvals.PENDING]
    page = render_template("console/approvals.html", pending=pending, others=others, error=error, message=message,
                           approvals_on=current_app.config["ADMIN_APPROVALS"])
    return page, status


@bp.get("/approvals")
@access.require("approvals.list")
def index():
    return _page()


def _decide(request_id: int, decision: str):
    now = utc_now()
    try:
        if decision == "approved":
            done = approvals.approve(request_id, g.staff.name, g.staff.role, now,
                                     current_app.config["SEALING_KEY_FILE"])
        else:
            done = approvals.refuse(request_id, g.staff.name, g.staff.role, now)
    except Refused as exc:
        access.record("approvals.decide", str(request_id), f"refused: {exc.code}", decided=decision)
        reason = exc.body().get("reason", "")
        return _page(exc.status, f"Nothing was changed: {reason}.")
    access.record("approvals.decide", str(request_id), "ok", decided=decision, what=done.action, on=done.target,
                  requested_by=done.requested_by)
    return redirect(url_for("console.approvals.index", done=decision, id=done.id), 303)


@bp.post("/approvals/<int:request_id>/approve")
@access.require("approvals.decide")
def approve(request_id: int):
    return _decide(request_id, "approved")


@bp.post("/approvals/<int:request_id>/refuse")
@access.require("approvals.decide")
def refuse(request_id: int):
    return _decide(request_id, "refused")
