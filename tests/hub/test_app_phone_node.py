"""The phone app's pure parts (app/src/phone/), run in Node against the project's Python: requests signed by
signing.js with a WebCrypto P-256 key verify with provisioning/signatures.py (so the browser's signatures are
the hub's, byte for byte, for every shape of request), the key id is signatures.key_id, the typed code and the
letter's offer read as provisioning/tokens.py reads them, the root pin is provisioning.pki.spki_sha256, and a
sync request never passes the hub's 64 KiB body limit however long the messages waiting."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from hub.limits import MAX_JSON_BYTES
from provisioning import pki, signatures, tokens
from wire import media

ROOT = Path(__file__).resolve().parents[2]
PHONE = ROOT / "app" / "src" / "phone"
REQUESTS = [
    ("POST", "https://hub.example.org/v1/phone/sync", '{"cursor":0,"changes":[]}'),
    ("GET", "https://127.0.0.1:8765/v1/phone/health?record=abc.def", ""),
    ("GET", "https://HUB.example.org:443/v1/phone/views?after=0&q=caf%C3%A9%20%E2%82%AC", ""),
    ("POST", "https://hub.example.org:8443/v1/phone/health/shares/4c8a/revoke", "{}"),
    ("PUT", "https://hub.example.org/v1/phone/push", '{"text":"Diolch — gwelwn ni chi ddydd Llun"}'),
]
CODES = ["ABCD-EFGH-JKMN", "abcd efgh jkmn", "ABCDEFGHJKMN", "0OIL-1234-5678", "ABCD-EFGH-JKM", "ABCD-EFGH-JKMU",
         "", "ABCD-EFGH-JKMN-P"]
OFFERS = [
    tokens.ActivationOffer("https://hub.example.org", "ABCD-EFGH-JKMN", "ab" * 32).to_link(),
    tokens.ActivationOffer("https://127.0.0.1:8765", "abcd-efgh-jkmn", "0f" * 32).to_link(),
    "https://hub.example.org/app/#/activate?code=ABCD-EFGH-JKMN",  # no ca
    "http://hub.example.org/app/#/activate?code=ABCD-EFGH-JKMN&ca=" + "ab" * 32,  # not https
    "https://hub.example.org/elsewhere/#/activate?code=ABCD-EFGH-JKMN&ca=" + "ab" * 32,  # not the app
    "https://hub.example.org/app/#/messages?code=ABCD-EFGH-JKMN&ca=" + "ab" * 32,  # not the activation
    "https://hub.example.org/app/?code=x#/activate?code=ABCD-EFGH-JKMN&ca=" + "ab" * 32,  # a query to the server
    tokens.ActivationOffer("https://hub.example.org", "ABCD-EFGH-JKMN", "ab" * 32).to_uri(),  # a letter from before
    tokens.ActivationOffer("https://127.0.0.1:8765", "abcd-efgh-jkmn", "0f" * 32).to_uri(),
    "throughgate-activate:?hub=http%3A%2F%2Fhub.example.org&code=ABCD-EFGH-JKMN&ca=" + "ab" * 32,
    "throughgate-activate:?hub=https%3A%2F%2Fhub.example.org&code=ABCD-EFGH-JKMN&ca=" + "AB" * 32,
    "throughgate-activate:?hub=https%3A%2F%2Fhub.example.org&code=ABCD&ca=" + "ab" * 32,
    "throughgate-activate:?code=ABCD-EFGH-JKMN",
]

HEADS = [b"\xff\xd8\xff\xe0JFIF", b"\x89PNG\r\n\x1a\n\x00", b"RIFF\x00\x00\x00\x00WEBPVP8 ",
         b"OggS\x00\x02" + b"\x00" * 22 + b"OpusHead", b"OggS\x00\x02" + b"\x00" * 22 + b"vorbis",
         b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm", b"\x1a\x45\xdf\xa3matroska",
         b"\x00\x00\x00\x20ftypM4A \x00", b"\x00\x00\x00\x20ftypqt  \x00", b"#!AMR\n", b"%PDF-1.7",
         b"<!doctype html>", b""]
"""First bytes of files a person might choose: what the hub takes (wire/media.py sniff) and what it does not."""

SCRIPT = """
import { sign } from "./signing.js";
import { publicJwk, thumbprint } from "./device.js";
import { normaliseCode, readOffer } from "./offer.js";
import { pinOf } from "./pin.js";
import { nextBatch } from "./sync.js";
import { photoType, voiceType } from "./uploads.js";
const input = JSON.parse(await new Response(process.stdin).text());
const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
const jwk = await publicJwk(pair.publicKey);
const key = { privateKey: pair.privateKey, keyId: await thumbprint(jwk) };
const signed = [];
for (const [method, url, body] of input.requests) {
  signed.push(await sign(method, url, body ? new TextEncoder().encode(body) : null, key));
}
const offers = input.offers.map((text) => {
  try { return readOffer(text, "https://origin.example"); } catch (error) { return { error: error.msgid }; }
});
const waiting = Array.from({ length: 60 }, (_, n) => ({ id: crypto.randomUUID(), kind: "message",
  body: { to: "olivia", text: "ŵ".repeat(4000 - n), written_at: "2027-01-05T09:30:00Z" } }));
const batches = [];
for (let queue = waiting; queue.length;) {
  const batch = nextBatch(queue);
  batches.push(new TextEncoder().encode(JSON.stringify({ cursor: 123456, changes: batch })).length);
  queue = queue.slice(batch.length);
}
const heads = input.heads.map((hex) => {
  const bytes = Uint8Array.from(hex.match(/../g) || [], (h) => parseInt(h, 16));
  return photoType(bytes) || voiceType(bytes);
});
console.log(JSON.stringify({ jwk, keyId: key.keyId, signed, codes: input.codes.map(normaliseCode), offers,
                             pin: await pinOf(input.pem), batches, heads }));
"""


def _root_pem() -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Throughgate test root")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True).sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM)


@pytest.fixture(scope="module")
def ran():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (make installs it)")
    pem = _root_pem()
    cases = {"requests": REQUESTS, "codes": CODES, "offers": OFFERS, "pem": pem.decode(),
             "heads": [head.hex() for head in HEADS]}
    run = subprocess.run([node, "--input-type=module", "-e", SCRIPT], input=json.dumps(cases), capture_output=True,
                         text=True, cwd=PHONE, timeout=60)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1]), pem


def test_requests_signed_by_the_app_verify_with_the_hubs_verifier(ran):
    found, _pem = ran
    public = signatures.load_jwk(found["jwk"])
    assert found["keyId"] == signatures.key_id(public)
    for (method, url, body), headers in zip(REQUESTS, found["signed"], strict=True):
        verified = signatures.verify(method, url, headers, body.encode(), lambda kid: public
                                     if kid == found["keyId"] else None)
        assert verified.key_id == found["keyId"]
        assert ("Content-Digest" in headers) == bool(body)
        if body:
            with pytest.raises(signatures.SignatureError) as changed:
                signatures.verify(method, url, headers, body.encode() + b" ", lambda _kid: public)
            assert changed.value.code == "digest_mismatch"


def test_codes_and_offers_read_as_the_hub_reads_them(ran):
    found, _pem = ran
    for typed, made in zip(CODES, found["codes"], strict=True):
        try:
            expected = tokens.normalise_code(typed)
        except tokens.TokenError:
            expected = None
        assert made == expected, typed
    for uri, made in zip(OFFERS, found["offers"], strict=True):
        try:
            offer = tokens.parse_activation_offer(uri)
        except tokens.TokenError:
            assert "error" in made, uri
            continue
        assert made == {"hub": offer.hub, "code": offer.code, "ca": offer.ca}


def test_the_root_pin_is_the_hubs_and_no_sync_request_passes_the_body_limit(ran):
    found, pem = ran
    assert found["pin"] == pki.spki_sha256(pki.load_cert(pem))
    assert len(found["batches"]) > 1
    assert max(found["batches"]) <= MAX_JSON_BYTES


def test_photos_and_voice_notes_are_told_by_their_first_bytes_as_the_hub_tells_them(ran):
    found, _pem = ran
    assert found["heads"] == [media.sniff(head) for head in HEADS]
    assert found["heads"].count(None) == 6  # Vorbis, Matroska, QuickTime, PDF, a web page, nothing
