"""The tablet's identity: its key, its certificate and what it pinned at enrolment, in one folder.

    key.pem        P-256 private key, made here (0600); it never leaves the tablet
    cert.pem       the tablet's client certificate, issued by its edge's tablet CA (CN = device id)
    ca.pem         the edge's tablet CA: the only root the tablet trusts (pinned by the QR code)
    cross.pem      the hub's cross-certificate for that CA (so a tablet holding the hub root can check it)
    hub_root.pem   the hub's root
    enrolment.json edge id, device id, broker name and port, enrolment URL, CA pin, renew_after, address

A certificate renewal keeps the key: only cert.pem changes, in one atomic rename, so a crash
never leaves a key that does not match its certificate (nothing pins the tablet's own key).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import ssl
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from cryptography import x509

from provisioning import pki
from provisioning.files import write_atomic, write_private
from wire.records import parse_timestamp


@dataclass(frozen=True)
class Enrolment:
    """What the tablet learnt when it enrolled (enrolment.json)."""

    edge: str
    device: str
    broker_name: str  # the DNS name on the edge's server certificate (TLS checks it)
    broker_port: int  # MQTT over TLS
    url: str  # the edge's tablet API, https://host:port (renewal)
    ca_pin: str  # hex SHA-256 of the tablet CA's public key, from the QR code
    renew_after: str  # RFC 3339 time: renew the certificate from then on
    address: str = ""  # where the edge last answered (the offer's host, or a discovered address)


class PinnedNameContext(ssl.SSLContext):
    """A client TLS context that always checks the certificate for `server_name`, whatever
    server_hostname the caller passes (paho and http.client pass the host they connect to).

    The tablet reaches its edge at an address that comes from zeroconf or from the QR code, but the
    name it must check comes from enrolment (the SAN on the edge's server certificate). Python checks
    the certificate against the server_hostname given to wrap_socket, and paho passes the host it
    connects to; forcing the name here gives SNI and a hostname check for the edge's name while
    connecting to any address (paho's own tls_set would check the address, and fail)."""

    server_name: str = ""

    def wrap_socket(self, sock, *args, server_hostname=None, **kwargs):
        return super().wrap_socket(sock, *args, server_hostname=self.server_name, **kwargs)

    def wrap_bio(self, incoming, outgoing, server_side=False, server_hostname=None, session=None):
        return super().wrap_bio(incoming, outgoing, server_side, self.server_name, session)


def pinned_context(ca_pem: str, server_name: str, cert_file: Path | None = None,
                   key_file: Path | None = None) -> PinnedNameContext:
    """Trust `ca_pem` only (not the system's roots), check `server_name`, and present a client
    certificate when one is given."""
    context = PinnedNameContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED and check_hostname on
    context.server_name = server_name
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_verify_locations(cadata=ca_pem)
    if cert_file is not None:
        context.load_cert_chain(str(cert_file), str(key_file))
    return context


def existing_folder(text: str) -> str:
    """argparse type for --folder of every command but enrol: the folder must exist (enrol makes it)."""
    if not Path(text).is_dir():
        raise argparse.ArgumentTypeError(
            f"no tablet folder at {text}: enrol the tablet first (throughgate tablet enrol … --folder {text}), "
            "or check the path")
    return text


class TabletIdentity:
    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    key_path = property(lambda self: self.folder / "key.pem")
    cert_path = property(lambda self: self.folder / "cert.pem")
    ca_path = property(lambda self: self.folder / "ca.pem")
    cross_path = property(lambda self: self.folder / "cross.pem")
    hub_root_path = property(lambda self: self.folder / "hub_root.pem")
    state_path = property(lambda self: self.folder / "enrolment.json")
    outbox_path = property(lambda self: self.folder / "outbox.sqlite")

    def __repr__(self) -> str:
        return f"TabletIdentity({str(self.folder)!r})"

    @property
    def enrolled(self) -> bool:
        return self.state_path.exists() and self.cert_path.exists()

    # the key and its request -------------------------------------------------------------
    def key(self):
        """The tablet's private key, made on first use."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not self.key_path.exists():
            write_private(self.key_path, pki.key_to_pem(pki.new_key()))
        return pki.load_key(self.key_path.read_bytes())

    def csr_pem(self, device: str) -> str:
        return pki.csr_to_pem(pki.make_csr(self.key(), device)).decode()

    # what enrolment gave -----------------------------------------------------------------
    def save(self, enrolment: Enrolment, certificate: str, ca: str, cross: str | None = None,
             hub_root: str | None = None) -> None:
        """Store an enrolment. enrolment.json goes last: its presence means the rest is complete."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_atomic(self.ca_path, ca.encode())
        for path, pem in ((self.cross_path, cross), (self.hub_root_path, hub_root)):
            if pem:
                write_atomic(path, pem.encode())
        write_atomic(self.cert_path, certificate.encode())
        self._write_state(enrolment)

    def save_certificate(self, certificate: str, renew_after: str) -> None:
        """A renewed certificate (same key)."""
        write_atomic(self.cert_path, certificate.encode())
        self._write_state(replace(self.state, renew_after=renew_after))

    def remember_address(self, address: str) -> None:
        if address != self.state.address:
            self._write_state(replace(self.state, address=address))

    def _write_state(self, enrolment: Enrolment) -> None:
        write_atomic(self.state_path, (json.dumps(asdict(enrolment), indent=2, sort_keys=True) + "\n").encode())

    @property
    def state(self) -> Enrolment:
        if not self.state_path.exists():
            raise FileNotFoundError(f"{self.folder} holds no enrolment: run `throughgate tablet enrol --folder "
                                    f"{self.folder} '<QR code>'` first")
        return Enrolment(**json.loads(self.state_path.read_text()))

    @property
    def device(self) -> str:
        return self.state.device

    @property
    def edge(self) -> str:
        return self.state.edge

    def certificate(self) -> x509.Certificate:
        return pki.load_cert(self.cert_path.read_bytes())

    def due_for_renewal(self, now: dt.datetime | None = None) -> bool:
        now = now or pki.utcnow()
        return now >= parse_timestamp(self.state.renew_after)

    # TLS ---------------------------------------------------------------------------------
    def ssl_context(self, server_name: str | None = None) -> PinnedNameContext:
        """A client context for the edge (MQTT and HTTPS): trusts ca.pem only, presents this tablet's
        certificate, and checks the edge's name from enrolment (or `server_name`) at any address."""
        return pinned_context(self.ca_path.read_text(), server_name or self.state.broker_name,
                              self.cert_path, self.key_path)

