"""Test helpers for the tablet: an edge's tablet CA (real or look-alike), tablets enrolled with it
without the HTTP API, and a tiny TLS listener that serves an edge's server certificate."""

from __future__ import annotations

import socket
import ssl
import threading
from dataclasses import dataclass
from pathlib import Path

from provisioning import pki
from tablet.identity import Enrolment, TabletIdentity
from wire.records import timestamp

EDGE = "edge-1"
NAME = f"{EDGE}.throughgate.internal"


@dataclass
class EdgeCa:
    """A tablet CA and the edge server certificate it issued. A look-alike is just another one
    with the same edge id and name (its own key)."""

    edge: str
    name: str
    issuer: pki.Issuer
    server_key: object
    server_cert: object

    @classmethod
    def make(cls, edge: str = EDGE, name: str = NAME) -> EdgeCa:
        issuer = pki.make_root(pki.new_key(), f"{edge} tablet CA", 3650, unit=edge)
        key = pki.new_key()
        cert = pki.issue(issuer, key.public_key(), name, pki.SERVER, 90, unit=edge, dns_names=[name])
        return cls(edge, name, issuer, key, cert)

    @property
    def pin(self) -> str:
        return pki.spki_sha256(self.issuer.cert)

    @property
    def ca_pem(self) -> str:
        return pki.cert_to_pem(self.issuer.cert).decode()

    def write_server_files(self, folder: Path) -> dict[str, str]:
        """server.pem, server.key, ca.pem in `folder`; returns their paths."""
        folder.mkdir(parents=True, exist_ok=True)
        paths = {"cert": folder / "server.pem", "key": folder / "server.key", "ca": folder / "ca.pem"}
        paths["cert"].write_bytes(pki.cert_to_pem(self.server_cert))
        paths["key"].write_bytes(pki.key_to_pem(self.server_key))
        paths["ca"].write_text(self.ca_pem)
        return {k: str(v) for k, v in paths.items()}

    def enrol(self, folder: Path, device: str = "tab-0001", port: int = 8883, address: str = "127.0.0.1",
              days: int = 30) -> TabletIdentity:
        """A tablet enrolled with this CA, as tablet.enrolment would leave it (key made in the folder)."""
        identity = TabletIdentity(folder)
        public_key = pki.load_csr(identity.csr_pem(device)).public_key()
        cert = pki.issue(self.issuer, public_key, device, pki.CLIENT, days, unit=self.edge)
        start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
        identity.save(Enrolment(edge=self.edge, device=device, broker_name=self.name, broker_port=port,
                                url=f"https://{address}:8443", ca_pin=self.pin,
                                renew_after=timestamp(start + (end - start) * 2 / 3), address=address),
                      certificate=pki.cert_to_pem(cert).decode(), ca=self.ca_pem)
        return identity


class TlsListener:
    """Accepts TLS connections with a server certificate, completes the handshake, records the
    client certificate's CN, and closes. Stands in for the edge's broker where only TLS matters."""

    def __init__(self, context: ssl.SSLContext, host: str = "127.0.0.1", port: int = 0):
        self.context = context
        self.sock = socket.create_server((host, port))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.peers: list[str | None] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def start(self) -> TlsListener:
        self._thread.start()
        return self

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                conn.settimeout(5)
                with self.context.wrap_socket(conn, server_side=True) as tls:
                    peer = tls.getpeercert()
                    self.peers.append(dict(x[0] for x in peer["subject"]).get("commonName") if peer else None)
                    tls.recv(1)  # let a TLS 1.3 client read the session tickets before we close
            except OSError:
                conn.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()
