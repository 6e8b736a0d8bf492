"""The edges a hub trusts: enrolled (hub/enrolment/service.py), revoked, listed.

A revoked edge stays in the table (its records keep pointing at it); every request with one of
its certificates is refused from the moment it is revoked, and it cannot enrol again.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography import x509

from hub.enrolment import signing_keys
from hub.models import ACTIVE, REVOKED, Edge, EdgeCertificate
from hub.refusals import Refused
from provisioning import pki
from wire.records import valid_dns_label


@dataclass(frozen=True)
class EdgeInfo:
    edge_id: str
    status: str
    registered_at: str
    enrolled_at: str
    revoked_at: str | None
    tablet_ca_sha256: str
    cert_not_after: str | None
    """The latest expiry among its working certificates."""
    key_ids: tuple[str, ...]
    """Signing keys the hub accepts from it now, current first."""

    def to_dict(self) -> dict:
        return {"edge_id": self.edge_id, "status": self.status, "registered_at": self.registered_at,
                "enrolled_at": self.enrolled_at, "revoked_at": self.revoked_at,
                "tablet_ca_sha256": self.tablet_ca_sha256, "cert_not_after": self.cert_not_after,
                "key_ids": list(self.key_ids)}


def valid_edge_id(edge_id: str) -> bool:
    """One lower-case DNS label (wire.records.valid_dns_label): the edge's name is
    `<edge id>.<EDGE_DNS_SUFFIX>`, so no edge's name is inside another's (a cross-certificate vouches
    for its name and every name under it), and no two ids differ only in case."""
    return valid_dns_label(edge_id)


def check_edge_id(edge_id) -> None:
    if not isinstance(edge_id, str):
        raise Refused(400, "bad_request", "'edge_id' is missing or not a string")
    if not valid_edge_id(edge_id):
        raise Refused(400, "bad_request", f"{edge_id!r} is not an edge id: use 1-63 lower-case letters, digits "
                      "or '-', starting and ending with a letter or digit (it becomes the edge's DNS name, "
                      "<edge id>.<EDGE_DNS_SUFFIX>)")


def tablet_name(edge_id, suffix: str, hub_names: Iterable[str]) -> str:
    """The one DNS name the hub vouches for on the edge's behalf: `<edge id>.<suffix>`.

    Refused (409 edge_name_conflict) when one of the hub's own names is that name or under it:
    the edge's cross-certificate permits the name and every name below it, so the edge could
    then pose as the hub to anyone holding the hub root."""
    check_edge_id(edge_id)
    name = f"{edge_id}.{suffix}"
    for hub_name in hub_names:
        if _covers(name, hub_name):
            raise Refused(409, "edge_name_conflict", f"edge {edge_id} would be named {name}, which covers the "
                          f"hub's own name {hub_name}: give the edge another id (or change TLS_NAMES or "
                          "EDGE_DNS_SUFFIX)")
    return name


def _covers(domain: str, host: str) -> bool:
    """Whether a DNS name constraint `domain` permits `host` (a TLS name of the hub, maybe `*.x`).
    IP addresses never: cross-certificates exclude every IP address."""
    host = host.strip().rstrip(".").lower()
    try:
        ipaddress.ip_address(host)
        return False
    except ValueError:
        pass
    if host.startswith("*."):  # matches any one label under its base, so domain's own name too
        base = host[2:]
        return domain.partition(".")[2] == base or _covers(domain, base)
    return host == domain or host.endswith("." + domain)


def find(edge_id: str) -> Edge:
    edge = Edge.get_or_none(Edge.edge_id == edge_id)
    if edge is None:
        raise Refused(404, "unknown_edge", f"no edge {edge_id} at this hub: `throughgate hub edges list` "
                      "shows the edges")
    return edge


def enrolled(edge_id: str, tablet_ca: x509.Certificate, dns_names: list[str], now: str) -> Edge:
    """Record an enrolment. A known active edge enrols again (a replaced box): its certificates stop
    working at once. A revoked edge is refused."""
    pem = pki.cert_to_pem(tablet_ca).decode()
    fields = {"tablet_ca_pem": pem, "tablet_ca_sha256": pki.spki_sha256(tablet_ca),
              "dns_names": json.dumps(dns_names), "enrolled_at": now}
    edge = Edge.get_or_none(Edge.edge_id == edge_id)
    if edge is None:
        return Edge.create(edge_id=edge_id, status=ACTIVE, registered_at=now, **fields)
    if edge.status == REVOKED:
        raise Refused(403, "edge_revoked", f"edge {edge_id} was revoked at this hub and cannot enrol again: "
                      "ask the hub's operator for a token for a new edge id")
    (EdgeCertificate.update(revoked_at=now)
     .where((EdgeCertificate.edge == edge_id) & EdgeCertificate.revoked_at.is_null()).execute())
    Edge.update(**fields).where(Edge.edge_id == edge_id).execute()
    return Edge.get(Edge.edge_id == edge_id)


def update_tablet_ca(edge: Edge, tablet_ca: x509.Certificate | None, dns_names: list[str]) -> None:
    """Re-pin the tablet CA (if given) and record the names the hub now vouches for."""
    if tablet_ca is not None:
        edge.tablet_ca_pem = pki.cert_to_pem(tablet_ca).decode()
        edge.tablet_ca_sha256 = pki.spki_sha256(tablet_ca)
    edge.dns_names = json.dumps(dns_names)
    edge.save()


def tablet_ca_of(edge: Edge) -> x509.Certificate:
    return pki.load_cert(edge.tablet_ca_pem.encode())


def revoke(edge_id: str, now: str) -> EdgeInfo:
    """Refuse this edge from now on: every request with its certificates, and enrolling again.
    Its stored records stay."""
    edge = find(edge_id)
    if edge.status != REVOKED:
        edge.status, edge.revoked_at = REVOKED, now
        edge.save()
    return info(edge, now)


def list_edges(now: str) -> list[EdgeInfo]:
    return [info(edge, now) for edge in Edge.select().order_by(Edge.edge_id)]


def info(edge: Edge, now: str) -> EdgeInfo:
    working = (EdgeCertificate.select().where((EdgeCertificate.edge == edge.edge_id)
                                              & EdgeCertificate.revoked_at.is_null())
               .order_by(EdgeCertificate.not_after.desc()).first())
    keys = signing_keys.accepted(edge.edge_id, now)
    return EdgeInfo(edge.edge_id, edge.status, edge.registered_at, edge.enrolled_at, edge.revoked_at,
                    edge.tablet_ca_sha256, working.not_after if working else None,
                    tuple(key.key_id for key in keys))
