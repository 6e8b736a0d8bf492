"""Approval requests: ask, list, approve, refuse. No Flask here; Refused says what to do.

What approving does, per action:
- enrolment_tokens.create: the token was made (and shown once) when asked for; it enrols nothing
  until approved (hub/enrolment/tokens.py `redeem` asks `blocking`).
- edges.revoke: the edge is revoked now.
- keys.rotate: a new current sealing key is made now (the sealing key file is passed in).

`rotate_or_ask` is rotating keys as the admin API and the admin console both do it: at once, or with
ADMIN_APPROVALS on, as a request.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass

from hub import db, keys
from hub.admins import legacy, roles
from hub.approvals.models import APPROVED, PENDING, REFUSED, ApprovalRequest
from hub.enrolment import edges
from hub.refusals import Refused
from wire.records import parse_timestamp, timestamp

MAX_ID = 2**63 - 1
"""The largest id a database can hold (a 64-bit integer)."""
EXPIRED = "expired"
"""Shown for a pending request past its expires_at (never stored: nothing updates it on a timer)."""


@dataclass(frozen=True)
class Request:
    id: int
    action: str
    target: str
    detail: dict
    requested_by: str
    requested_at: str
    expires_at: str
    status: str
    decided_by: str | None
    decided_at: str | None

    def to_dict(self) -> dict:
        return asdict(self)


def ask(action: str, target: str, detail: dict, requested_by: str, ttl_s: int, now: str) -> Request:
    """A pending request for `action` on `target`, by `requested_by`, expiring ttl_s from now."""
    if not roles.ACTIONS[action].two_admins:
        raise ValueError(f"{action} needs no approval")
    expires = timestamp(parse_timestamp(now) + dt.timedelta(seconds=ttl_s))
    row = ApprovalRequest.create(action=action, target=target, detail=json.dumps(detail, sort_keys=True),
                                 requested_by=requested_by, requested_at=now, expires_at=expires)
    return _request(row, now)


@dataclass(frozen=True)
class Rotation:
    asked: Request | None = None
    """The pending request a second admin must approve (ADMIN_APPROVALS on), else None."""
    rotated_from: str | None = None
    rotated_to: str | None = None
    """The key ids, when rotated by this call."""


def rotate_or_ask(requested_by: str, now: str, approvals_on: bool, approval_ttl_s: int,
                  sealing_key_file: str) -> Rotation:
    """A new current sealing key now, or (ADMIN_APPROVALS on) a request for one."""
    if approvals_on:
        return Rotation(ask("keys.rotate", "", {}, requested_by, approval_ttl_s, now))
    old_id, new_id = keys.rotate(sealing_key_file)
    return Rotation(rotated_from=old_id, rotated_to=new_id)


def list_requests(now: str, pending_only: bool = False) -> list[Request]:
    found = [_request(row, now) for row in ApprovalRequest.select().order_by(ApprovalRequest.id)]
    return [r for r in found if r.status == PENDING] if pending_only else found


def blocking(action: str, target: str, now: str) -> Request | None:
    """The request, if any, that keeps `target` from taking effect: one for it that is not approved."""
    row = (ApprovalRequest.select().where((ApprovalRequest.action == action) & (ApprovalRequest.target == target))
           .order_by(ApprovalRequest.id.desc()).first())
    if row is None or row.status == APPROVED:
        return None
    return _request(row, now)


def approve(request_id: int, approver: str, role: str, now: str, sealing_key_file: str) -> Request:
    """Approve and carry out another admin's request; Refused if it cannot be (and nothing changes)."""
    with db.proxy.atomic():
        row = _decidable(request_id, approver, role, now)
        if row.action == "edges.revoke":
            edges.revoke(row.target, now)
        _decide(row, APPROVED, approver, now)
        if row.action == "keys.rotate":  # last: a file, not rolled back
            old_id, new_id = keys.rotate(sealing_key_file)
            row.detail = json.dumps(dict(json.loads(row.detail), rotated_from=old_id, rotated_to=new_id),
                                    sort_keys=True)
            ApprovalRequest.update(detail=row.detail).where(ApprovalRequest.id == row.id).execute()
    return _request(row, now)


def refuse(request_id: int, approver: str, role: str, now: str) -> Request:
    with db.proxy.atomic():
        row = _decidable(request_id, approver, role, now)
        _decide(row, REFUSED, approver, now)
    return _request(row, now)


def _decidable(request_id: int, approver: str, role: str, now: str) -> ApprovalRequest:
    in_range = 1 <= request_id <= MAX_ID  # SQLite cannot even compare a larger number: a 500, not a 404
    row = ApprovalRequest.get_or_none(ApprovalRequest.id == request_id) if in_range else None
    if row is None:
        raise Refused(404, "unknown_request", f"no approval request {request_id}: see `throughgate hub approvals "
                      "list` or GET /v1/admin/approvals")
    state = _request(row, now).status
    if state != PENDING:
        raise Refused(409, f"request_{state}", f"request {request_id} is {state}"
                      + (f" (by {row.decided_by} at {row.decided_at})" if row.decided_by else
                         f" (at {row.expires_at})") + ": ask for the action again if it is still needed")
    if same_admin(approver, row.requested_by):
        raise Refused(403, "same_admin", f"request {request_id} was made by {approver}: a second, different admin "
                      "must approve or refuse it")
    if role != roles.HOST and legacy.NAME in (approver, row.requested_by):
        raise Refused(403, "shared_token", f"request {request_id} was made or would be decided with the hub.toml "
                      "token, which names no one admin (whoever holds it may also hold a token of their own): "
                      f"approve it on the hub (`throughgate hub approvals approve {request_id}`), or ask for it "
                      "again with your own token")
    if not roles.may_decide(role, row.action):
        raise Refused(403, "forbidden", f"the {role} role may not decide on {row.action}: ask an admin whose role "
                      "may (docs/hub.md, \"Admin roles\")")
    return row


def same_admin(one: str, other: str) -> bool:
    """Names that differ only in case are one admin: a second token made as `Alice` for alice (by
    mistake, or asked for) must not let her approve her own request."""
    return one.casefold() == other.casefold()


def _decide(row: ApprovalRequest, status: str, approver: str, now: str) -> None:
    changed = (ApprovalRequest.update(status=status, decided_by=approver, decided_at=now)
               .where((ApprovalRequest.id == row.id) & (ApprovalRequest.status == PENDING)).execute())
    if changed != 1:
        raise Refused(409, "request_decided", f"request {row.id} was decided meanwhile: see `throughgate hub "
                      "approvals list`")
    row.status, row.decided_by, row.decided_at = status, approver, now


def _request(row: ApprovalRequest, now: str) -> Request:
    status = EXPIRED if row.status == PENDING and row.expires_at <= now else row.status
    return Request(row.id, row.action, row.target, json.loads(row.detail), row.requested_by, row.requested_at,
                   row.expires_at, status, row.decided_by, row.decided_at)
