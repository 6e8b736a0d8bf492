"""Requests for the most dangerous admin actions, waiting for a second admin (hub/approvals/service.py)."""

from __future__ import annotations

import peewee

from hub.models import BaseModel

PENDING, APPROVED, REFUSED = "pending", "approved", "refused"


class ApprovalRequest(BaseModel):
    id = peewee.AutoField()
    action = peewee.CharField(max_length=40)
    """An action of hub/admins/roles.py with two_admins set."""
    target = peewee.CharField(max_length=64)
    """What it acts on: the enrolment token's id, the edge's id, or '' (keys)."""
    detail = peewee.TextField()
    """JSON object: what the approver is shown (the token's edge, its expiry...)."""
    requested_by = peewee.CharField(max_length=80)
    requested_at = peewee.CharField(max_length=40)
    expires_at = peewee.CharField(max_length=40)
    status = peewee.CharField(max_length=16, default=PENDING, constraints=[
        peewee.Check(f"status IN ('{PENDING}', '{APPROVED}', '{REFUSED}')")])
    decided_by = peewee.CharField(max_length=80, null=True)
    decided_at = peewee.CharField(max_length=40, null=True)

    class Meta:
        table_name = "approval_request"
        indexes = ((("action", "target"), False),)


MODELS = [ApprovalRequest]
