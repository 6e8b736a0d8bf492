"""Edge client certificates: issued by the hub root (CN = edge id), recorded by serial, and
checked on every request that needs an edge (hub/auth.py `edge_required`).

A certificate authenticates only while all hold: it chains to the hub root and is in its validity
period, its serial is in the edge_certificate table and not revoked, its CN is that row's edge,
and the edge is active. The table is read on every request, so revoking acts at once.

"Chains to the hub root" means issued by the root itself: TLS also accepts a certificate made by
an edge's tablet CA and sent with its cross-certificate, but SSL_CLIENT_CERT carries the leaf
only and it is checked against the root alone, so such a certificate never names an edge.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509

from hub.models import REVOKED, Edge, EdgeCertificate
from hub.refusals import Refused
from provisioning import pki
from wire.records import timestamp


@dataclass(frozen=True)
class Caller:
    """The edge a request comes from, as its certificate proves."""

    edge_id: str
    serial: str


def serial_text(cert: x509.Certificate) -> str:
    return format(cert.serial_number, "x")


def issue(root: pki.Issuer, edge_id: str, public_key, days: int, now: dt.datetime) -> x509.Certificate:
    """A client certificate for the edge's key, recorded so that requests can authenticate with it."""
    cert = pki.issue(root, public_key, edge_id, pki.CLIENT, days, now=now)
    EdgeCertificate.create(serial=serial_text(cert), edge=edge_id, issued_at=timestamp(now),
                           not_after=timestamp(cert.not_valid_after_utc))
    return cert


def supersede(serial: str, now: str) -> None:
    """Note that a renewal replaced this certificate; it still works until it expires."""
    EdgeCertificate.update(superseded_at=now).where(EdgeCertificate.serial == serial).execute()


def authenticate(pem: str | None, root: x509.Certificate, now: dt.datetime | None = None) -> Caller:
    """The edge behind a client certificate (PEM, as the TLS server puts it in SSL_CLIENT_CERT),
    or Refused: 401 client_certificate_required, 403 unknown_certificate, 403 edge_revoked."""
    if not pem:
        raise Refused(401, "client_certificate_required", "connect with this edge's client certificate "
                      "(tls/edge.pem and tls/edge.key, from `throughgate edge enrol`)")
    try:
        cert = pki.load_cert(pem.encode() if isinstance(pem, str) else pem)
        pki.verify_client(cert, [], [root], now=now)  # no intermediates: the root must have issued it
        cn = pki.common_name(cert)
    except pki.PkiError as exc:
        raise Refused(403, "unknown_certificate", f"this certificate is not one of this hub's ({exc}): "
                      "enrol the edge with a token from the hub's operator") from None
    row = EdgeCertificate.get_or_none(EdgeCertificate.serial == serial_text(cert))
    if row is None or row.edge_id != cn:
        raise Refused(403, "unknown_certificate", "this hub has no record of this certificate: enrol "
                      "the edge with a token from the hub's operator")
    if row.revoked_at is not None:
        raise Refused(403, "unknown_certificate", f"this certificate stopped working at {row.revoked_at}, "
                      f"when edge {cn} enrolled again: use the newer certificate")
    edge = Edge.get(Edge.edge_id == cn)
    if edge.status == REVOKED:
        raise Refused(403, "edge_revoked", f"edge {cn} was revoked at this hub at {edge.revoked_at}")
    return Caller(cn, row.serial)
