"""The phone app's check-in signing (app/src/phone/checkin/), run in Node against the project's Python: the app's
RFC 8785 canonical bytes are wire/checkin.py's for a table of documents (number forms, member order by UTF-16 code
units, escapes, nesting, a whole check-in), and a check-in signed by checkin/sign.js with a non-extractable
WebCrypto P-256 key verifies with the hub's wire.checkin.verify, its WebAuthn challenge being wire.checkin.challenge."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from provisioning import signatures
from wire import checkin as wire

PHONE = Path(__file__).resolve().parents[2] / "app" / "src" / "phone"
DOCUMENTS = [
    # RFC 8785 3.2.2.3 and appendix B: numbers as ECMAScript prints them
    [0, -0.0, 1, -1, 0.5, 333333333.3333333, 1e30, 4.5, 2e-3, 0.000001, 1e-7, 1e21, 1e20, 123456789012345680000.0,
     5e-324, 1.7976931348623157e308, 9007199254740992, -9007199254740992, 295147905179352830000.0, 1.5e-7, 100.0,
     51.4817, -3.179, 12.3],
    # member order: UTF-16 code units, not code points (RFC 8785 3.2.3's example)
    {"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One",
     "\U0001f600": "Emoji: Grinning Face", "\u0080": "Control", "\u00f6": "Latin Small Letter O With Diaeresis"},
    # strings: the minimal escapes, everything else as UTF-8
    {"text": "a\"b\\c\n\t\r\b\f\u0001\u001f\u007f/é — ŵ 💡 \u2028", "empty": "",
     "nested": {"b": [1, {"z": None, "a": True}], "a": False}},
    {"numbers": {"lat": 51.4816, "lon": -3.1791, "accuracy": 8, "negative_zero": -0.0}},
    {"v": 1, "checkin_id": "8d7c3b0e-5f1a-4c2b-9e7d-0a1b2c3d4e5f", "person": "P-7K2M-Q9XD", "key_id": "X1k" * 14,
     "slot": "0c3f" * 8 + "/12", "photo": {"sha256": "5b" * 32, "type": "image/jpeg", "bytes": 48211},
     "gps": {"lat": 51.4817, "lon": -3.179, "accuracy": 9.4, "mock": False}, "device_time": "2027-03-10T09:31:02.114Z",
     "counter": 12, "nonce": "q2V" * 10},
]
SCRIPT = """
import { canonicalText } from "./checkin/canonical.js";
import { challengeOf, documentOf, signDocument } from "./checkin/sign.js";
import { publicJwk, thumbprint } from "./device.js";
import { hex } from "./bytes.js";
const input = JSON.parse(await new Response(process.stdin).text());
const texts = input.documents.map((d) => canonicalText(d));
const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
const jwk = await publicJwk(pair.publicKey);
const key = { privateKey: pair.privateKey, keyId: await thumbprint(jwk) };
const document = documentOf({ checkinId: "8d7c3b0e-5f1a-4c2b-9e7d-0a1b2c3d4e5f", person: "P-7K2M-Q9XD",
  keyId: key.keyId, slot: null, photo: { sha256: "ab".repeat(32), type: "image/png", bytes: 70 },
  fix: { lat: 51.4816, lon: -3.1791, accuracy: 8.5, mock: false, altitude: 12 },
  deviceTime: "2027-03-10T09:31:02.114Z", counter: 3, nonce: "" });
console.log(JSON.stringify({ texts, jwk, document, jws: await signDocument(document, key),
                             challenge: hex(await challengeOf(document)) }));
"""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def ran():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (make installs it)")
    # both sides read the same JSON text of the table; each canonicalises what it parsed
    run = subprocess.run([node, "--input-type=module", "-e", SCRIPT], input=json.dumps({"documents": DOCUMENTS}),
                         capture_output=True, text=True, cwd=PHONE, timeout=60)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().split("\n")[-1])  # not splitlines: U+2028 is in a string


def test_the_apps_canonical_bytes_are_the_hubs_for_every_document(ran):
    for document, text in zip(json.loads(json.dumps(DOCUMENTS)), ran["texts"], strict=True):
        assert text.encode("utf-8") == wire.canonical(document), document
    assert ran["texts"][0].startswith("[0,0,1,-1,0.5,333333333.3333333,1e+30,4.5,0.002,0.000001,1e-7,1e+21,"
                                      "100000000000000000000,123456789012345680000,5e-324,1.7976931348623157e+308,")
    assert ran["texts"][1] == ('{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O '
                               'With Diaeresis","\u20ac":"Euro Sign","\U0001f600":"Emoji: Grinning Face","\ufb33":'
                               '"Hebrew Letter Dalet With Dagesh"}')


def test_a_check_in_signed_in_the_app_verifies_at_the_hub(ran):
    public = signatures.load_jwk(ran["jwk"])
    key_id = signatures.key_id(public)
    document = wire.verify(ran["jws"], public, key_id)
    assert document == ran["document"]
    assert document["nonce"] == "none" and document["slot"] is None  # a phone never given a nonce says so
    assert document["gps"] == {"lat": 51.4816, "lon": -3.1791, "accuracy": 8.5, "mock": False}  # no altitude
    assert ran["challenge"] == wire.challenge(document).hex()
    head, _payload, signature = ran["jws"].split(".")
    changed = {**document, "gps": {**document["gps"], "lat": 51.5}}
    with pytest.raises(wire.CheckinError) as refused:
        wire.verify(f"{head}.{b64url(wire.canonical(changed))}.{signature}", public, key_id)
    assert refused.value.code == "signature_invalid"  # the place changed after the phone signed it
