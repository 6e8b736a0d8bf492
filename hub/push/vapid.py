"""The hub's VAPID key (RFC 8292): a P-256 key pair in the instance folder (VAPID_KEY_FILE, mode
0600, made when first needed: `hub init`, `hub run`, or a phone asking for it), never logged. Phones
pass its public half, the *application server key* (base64url of the uncompressed point, 65 bytes),
to PushManager.subscribe; push services then accept only pushes this key signed.

The `sub` claim is VAPID_SUBJECT (a mailto: or https: address a push service can reach the operator
at), else PUBLIC_URL; with neither, the hub pushes nothing and `hub run` says so."""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from provisioning.files import write_private_once


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    """Base64url with or without padding; ValueError when it is not."""
    text = text.strip()
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def load_or_make(path: str | os.PathLike) -> ec.EllipticCurvePrivateKey:
    """The key in `path`; made there first if the file is missing. Two hubs making it at once on a
    shared folder both end with the one that reached the disk first."""
    path = Path(path)
    if not path.exists():
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        write_private_once(path, pem)  # never replaces: a key another hub made first stays
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, ec.EllipticCurvePrivateKey) or not isinstance(loaded.curve, ec.SECP256R1):
        raise ValueError(f"{path} does not hold a P-256 private key: move it away and the hub makes a new one "
                         "(phones then subscribe again)")
    return loaded


def application_server_key(key: ec.EllipticCurvePrivateKey) -> str:
    """The public key as phones pass it to PushManager.subscribe: base64url, uncompressed point."""
    return b64url(key.public_key().public_bytes(serialization.Encoding.X962,
                                                serialization.PublicFormat.UncompressedPoint))


def subject(config) -> str | None:
    """The VAPID `sub` claim: VAPID_SUBJECT, else PUBLIC_URL; None when neither is set."""
    return config.get("VAPID_SUBJECT") or config.get("PUBLIC_URL") or None
