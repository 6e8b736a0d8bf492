"""Edge client certificates: issued by the hub root (CN = edge id), recorded by serial, and
checked on every request that needs an edge (hub/auth.py `edge_required`).

A certificate authenticates only while all hold: it chains to the hub root and is in its validity
period, its serial is in the edge_certificate table and not revoked, its CN is that row's edge,
and the edge is active. The table is read on every request, so revoking acts at once.

A renewal supersedes the certificate it was made with. A superseded certificate still delivers
batches until it expires (batches in flight across a renewal), but changes nothing about the
edge: renewing again, re-pinning its tablet CA or sending a signing key need the edge's current
certificate (`require_current`, `supersede`). So a copy of an old certificate and key cannot
fork a second identity that outlives it.

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
    superseded_at: str | None = None
    """When a renewal replaced this certificate (None: it is the edge's current one)."""


def serial_text(cert: x509.Certificate) -> str:
    return format(cert.serial_number, "x")


def issue(root: pki.Issuer, edge_id: str, public_key, days: int, now: dt.datetime) -> x509.Certificate:
    """A client certificate for the edge's key, recorded so that requests can authenticate with it."""
    cert = pki.issue(root, public_key, edge_id, pki.CLIENT, days, now=now)
    EdgeCertificate.create(serial=serial_text(cert), edge=edge_id, issued_at=timestamp(now),
                           not_after=timestamp(cert.not_valid_after_utc))
    return cert


def supersede(caller: Caller, now: str) -> None:
    """Note that a renewal replaced the caller's certificate; it still delivers batches until it
    expires. Refused (403 superseded_certificate) unless it is the edge's current certificate:
    of two renewals with the same certificate, even concurrent ones, only one goes on (the
    update changes a row only while `superseded_at` is null). Call inside the renewal's
    transaction, so a later refusal leaves the certificate current."""
    replaced = (EdgeCertificate.update(superseded_at=now)
                .where((EdgeCertificate.serial == caller.serial) & EdgeCertificate.superseded_at.is_null()
                       & EdgeCertificate.revoked_at.is_null())
                .execute())
    if replaced != 1:
        row = EdgeCertificate.get_or_none(EdgeCertificate.serial == caller.serial)
        _refuse_superseded(caller.edge_id, row.superseded_at if row else None)


def require_current(caller: Caller) -> None:
    """Refused (403 superseded_certificate) if a renewal already replaced the caller's certificate."""
    if caller.superseded_at is not None:
        _refuse_superseded(caller.edge_id, caller.superseded_at)


def _refuse_superseded(edge_id: str, when: str | None) -> None:
    raise Refused(403, "superseded_certificate", f"this certificate of edge {edge_id} was replaced by a renewal "
                  f"at {when}: only the edge's newest certificate (tls/edge.pem) may renew or change the edge; "
                  "this one still delivers batches until it expires. If this edge never got a newer "
                  "certificate (a lost answer, or a copy of its key renewed elsewhere), enrol it again with "
                  "a new token: that stops every earlier certificate",
                  superseded_at=when)


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
        raise Refused(403, "edge_revoked", f"edge {cn} was revoked at this hub at {edge.revoked_at}: the hub takes "
                      "nothing more from it; if that was a mistake, ask the hub's operator, who can give this box "
                      "a token for a new edge id (a revoked id cannot enrol again)")
    return Caller(cn, row.serial, row.superseded_at)
