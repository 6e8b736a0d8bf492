"""wire.keys: PEM files round-trip to keys that still work together, and wrong files are named as such."""

from __future__ import annotations

import re
import uuid

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, x25519

from wire import batches, keys
from wire.keys import (
    SealingPrivateKey,
    SealingPublicKey,
    new_signing_key,
    signing_key_from_pem,
    signing_key_to_pem,
    verify_key_from_pem,
    verify_key_to_pem,
)


@pytest.fixture(scope="module")
def hub_key():
    return SealingPrivateKey.generate()


def sealed_and_opened(seal_to: SealingPublicKey, open_with: SealingPrivateKey) -> list[dict]:
    edge = new_signing_key()
    header = batches.BatchHeader("edge-1", str(uuid.uuid4()), 1, "2026-11-26T20:11:00Z", 1, 0, seal_to.id)
    env = batches.read_envelope(batches.seal(header, [{"n": 1}], seal_to, edge))
    return batches.open_sealed(env, open_with)


def test_key_id_is_sixteen_hex_digits_and_differs_between_keys(hub_key):
    other = SealingPrivateKey.generate()

    assert re.fullmatch(r"[0-9a-f]{16}", hub_key.public_key().id)
    assert hub_key.public_key().id != other.public_key().id


def test_sealing_public_key_pem_round_trips_with_a_stable_id(hub_key):
    public = hub_key.public_key()
    loaded = SealingPublicKey.from_pem(public.to_pem())

    assert loaded.id == public.id
    assert loaded.to_pem() == public.to_pem()
    assert sealed_and_opened(loaded, hub_key) == [{"n": 1}]


def test_sealing_private_key_pem_round_trips_and_still_opens_batches(hub_key):
    loaded = SealingPrivateKey.from_pem(hub_key.to_pem())

    assert loaded.public_key().id == hub_key.public_key().id
    assert sealed_and_opened(hub_key.public_key(), loaded) == [{"n": 1}]


def test_signing_key_pem_round_trips_and_signs_for_its_verify_key():
    key = new_signing_key()
    loaded = signing_key_from_pem(signing_key_to_pem(key))
    verify_key = verify_key_from_pem(verify_key_to_pem(key.public_key()))

    verify_key.verify(loaded.sign(b"batch"), b"batch")
    assert keys.key_id(verify_key) == keys.key_id(key.public_key())


def _x25519_private_pem() -> bytes:
    return keys._pkcs8_pem(x25519.X25519PrivateKey.generate())


def _x25519_public_pem() -> bytes:
    return keys._spki_pem(x25519.X25519PrivateKey.generate().public_key())


def _ed25519_public_pem() -> bytes:
    return verify_key_to_pem(new_signing_key().public_key())


def _sealing_public_pem() -> bytes:
    return SealingPrivateKey.generate().public_key().to_pem()


def _sealing_private_pem() -> bytes:
    return SealingPrivateKey.generate().to_pem()


def _swapped(pem: bytes) -> bytes:
    first, second = keys._pem_blocks(pem)
    return second + first


WRONG_FILES = [
    (SealingPublicKey.from_pem, lambda: b"", "two PEM blocks"),
    (SealingPublicKey.from_pem, _ed25519_public_pem, "two PEM blocks"),
    (SealingPublicKey.from_pem, lambda: _swapped(_sealing_public_pem()), "ML-KEM-768 key followed by an X25519"),
    (SealingPublicKey.from_pem, lambda: _x25519_public_pem() + _x25519_public_pem(), "ML-KEM-768 key followed"),
    (SealingPublicKey.from_pem, _sealing_private_pem, "public key"),
    (SealingPublicKey.from_pem, lambda: _sealing_public_pem().replace(b"A", b"B", 3), "deserialize"),
    (SealingPrivateKey.from_pem, _sealing_public_pem, "private key"),
    (SealingPrivateKey.from_pem, lambda: _swapped(_sealing_private_pem()), "ML-KEM-768 key followed by an X25519"),
    (SealingPrivateKey.from_pem, lambda: b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
     "two PEM blocks"),
    (signing_key_from_pem, _x25519_private_pem, "must be Ed25519"),
    (signing_key_from_pem, _ed25519_public_pem, "private key"),
    (verify_key_from_pem, _x25519_public_pem, "must be Ed25519"),
    (verify_key_from_pem, lambda: signing_key_to_pem(new_signing_key()), "public key"),
]


@pytest.mark.parametrize(("load", "make_pem", "message"), WRONG_FILES,
                         ids=[f"{load.__qualname__}:{message}"[:60] for load, _, message in WRONG_FILES])
def test_wrong_pem_file_is_refused_with_a_value_error_saying_what_is_wrong(load, make_pem, message):
    with pytest.raises(ValueError, match=message):
        load(make_pem())


def _encrypted_pkcs8(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.BestAvailableEncryption(b"passphrase"))


@pytest.mark.parametrize("load", [
    lambda: signing_key_from_pem(_encrypted_pkcs8(ed25519.Ed25519PrivateKey.generate())),
    lambda: SealingPrivateKey.from_pem(_encrypted_pkcs8(SealingPrivateKey.generate().mlkem)
                                       + _encrypted_pkcs8(x25519.X25519PrivateKey.generate())),
], ids=["signing", "sealing"])
def test_passphrase_protected_private_key_is_refused_with_a_value_error(load):
    with pytest.raises(ValueError):
        load()
