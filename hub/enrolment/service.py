"""Enrolling an edge (POST /v1/enrol) and renewing its certificate (POST /v1/edge/renew).
No Flask here: the request's JSON object in, the answer's JSON object out, or Refused.

Enrolment spends a one-time token and, in the same transaction, records the edge (its tablet CA
pin and tablet-facing DNS name), issues its client certificate and records its signing key; any
refusal rolls all of it back, so a token is spent only by an enrolment that happened.

The hub, not the edge, decides the one name it vouches for: `<edge id>.<EDGE_DNS_SUFFIX>`
(hub/enrolment/edges.py `tablet_name`), and tells the edge in its answers (`dns_name`). An edge may still say
which names it expects (`dns_names`); anything else is refused with a reason, so a misconfigured
edge learns what to set.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm

from hub import config
from hub.db import proxy
from hub.enrolment import certificates, edges, signing_keys, tokens
from hub.enrolment.certificates import Caller
from hub.keys import HubKeys
from hub.refusals import Refused
from provisioning import pki
from wire.records import timestamp, valid_dns_label

log = logging.getLogger("hub.enrolment.service")

MAX_DNS_NAMES = 16


@dataclass(frozen=True)
class Terms:
    """How long what the hub issues lasts (from the hub's settings)."""

    edge_cert_days: int
    cross_cert_days: int
    key_grace_days: int
    edge_dns_suffix: str = config.KEYS["EDGE_DNS_SUFFIX"][1]
    hub_names: tuple[str, ...] = ()
    """The hub's own names (TLS_NAMES and PUBLIC_URL's host), which no edge's name may cover."""

    @classmethod
    def from_config(cls, settings) -> Terms:
        return cls(settings["EDGE_CERT_DAYS"], settings["CROSS_CERT_DAYS"], settings["EDGE_KEY_GRACE_DAYS"],
                   settings["EDGE_DNS_SUFFIX"], tuple(config.hub_names(settings)))

    def edge_name(self, edge_id) -> str:
        return edges.tablet_name(edge_id, self.edge_dns_suffix, self.hub_names)


def enrol(body: dict, root: pki.Issuer, hub_keys: HubKeys, terms: Terms,
          now: dt.datetime | None = None) -> dict:
    """Check the request, spend the token, and return the edge's certificate, the hub root, the
    cross-certificate of its tablet CA, the one name that vouches for (`dns_name`) and the hub's
    public keys."""
    now = now or pki.utcnow()
    token = _text(body, "token")
    edge_id = body.get("edge_id")
    name = terms.edge_name(edge_id)
    dns_names = _dns_names(body.get("dns_names"), name)
    csr = _csr(body)
    signing_key = signing_keys.parse(_text(body, "signing_key"))
    tablet_ca = _tablet_ca(_text(body, "tablet_ca"), now)
    stamp = timestamp(now)
    with proxy.atomic():
        spent = tokens.redeem(token, edge_id, stamp)
        edges.enrolled(edge_id, tablet_ca, dns_names, stamp)
        cert = certificates.issue(root, edge_id, csr.public_key(), terms.edge_cert_days, now)
        key_id = signing_keys.add(edge_id, signing_key, terms.key_grace_days, now)
    cross = pki.cross_certify(root, tablet_ca, terms.cross_cert_days, dns_names, now)
    log.info("edge %s enrolled with token %s: certificate %s until %s, signing key %s, tablet CA %s",
             edge_id, spent.token_id, certificates.serial_text(cert), timestamp(cert.not_valid_after_utc),
             key_id, pki.spki_sha256(tablet_ca)[:16])
    return {"certificate": _pem(cert), "ca": _pem(root.cert), "cross_certificate": _pem(cross),
            "dns_name": name, "hub_keys": hub_keys.public_document()}


def renew(caller: Caller, body: dict, root: pki.Issuer, hub_keys: HubKeys, terms: Terms,
          now: dt.datetime | None = None) -> dict:
    """A new certificate for the edge's (new) key, only for the edge's current certificate
    (403 superseded_certificate otherwise); the one it called with keeps delivering batches until
    it expires. A new tablet CA, if given, replaces the pinned one; the name is the hub's."""
    now = now or pki.utcnow()
    certificates.require_current(caller)  # refuse early; supersede() below decides under concurrency
    name = terms.edge_name(caller.edge_id)
    dns_names = _dns_names(body.get("dns_names"), name)
    csr = _csr(body)
    tablet_ca = _tablet_ca(_text(body, "tablet_ca"), now) if body.get("tablet_ca") is not None else None
    stamp = timestamp(now)
    with proxy.atomic():
        certificates.supersede(caller, stamp)
        edge = edges.find(caller.edge_id)
        edges.update_tablet_ca(edge, tablet_ca, dns_names)
        cert = certificates.issue(root, caller.edge_id, csr.public_key(), terms.edge_cert_days, now)
    cross = pki.cross_certify(root, edges.tablet_ca_of(edge), terms.cross_cert_days, dns_names, now)
    log.info("edge %s renewed certificate %s: new certificate %s until %s", caller.edge_id, caller.serial,
             certificates.serial_text(cert), timestamp(cert.not_valid_after_utc))
    return {"certificate": _pem(cert), "cross_certificate": _pem(cross), "dns_name": name,
            "hub_keys": hub_keys.public_document()}


def _pem(cert: x509.Certificate) -> str:
    return pki.cert_to_pem(cert).decode()


def _text(body: dict, name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise Refused(400, "bad_request", f"'{name}' is missing or not a string")
    return value


def _csr(body: dict) -> x509.CertificateSigningRequest:
    try:
        csr = pki.load_csr(_text(body, "csr"))
    except (pki.PkiError, UnsupportedAlgorithm) as exc:
        raise Refused(400, "bad_request", f"'csr': {exc}") from None
    _readable(csr, "csr")
    return csr


def _readable(obj, field: str) -> None:
    """Parse what `cryptography` parses lazily (subject, extensions), so that a malformed one (a
    duplicate extension, say) is a 400 naming the field rather than an error later."""
    try:
        obj.subject  # noqa: B018 (parsed on access)
        obj.extensions  # noqa: B018
    except (x509.DuplicateExtension, x509.UnsupportedGeneralNameType, ValueError) as exc:
        raise Refused(400, "bad_request", f"'{field}' is malformed ({exc})") from None


def _tablet_ca(pem: str, now: dt.datetime) -> x509.Certificate:
    """The edge's own tablet CA: a self-signed CA certificate, valid now."""
    try:
        cert = pki.load_cert(pem.encode())
    except pki.PkiError as exc:
        raise Refused(400, "bad_request", f"'tablet_ca': {exc}") from None
    _readable(cert, "tablet_ca")
    problems = []
    try:
        if not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca:
            problems.append("it is not a CA certificate")
    except x509.ExtensionNotFound:
        problems.append("it has no basic constraints (not a CA certificate)")
    try:
        cert.verify_directly_issued_by(cert)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        problems.append("it is not self-signed")
    if pki.remaining(cert, now) <= dt.timedelta(0) or cert.not_valid_before_utc > now + pki.NOT_BEFORE_SKEW:
        problems.append("it is not valid now")
    if problems:
        raise Refused(400, "bad_request", f"'tablet_ca' must be the edge's self-signed tablet CA: "
                      f"{'; '.join(problems)}")
    return cert


def _dns_names(value, name: str) -> list[str]:
    """[name], the one name the hub vouches for, if the edge sent no names or exactly that one
    (in any case, any number of times); else Refused, saying which name to set."""
    if value is None:
        return [name]
    if _names(value) != [name]:
        raise Refused(400, "bad_request", f"'dns_names' must be [\"{name}\"] (or left out): this hub names each "
                      "edge <edge id>.<EDGE_DNS_SUFFIX> and vouches for no other name: set tls_name in the edge's "
                      f"settings to {name}")
    return [name]


def _names(value) -> list[str]:
    """The names, lower case (DNS names compare without case); each a host name, no wildcards."""
    if not (isinstance(value, list) and 1 <= len(value) <= MAX_DNS_NAMES):
        raise Refused(400, "bad_request", f"'dns_names' must be a list of 1 to {MAX_DNS_NAMES} DNS names, "
                      "like [\"hmp-example.throughgate.internal\"]")
    names = []
    for name in value:
        if not (isinstance(name, str) and len(name) <= 253
                and all(valid_dns_label(label) for label in name.lower().split("."))):
            raise Refused(400, "bad_request", f"'dns_names': {name!r} is not a DNS name (letters, digits and "
                          "'-' in dot-separated labels)")
        names.append(name.lower())
    return list(dict.fromkeys(names))
