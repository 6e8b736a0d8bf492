"""Helpers for the hub's tests: records as an edge batches them, an edge that enrols (through the
real service function or over HTTPS) and seals them, and HTTPS requests with or without its
client certificate."""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import json
import ssl
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from hub import ca, keys
from hub.enrolment import service as enrolment
from hub.enrolment import tokens
from hub.models import Record
from provisioning import pki
from wire import batches
from wire.keys import HubPublicKeys, SealingPublicKey, new_signing_key, verify_key_to_pem
from wire.records import new_record, timestamp

ADMIN_TOKEN = "test-admin-token-" + "x" * 20
TLS_NAMES = ["localhost", "127.0.0.1"]


def now() -> str:
    return timestamp()


def edge_records(n: int, device: str = "tablet-1", learner: str = "L-0042",
                 kind: str = "progress_statement", first_seq: int = 1) -> list[dict]:
    """Records as an edge puts them in a batch: tablet record + device + received."""
    return [new_record(kind, learner, first_seq + i, {"text": f"entry {i}"}).to_dict()
            | {"device": device, "received": now()} for i in range(n)]


def tablet_dns_name(edge_id: str) -> str:
    return f"{edge_id}.throughgate.internal"


@dataclass
class EdgeIdentity:
    """What an edge makes before it enrols: its TLS key, its signing key and its own tablet CA."""

    edge_id: str
    tls_key: ec.EllipticCurvePrivateKey
    signing_key: ed25519.Ed25519PrivateKey
    tablet_ca: pki.Issuer

    @classmethod
    def new(cls, edge_id: str) -> EdgeIdentity:
        tablet_ca = pki.make_root(pki.new_key(), f"{edge_id} tablet CA", 3650, unit=edge_id)
        return cls(edge_id, pki.new_key(), new_signing_key(), tablet_ca)

    def request(self, token: str, edge_id: str | None = None) -> dict:
        """The body of POST /v1/enrol."""
        return {"token": token, "edge_id": edge_id or self.edge_id,
                "csr": pki.csr_to_pem(pki.make_csr(self.tls_key, self.edge_id)).decode(),
                "signing_key": verify_key_to_pem(self.signing_key.public_key()).decode(),
                "tablet_ca": pki.cert_to_pem(self.tablet_ca.cert).decode(),
                "dns_names": [tablet_dns_name(self.edge_id)]}


@dataclass
class FakeEdge:
    """A real edge's sealing step (its own Ed25519 key, sealing to the hub's public key) and, once
    enrolled, its client certificate."""

    edge_id: str
    key: ed25519.Ed25519PrivateKey
    hub_key: SealingPublicKey
    cert_pem: str | None = None
    tls_key: ec.EllipticCurvePrivateKey | None = None
    answer: dict = field(default_factory=dict)
    """What the hub answered at enrolment."""
    seqs: itertools.count = field(default_factory=lambda: itertools.count(1))

    @classmethod
    def enrolled(cls, identity: EdgeIdentity, answer: dict) -> FakeEdge:
        hub = HubPublicKeys.from_document(answer["hub_keys"])
        return cls(identity.edge_id, identity.signing_key, hub.sealing, answer["certificate"],
                   identity.tls_key, answer)

    def seal(self, records: list[dict], batch_id: str | None = None,
             hub_key: SealingPublicKey | None = None, edge_id: str | None = None) -> bytes:
        hub_key = hub_key or self.hub_key
        header = batches.BatchHeader(edge=edge_id or self.edge_id, batch=batch_id or str(uuid.uuid4()),
                                     seq=next(self.seqs), created=now(), count=len(records),
                                     priority=2, hub_key=hub_key.id)
        return batches.seal(header, records, hub_key, self.key)

    @property
    def environ(self) -> dict:
        """What the TLS server puts in the WSGI environ for this edge's connections."""
        return {"SSL_CLIENT_CERT": self.cert_pem} if self.cert_pem else {}

    def tls_files(self, directory: Path) -> tuple[Path, Path]:
        """The edge's certificate and key as files (what ssl.SSLContext.load_cert_chain reads)."""
        directory.mkdir(parents=True, exist_ok=True)
        cert_file, key_file = directory / f"{self.edge_id}.pem", directory / f"{self.edge_id}.key"
        cert_file.write_text(self.cert_pem)
        key_file.write_bytes(pki.key_to_pem(self.tls_key))
        return cert_file, key_file


def enrol_edge(app, edge_id: str, identity: EdgeIdentity | None = None) -> FakeEdge:
    """Enrol through the real service function: a token, then POST /v1/enrol's work."""
    identity = identity or EdgeIdentity.new(edge_id)
    token, _info = tokens.create(edge_id, 600)
    answer = enrolment.enrol(identity.request(str(token)), app.extensions["hub_ca"],
                             app.extensions["hub_keys"].get(), app.extensions["hub_terms"])
    return FakeEdge.enrolled(identity, answer)


def post_batch(client, edge: FakeEdge | None, envelope: bytes):
    """POST /v1/batches through the Flask test client, as `edge` (None: without a certificate)."""
    return client.post("/v1/batches", data=envelope, content_type="application/cbor",
                       environ_base=edge.environ if edge else {})


def stored_count() -> int:
    return Record.select().count()


def tls_client(root_pem_file: Path, cert: tuple[Path, Path] | None = None) -> ssl.SSLContext:
    """A client context that trusts only the hub root, optionally with a client certificate."""
    context = ssl.create_default_context(cafile=str(root_pem_file))
    if cert:
        context.load_cert_chain(*cert)
    return context


def https(method: str, url: str, context: ssl.SSLContext, body: bytes | None = None,
          headers: dict | None = None) -> tuple[int, dict | str]:
    """A real HTTPS request; returns (status, JSON body, or text if not JSON) for errors too."""
    if not url.startswith("https://127.0.0.1:"):
        raise ValueError("tests only talk to hubs they started on loopback")
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30, context=context) as response:  # noqa: S310
            return response.status, _decoded(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, _decoded(exc.read())


def _decoded(data: bytes) -> dict | str:
    try:
        return json.loads(data)
    except ValueError:
        return data.decode()


def post_envelope(base_url: str, context: ssl.SSLContext, envelope: bytes) -> tuple[int, dict]:
    return https("POST", f"{base_url}/v1/batches", context, envelope, {"Content-Type": "application/cbor"})


def make_instance(path):
    """What `throughgate hub init` makes, but the database and hub.toml: keys, root CA, TLS certificate."""
    path.mkdir(mode=0o700)
    keys.generate(path / "sealing_key.pem", path / "receipt_key.pem")
    paths = ca.files(path)
    ca.issue_server_cert(ca.create_root(paths), paths, TLS_NAMES)
    return path


def hub_command(*args: str) -> str:
    """`throughgate hub ARGS` in this process: the CLI's own parser and commands (hub.cli), without the second of
    CPU a Python process importing the hub costs (for a test's set-up: a command under test runs as a process).
    Returns what it printed; a failure raises with its stderr."""
    from hub import cli as hub_cli

    parser = argparse.ArgumentParser(prog="throughgate")
    hub_cli.register(parser.add_subparsers(dest="part", required=True))
    parsed = parser.parse_args(["hub", *args])
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = parsed.func(parsed)
    if code:
        raise RuntimeError(f"throughgate hub {' '.join(args)} failed ({code}):\n{err.getvalue()}{out.getvalue()}")
    return out.getvalue()
