"""The edges a hub trusts: register one with its Ed25519 verify key, revoke it, list them.

A revoked edge stays in the table (its records keep pointing at it) and its batches are refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hub.models import ACTIVE, REVOKED, Edge
from hub.storage import utc_now
from wire.keys import key_id, verify_key_from_pem, verify_key_to_pem

_EDGE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class EdgeError(ValueError):
    """An edge command that cannot be done. The message says what to do instead."""


@dataclass(frozen=True)
class EdgeInfo:
    edge_id: str
    status: str
    registered_at: str
    revoked_at: str | None
    key_id: str


def valid_edge_id(edge_id: str) -> bool:
    return isinstance(edge_id, str) and bool(_EDGE_ID.fullmatch(edge_id))


def register(edge_id: str, verify_key_pem: bytes) -> EdgeInfo:
    """Trust batches signed by this key as coming from edge_id."""
    if not valid_edge_id(edge_id):
        raise EdgeError(f"{edge_id!r} is not an edge id: use 1-64 letters, digits, '.', '_' or '-', "
                        "starting with a letter or digit")
    try:
        key = verify_key_from_pem(verify_key_pem)
    except ValueError as exc:
        raise EdgeError(f"not an Ed25519 public key in PEM form ({exc}): give the edge's verify key, "
                        "the file that starts with -----BEGIN PUBLIC KEY-----") from None
    existing = Edge.get_or_none(Edge.edge_id == edge_id)
    if existing is not None:
        raise EdgeError(f"edge {edge_id} is already registered ({existing.status}): "
                        "register a new edge under a new id")
    edge = Edge.create(edge_id=edge_id, verify_key_pem=verify_key_to_pem(key).decode(),
                       status=ACTIVE, registered_at=utc_now())
    return _info(edge)


def revoke(edge_id: str) -> EdgeInfo:
    """Refuse this edge's batches from now on. Its stored records stay."""
    edge = Edge.get_or_none(Edge.edge_id == edge_id)
    if edge is None:
        raise EdgeError(f"no edge {edge_id} at this hub: `throughgate hub edges list` shows the edges")
    if edge.status != REVOKED:
        edge.status, edge.revoked_at = REVOKED, utc_now()
        edge.save()
    return _info(edge)


def list_edges() -> list[EdgeInfo]:
    return [_info(edge) for edge in Edge.select().order_by(Edge.edge_id)]


def _info(edge: Edge) -> EdgeInfo:
    key = verify_key_from_pem(edge.verify_key_pem.encode())
    return EdgeInfo(edge.edge_id, edge.status, edge.registered_at, edge.revoked_at, key_id(key))
