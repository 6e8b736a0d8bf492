"""The phone's identity: a key made on the phone (Ed25519; its private half never leaves the phone's
folder, 0600), and the hub it was activated with (URL, pinned root certificate, person, key id)."""

from __future__ import annotations

import json
import ssl
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from provisioning.files import write_private

KEY_FILE, STATE_FILE, ROOT_FILE = "phone_key.pem", "phone.json", "hub_root.pem"


@dataclass(frozen=True)
class Activation:
    hub: str
    ca_pin: str
    person: str
    key_id: str


def load_or_make_key(folder: Path) -> ed25519.Ed25519PrivateKey:
    path = folder / KEY_FILE
    if path.exists():
        return serialization.load_pem_private_key(path.read_bytes(), None)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = ed25519.Ed25519PrivateKey.generate()
    write_private(path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return key


def save_activation(folder: Path, activation: Activation, root_pem: bytes) -> None:
    write_private(folder / ROOT_FILE, root_pem, replace=True)
    write_private(folder / STATE_FILE, json.dumps(asdict(activation), indent=2).encode(), replace=True)


def activation(folder: Path) -> Activation | None:
    path = folder / STATE_FILE
    return Activation(**json.loads(path.read_text())) if path.exists() else None


def tls_context(folder: Path) -> ssl.SSLContext:
    """TLS that trusts only the hub's pinned root."""
    context = ssl.create_default_context(cadata=(folder / ROOT_FILE).read_text())
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context
