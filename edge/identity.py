"""The edge's own keys and certificates, in its instance folder.

    tls/hub-root.pem        the hub's root, pinned by its SHA-256 at enrolment
    tls/edge.key, edge.pem  the edge's identity towards the hub (mutual TLS), issued by the hub root
    tablet-ca/ca.key, ca.pem    this edge's tablet CA: a root of its own (see docs/security.md)
    tablet-ca/cross.pem     the hub's cross-certificate for the tablet CA (the hub vouches for it)
    tablet-ca/crl.pem       revoked tablet certificates; Mosquitto and hostapd read it
    tls/server.key, server.pem  the edge's server certificate for tablets (MQTT-TLS, HTTPS, EAP-TLS)

Private keys are 0600 and never leave the box.
"""

from __future__ import annotations

import datetime as dt
import logging
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from provisioning import pki
from provisioning.files import write_atomic, write_private

log = logging.getLogger(__name__)

TABLET_CA_DAYS = 3650
SERVER_CERT_DAYS = 90


@dataclass(frozen=True)
class EdgeFiles:
    instance: Path

    @property
    def tls(self) -> Path:
        return self.instance / "tls"

    @property
    def ca_dir(self) -> Path:
        return self.instance / "tablet-ca"

    hub_root = property(lambda self: self.tls / "hub-root.pem")
    edge_key = property(lambda self: self.tls / "edge.key")
    edge_cert = property(lambda self: self.tls / "edge.pem")
    server_key = property(lambda self: self.tls / "server.key")
    server_cert = property(lambda self: self.tls / "server.pem")
    ca_key = property(lambda self: self.ca_dir / "ca.key")
    ca_cert = property(lambda self: self.ca_dir / "ca.pem")
    cross_cert = property(lambda self: self.ca_dir / "cross.pem")
    crl = property(lambda self: self.ca_dir / "crl.pem")

    def make_dirs(self) -> None:
        for folder in (self.tls, self.ca_dir):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)

    @property
    def enrolled(self) -> bool:
        return self.edge_cert.exists() and self.hub_root.exists()


def create_tablet_ca(files: EdgeFiles, edge_id: str) -> pki.Issuer:
    """This edge's tablet CA, made once at `edge init`."""
    files.make_dirs()
    issuer = pki.make_root(pki.new_key(), f"{edge_id} tablet CA", TABLET_CA_DAYS, unit=edge_id)
    write_private(files.ca_key, pki.key_to_pem(issuer.key))
    write_atomic(files.ca_cert, pki.cert_to_pem(issuer.cert))
    return issuer


def tablet_ca(files: EdgeFiles) -> pki.Issuer:
    return pki.Issuer(pki.load_cert(files.ca_cert.read_bytes()), pki.load_key(files.ca_key.read_bytes()))


def ca_pin(files: EdgeFiles) -> str:
    """What tablets pin (QR code, zeroconf TXT): SHA-256 of the tablet CA's public key."""
    return pki.spki_sha256(pki.load_cert(files.ca_cert.read_bytes()))


def ensure_server_cert(files: EdgeFiles, edge_id: str, name: str, now: dt.datetime | None = None) -> bool:
    """Issue the server certificate for tablets if missing, due, or for another name. True if (re)issued.

    The key is kept across renewals, so a tablet that pinned nothing but the CA notices nothing."""
    files.make_dirs()
    if files.server_key.exists():
        key = pki.load_key(files.server_key.read_bytes())
    else:
        key = pki.new_key()
        write_private(files.server_key, pki.key_to_pem(key))
    if files.server_cert.exists() and not pki.server_cert_due(pki.load_cert(files.server_cert.read_bytes()), key,
                                                              [name], now):
        return False
    cert = pki.issue(tablet_ca(files), key.public_key(), name, pki.SERVER, SERVER_CERT_DAYS, unit=edge_id,
                     dns_names=[name], now=now)
    write_atomic(files.server_cert, pki.cert_to_pem(cert))
    log.info("server certificate for %s issued, valid until %s", name, cert.not_valid_after_utc.date())
    return True


def edge_key(files: EdgeFiles):
    """The key the edge proves itself to the hub with; made on first use."""
    files.make_dirs()
    if not files.edge_key.exists():
        write_private(files.edge_key, pki.key_to_pem(pki.new_key()))
    return pki.load_key(files.edge_key.read_bytes())


def edge_cert(files: EdgeFiles) -> x509.Certificate | None:
    return pki.load_cert(files.edge_cert.read_bytes()) if files.edge_cert.exists() else None


def server_tls_context(files: EdgeFiles) -> ssl.SSLContext:
    """TLS 1.2+ with the edge's server certificate, no client certificate asked for: the staff console
    (staff log in) and the metrics endpoint (a bearer token) serve with it."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(str(files.server_cert), str(files.server_key))
    return context
