"""Signed receipts: the hub's word that a batch is stored. The edge frees a batch only on one."""

from __future__ import annotations

import base64
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

from wire.batches import canonical_json

LABEL = b"throughgate-receipt-v1\x00"


class ReceiptError(ValueError):
    pass


def sign_receipt(fields: dict, hub_key: ed25519.Ed25519PrivateKey) -> dict:
    """fields: batch, edge, digest, count, stored, duplicates, received."""
    body = canonical_json(fields)
    return {"receipt": fields, "signature": base64.b64encode(hub_key.sign(LABEL + body)).decode()}


def verify_receipt(document: dict, hub_verify_key: ed25519.Ed25519PublicKey,
                   batch: str, digest: str) -> dict:
    """Check the hub's signature and that the receipt is for exactly this envelope."""
    try:
        fields = document["receipt"]
        signature = base64.b64decode(document["signature"], validate=True)
        hub_verify_key.verify(signature, LABEL + canonical_json(fields))
    except (KeyError, TypeError, ValueError, InvalidSignature) as exc:
        raise ReceiptError(f"receipt does not verify with the hub's key ({exc.__class__.__name__})") from None
    if fields.get("batch") != batch or fields.get("digest") != digest:
        raise ReceiptError("receipt is for another batch")
    return fields


def loads(text: bytes | str) -> dict:
    try:
        document = json.loads(text)
    except ValueError:
        raise ReceiptError("hub answered with something that is not a receipt") from None
    if not isinstance(document, dict):
        raise ReceiptError("hub answered with something that is not a receipt")
    return document
