"""Revoking an edge, as the admin API (hub/admin.py) and the admin console (hub/console/views/fleet.py) both
do it: at once, or, with ADMIN_APPROVALS on, as a request that waits for a second admin (hub/approvals;
approving it revokes the edge). No Flask here: the caller passes who asks and the settings."""

from __future__ import annotations

from dataclasses import dataclass

from hub.approvals import service as approvals
from hub.enrolment import edges
from hub.models import REVOKED


@dataclass(frozen=True)
class Revoking:
    edge: edges.EdgeInfo
    """The edge as it is after the call."""
    asked: approvals.Request | None = None
    """The pending request a second admin must approve (ADMIN_APPROVALS on), else None."""
    revoked_now: bool = False
    """Revoked by this call (False when it already was, or when a request was made)."""


def revoke_or_ask(edge_id: str, requested_by: str, now: str, approvals_on: bool, approval_ttl_s: int) -> Revoking:
    """Revoke `edge_id` now, or ask for it; an edge already revoked stays as it is. Refused 404 for an
    unknown edge, before any request is made."""
    edge = edges.info(edges.find(edge_id), now)
    if edge.status == REVOKED:
        return Revoking(edge)
    if approvals_on:
        asked = approvals.ask("edges.revoke", edge.edge_id, {"edge_id": edge.edge_id}, requested_by,
                              approval_ttl_s, now)
        return Revoking(edge, asked)
    return Revoking(edges.revoke(edge.edge_id, now), revoked_now=True)
