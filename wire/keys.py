"""Key pairs and their PEM files.

- The hub's sealing key: hybrid ML-KEM-768 + X25519 for HPKE (RFC 9180). Its PEM file holds
  two standard blocks (PKCS#8 / SubjectPublicKeyInfo): the ML-KEM-768 key, then the X25519 key.
- Signing keys (edge batches, hub receipts): Ed25519.

A key id is the first 16 hex digits of SHA-256 over the public key's DER encoding(s).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from cryptography.hazmat.primitives import hpke, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, mlkem, x25519

_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z ]+)-----.+?-----END \1-----\n?", re.S)


def _pem_blocks(data: bytes) -> list[bytes]:
    return [m.group(0) for m in _PEM_BLOCK.finditer(data)]


def _spki(key) -> bytes:
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _pkcs8_pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _spki_pem(key) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def key_id(*public_keys) -> str:
    digest = hashlib.sha256()
    for key in public_keys:
        digest.update(_spki(key))
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class SealingPublicKey:
    """What an edge seals to."""

    mlkem: mlkem.MLKEM768PublicKey
    x25519: x25519.X25519PublicKey

    @property
    def hpke_key(self) -> hpke.MLKEM768X25519PublicKey:
        return hpke.MLKEM768X25519PublicKey(self.mlkem, self.x25519)

    @property
    def id(self) -> str:
        return key_id(self.mlkem, self.x25519)

    def to_pem(self) -> bytes:
        return _spki_pem(self.mlkem) + _spki_pem(self.x25519)

    @classmethod
    def from_pem(cls, data: bytes) -> SealingPublicKey:
        blocks = _pem_blocks(data)
        if len(blocks) != 2:
            raise ValueError("a sealing public key file holds two PEM blocks: ML-KEM-768, then X25519")
        first, second = (serialization.load_pem_public_key(b) for b in blocks)
        if not isinstance(first, mlkem.MLKEM768PublicKey) or not isinstance(second, x25519.X25519PublicKey):
            raise ValueError("a sealing public key is an ML-KEM-768 key followed by an X25519 key")
        return cls(first, second)


@dataclass(frozen=True)
class SealingPrivateKey:
    """What the hub opens batches with. Never leaves the hub."""

    mlkem: mlkem.MLKEM768PrivateKey
    x25519: x25519.X25519PrivateKey

    @classmethod
    def generate(cls) -> SealingPrivateKey:
        return cls(mlkem.MLKEM768PrivateKey.generate(), x25519.X25519PrivateKey.generate())

    @property
    def hpke_key(self) -> hpke.MLKEM768X25519PrivateKey:
        return hpke.MLKEM768X25519PrivateKey(self.mlkem, self.x25519)

    def public_key(self) -> SealingPublicKey:
        return SealingPublicKey(self.mlkem.public_key(), self.x25519.public_key())

    def to_pem(self) -> bytes:
        return _pkcs8_pem(self.mlkem) + _pkcs8_pem(self.x25519)

    @classmethod
    def from_pem(cls, data: bytes) -> SealingPrivateKey:
        blocks = _pem_blocks(data)
        if len(blocks) != 2:
            raise ValueError("a sealing private key file holds two PEM blocks: ML-KEM-768, then X25519")
        first, second = (_load_private(b) for b in blocks)
        if not isinstance(first, mlkem.MLKEM768PrivateKey) or not isinstance(second, x25519.X25519PrivateKey):
            raise ValueError("a sealing private key is an ML-KEM-768 key followed by an X25519 key")
        return cls(first, second)


@dataclass(frozen=True)
class HubPublicKeys:
    """The hub's public document: what an edge seals to and verifies receipts with.

    `throughgate hub keys export` prints it; each edge keeps it as hub-public.json.
    """

    sealing: SealingPublicKey
    receipt: ed25519.Ed25519PublicKey

    def to_document(self) -> dict:
        return {"sealing_key": self.sealing.to_pem().decode(), "sealing_key_id": self.sealing.id,
                "receipt_key": verify_key_to_pem(self.receipt).decode()}

    @classmethod
    def from_document(cls, document: dict | str | bytes) -> HubPublicKeys:
        try:
            if isinstance(document, str | bytes):
                document = json.loads(document)
            sealing = SealingPublicKey.from_pem(document["sealing_key"].encode())
            receipt = verify_key_from_pem(document["receipt_key"].encode())
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise ValueError(f"not a hub public key document ({exc}): export one with "
                             "`throughgate hub keys export`") from None
        if document.get("sealing_key_id") != sealing.id:
            raise ValueError("sealing_key_id does not match sealing_key: export the document again")
        return cls(sealing, receipt)


def _load_private(data: bytes):
    try:
        return serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise ValueError("the key file is passphrase-protected; Throughgate keys are unencrypted PEM "
                         "protected by file permissions (0600)") from None


def new_signing_key() -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.generate()


def signing_key_to_pem(key: ed25519.Ed25519PrivateKey) -> bytes:
    return _pkcs8_pem(key)


def signing_key_from_pem(data: bytes) -> ed25519.Ed25519PrivateKey:
    key = _load_private(data)
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise ValueError("a signing key must be Ed25519")
    return key


def verify_key_to_pem(key: ed25519.Ed25519PublicKey) -> bytes:
    return _spki_pem(key)


def verify_key_from_pem(data: bytes) -> ed25519.Ed25519PublicKey:
    key = serialization.load_pem_public_key(data)
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise ValueError("a verification key must be Ed25519")
    return key
