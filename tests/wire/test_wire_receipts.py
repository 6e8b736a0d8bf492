"""wire.receipts: the edge frees a batch only on the hub's signed word for exactly that envelope."""

from __future__ import annotations

import base64
import json

import pytest

from wire.keys import new_signing_key
from wire.receipts import ReceiptError, loads, sign_receipt, verify_receipt

BATCH = "5f0b7c1e-3a54-4c8e-9d0f-2b6a1e9c7d33"
DIGEST = "ab" * 32
FIELDS = {"batch": BATCH, "edge": "edge-1", "digest": DIGEST, "count": 3, "stored": 2, "duplicates": 1,
          "received": "2026-11-26T20:12:00Z"}


@pytest.fixture(scope="module")
def hub_key():
    return new_signing_key()


def test_signed_receipt_verifies_and_gives_back_its_fields(hub_key):
    document = sign_receipt(dict(FIELDS), hub_key)

    assert verify_receipt(document, hub_key.public_key(), BATCH, DIGEST) == FIELDS


def test_receipt_survives_the_json_trip_to_the_edge(hub_key):
    document = loads(json.dumps(sign_receipt(dict(FIELDS), hub_key)))

    assert verify_receipt(document, hub_key.public_key(), BATCH, DIGEST) == FIELDS


@pytest.mark.parametrize(("batch", "digest"), [("00000000-0000-4000-8000-000000000000", DIGEST), (BATCH, "cd" * 32)],
                         ids=["other-batch", "other-digest"])
def test_genuine_receipt_for_another_envelope_is_refused(hub_key, batch, digest):
    document = sign_receipt(dict(FIELDS), hub_key)

    with pytest.raises(ReceiptError, match="another batch"):
        verify_receipt(document, hub_key.public_key(), batch, digest)


@pytest.mark.parametrize(("field", "value"), [
    ("count", 4), ("stored", 3), ("duplicates", 0), ("edge", "edge-2"), ("received", "2026-11-27T00:00:00Z"),
    ("batch", "00000000-0000-4000-8000-000000000000"), ("digest", "cd" * 32),
])
def test_receipt_with_a_tampered_field_is_refused(hub_key, field, value):
    document = sign_receipt(dict(FIELDS), hub_key)
    document["receipt"] = dict(document["receipt"], **{field: value})
    expected = dict(FIELDS, **{field: value})

    with pytest.raises(ReceiptError, match="does not verify"):
        verify_receipt(document, hub_key.public_key(), expected["batch"], expected["digest"])


def test_receipt_with_an_extra_field_is_refused(hub_key):
    document = sign_receipt(dict(FIELDS), hub_key)
    document["receipt"]["stored_everything"] = True

    with pytest.raises(ReceiptError):
        verify_receipt(document, hub_key.public_key(), BATCH, DIGEST)


def test_receipt_signed_by_another_key_is_refused(hub_key):
    document = sign_receipt(dict(FIELDS), new_signing_key())

    with pytest.raises(ReceiptError, match="does not verify"):
        verify_receipt(document, hub_key.public_key(), BATCH, DIGEST)


@pytest.mark.parametrize("document", [
    {"receipt": FIELDS},
    {"signature": base64.b64encode(b"x" * 64).decode()},
    {"receipt": FIELDS, "signature": "not base64!"},
    {"receipt": FIELDS, "signature": base64.b64encode(b"short").decode()},
    {"receipt": FIELDS, "signature": 17},
    [FIELDS],
], ids=["no-signature", "no-fields", "signature-not-base64", "signature-too-short", "signature-number", "list"])
def test_malformed_receipt_is_refused(hub_key, document):
    with pytest.raises(ReceiptError):
        verify_receipt(document, hub_key.public_key(), BATCH, DIGEST)


@pytest.mark.parametrize("text", [b"<html>502 Bad Gateway</html>", "", "[1, 2]", "null", b"\xff"])
def test_hub_answer_that_is_not_a_json_object_is_not_a_receipt(text):
    with pytest.raises(ReceiptError, match="not a receipt"):
        loads(text)
