"""Phones' signed requests (RFC 9421 over RFC 9530 Content-Digest): what verifies, and each tampering
refused with its own code."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import http.client
import json
import threading
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519
from http_message_signatures import HTTPMessageVerifier, MappingKeyResolver
from werkzeug.serving import make_server
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from provisioning import signatures
from provisioning.signatures import SignatureError
from throughgate.stack import free_port

URL = "https://hub.example:8443/v1/phone/sync?cursor=c-42"
BODY = b'{"changes":[],"cursor":"c-42"}'
NOW = dt.datetime(2026, 12, 7, 17, 0, 0, tzinfo=dt.UTC)
KEYS = {"ed25519": ed25519.Ed25519PrivateKey.generate(), "ecdsa-p256-sha256": ec.generate_private_key(ec.SECP256R1())}
ED = KEYS["ed25519"]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def registered(*keys):
    table = {signatures.key_id(key.public_key()): key.public_key() for key in keys}
    return table.get


def signed(key=ED, method="POST", url=URL, body=BODY, now=NOW, **kwargs) -> dict:
    headers = {"Content-Type": "application/json"}
    return headers | signatures.sign(method, url, headers, body, key, now=now, **kwargs)


def refused(headers, method="POST", url=URL, body=BODY, resolve=None, now=NOW) -> str:
    with pytest.raises(SignatureError) as caught:
        signatures.verify(method, url, headers, body, resolve or registered(ED), now=now)
    assert caught.value.reason and str(caught.value) == caught.value.reason
    return caught.value.code


@pytest.mark.parametrize("alg", sorted(KEYS))
def test_a_signed_request_verifies_and_names_its_key_time_and_nonce(alg):
    key = KEYS[alg]
    headers = signed(key)
    assert headers["Content-Digest"] == "sha-256=:" + base64.b64encode(hashlib.sha256(BODY).digest()).decode() + ":"
    kid = signatures.key_id(key.public_key())
    nonce = headers["Signature-Input"][-23:-1]
    assert headers["Signature-Input"] == ('sig1=("@method" "@target-uri" "content-digest")'
                                          f';created={int(NOW.timestamp())};keyid="{kid}";alg="{alg}";nonce="{nonce}"')
    verified = signatures.verify("POST", URL, headers, BODY, registered(key), now=NOW + dt.timedelta(seconds=299))
    assert verified == signatures.Verified(kid, NOW, verified.nonce)
    assert len(verified.nonce) == 22  # 16 random bytes, base64url


def test_a_request_without_a_body_is_signed_without_a_digest():
    headers = signed(method="GET", body=b"")
    assert "Content-Digest" not in headers and '"content-digest"' not in headers["Signature-Input"]
    verified = signatures.verify("get", URL, headers, None, registered(ED), now=NOW)
    assert verified.key_id == signatures.key_id(ED.public_key())


def test_every_signature_gets_a_fresh_nonce_and_a_given_one_is_kept():
    assert signed()["Signature"] != signed()["Signature"]
    assert signatures.verify("POST", URL, signed(nonce="n-1"), BODY, registered(ED), now=NOW).nonce == "n-1"


def test_header_names_any_case_and_equivalent_spellings_of_the_url_verify():
    headers = {name.lower(): value for name, value in signed(url="HTTPS://Hub.Example:8443/v1/phone/sync?cursor=c-42#x").items()}
    assert signatures.verify("POST", URL, headers, BODY, registered(ED), now=NOW)
    on_default_port = signed(url="https://hub.example:443")
    assert signatures.verify("POST", "https://hub.example/", on_default_port, BODY, registered(ED), now=NOW)


ENCODED = "/v1/phone/caf%C3%A9/a%2Fb?q=a%20b&r=%E2%82%AC+1"


@pytest.fixture(scope="module")
def hub_url():
    """A real HTTP server whose app answers with what verify() made of the request (the hub's recipe)."""
    def app(environ, start_response):
        request = Request(environ)
        try:
            verified = signatures.verify(request.method, signatures.request_url(environ), request.headers,
                                         request.get_data(), registered(ED))
            answer = f"ok {verified.nonce}"
        except SignatureError as exc:
            answer = exc.code
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [answer.encode()]

    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(5)


def send(url: str, target: str, headers: dict, body: bytes, host: str | None = None) -> str:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        connection.putrequest("POST", target, skip_host=True)
        for name, value in (headers | {"Host": host or parts.netloc, "Content-Length": str(len(body))}).items():
            connection.putheader(name, value)
        connection.endheaders(body)
        return connection.getresponse().read().decode()
    finally:
        connection.close()


def test_the_hub_verifies_a_request_as_it_arrives_encoded_path_and_query_included(hub_url):
    headers = signed(url=hub_url + ENCODED, now=None, nonce="over-the-wire")
    assert send(hub_url, ENCODED, headers, BODY) == "ok over-the-wire"
    assert send(hub_url, ENCODED.replace("a%2Fb", "a/b"), headers, BODY) == "signature_invalid"
    assert send(hub_url, ENCODED, headers, BODY, host="hub.elsewhere.example") == "signature_invalid"


def test_werkzeugs_request_url_decodes_what_was_signed_so_the_hub_rebuilds_it_from_the_environ():
    url = "https://hub.example" + ENCODED
    environ = EnvironBuilder(method="POST", base_url="https://hub.example", path="/v1/phone/caf%C3%A9/a%2Fb",
                             query_string=urlsplit(url).query, data=BODY).get_environ()
    assert Request(environ).url != url
    for kept in ("REQUEST_URI", "RAW_URI"):  # a server that keeps only PATH_INFO and QUERY_STRING
        environ.pop(kept, None)
    assert signatures.request_url(environ) == url.replace("a%2Fb", "a/b")
    assert signatures.request_url(environ | {"REQUEST_URI": ENCODED}) == url


def test_the_librarys_own_verifier_accepts_what_sign_makes():
    for alg, key in KEYS.items():
        headers = signatures.sign("POST", URL, {}, BODY, key)
        message = SimpleNamespace(method="POST", url=URL, headers=headers)
        verifier = HTTPMessageVerifier(signature_algorithm=signatures.ALGORITHMS[alg], key_resolver=MappingKeyResolver(
            public_keys={signatures.key_id(key.public_key()): key.public_key()}, private_keys={}))
        (result,) = verifier.verify(message, body=BODY, require_components=("@method", "@target-uri", "content-digest"))
        assert result.label == "sig1" and result.body == BODY and result.parameters["alg"] == alg


# tampering ------------------------------------------------------------------------------------
def test_a_changed_method_path_query_or_host_breaks_the_signature():
    headers = signed()
    assert refused(headers, method="PUT") == "signature_invalid"
    assert refused(headers, url="https://hub.example:8443/v1/phone/messages?cursor=c-42") == "signature_invalid"
    assert refused(headers, url="https://hub.example:8443/v1/phone/sync?cursor=c-0") == "signature_invalid"
    assert refused(headers, url="https://hub.example:8443/v1/phone/sync") == "signature_invalid"
    assert refused(headers, url="https://evil.example:8443/v1/phone/sync?cursor=c-42") == "signature_invalid"


def test_a_changed_body_is_a_digest_mismatch():
    assert refused(signed(), body=BODY.replace(b"c-42", b"c-43")) == "digest_mismatch"


def test_a_digest_swapped_for_another_bodys_breaks_the_signature():
    other = b'{"changes":[{"id":"x"}],"cursor":"c-42"}'
    headers = signed() | {"Content-Digest": signed(body=other)["Content-Digest"]}
    assert refused(headers, body=other) == "signature_invalid"


def test_a_signature_by_another_key_under_this_keys_id_is_invalid():
    impostor = signed(ed25519.Ed25519PrivateKey.generate())
    claimed = _with_keyid(impostor["Signature-Input"], signatures.key_id(ED.public_key()))
    assert refused(impostor | {"Signature-Input": claimed}) == "signature_invalid"


def _with_keyid(signature_input: str, kid: str) -> str:
    start = signature_input.index('keyid="') + len('keyid="')
    return signature_input[:start] + kid + signature_input[signature_input.index('"', start):]


def test_an_unregistered_key_is_unknown():
    assert refused(signed(ed25519.Ed25519PrivateKey.generate())) == "unknown_key"


@pytest.mark.parametrize("offset_s", [-301, 301, -3600])
def test_a_signature_made_too_long_ago_or_in_the_future_is_stale(offset_s):
    assert refused(signed(now=NOW + dt.timedelta(seconds=offset_s))) == "stale"


def test_a_request_without_signature_headers_is_unsigned():
    headers = signed()
    assert refused({k: v for k, v in headers.items() if k != "Signature-Input"}) == "signature_missing"
    assert refused({k: v for k, v in headers.items() if k != "Signature"}) == "signature_missing"
    assert refused({}) == "signature_missing"


def test_a_label_other_than_sig1_is_refused():
    headers = signed()
    relabelled = {k: v.replace("sig1=", "sig2=") for k, v in headers.items()}
    assert refused(relabelled) == "bad_signature_input"
    doubled = headers | {"Signature-Input": headers["Signature-Input"] + ", " + headers["Signature-Input"].replace(
        "sig1=", "sig2="), "Signature": headers["Signature"] + ", " + headers["Signature"].replace("sig1=", "sig2=")}
    assert refused(doubled) == "bad_signature_input"


def test_a_body_sent_under_a_signature_without_content_digest_is_refused():
    assert refused(signed(body=b"")) == "bad_signature_input"


def test_an_alg_that_does_not_fit_the_key_or_is_not_accepted_is_refused():
    headers = signed()
    for alg in ("ecdsa-p256-sha256", "hmac-sha256", "rsa-pss-sha512"):
        swapped = headers | {"Signature-Input": headers["Signature-Input"].replace('alg="ed25519"', f'alg="{alg}"')}
        assert refused(swapped) == "bad_signature_input"


@pytest.mark.parametrize("param", ["created", "keyid", "alg", "nonce"])
def test_a_missing_signature_parameter_is_refused(param):
    headers = signed()
    parts = headers["Signature-Input"].split(";")
    without = ";".join(part for part in parts if not part.startswith(param + "="))
    assert refused(headers | {"Signature-Input": without}) == "bad_signature_input"


# keys -----------------------------------------------------------------------------------------
def test_key_id_is_rfc_8037s_thumbprint_of_its_example_ed25519_key():
    """RFC 8037 appendix A.1 (the key) and A.3 (its RFC 7638 thumbprint)."""
    d = base64.urlsafe_b64decode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=")
    public = ed25519.Ed25519PrivateKey.from_private_bytes(d).public_key()
    assert signatures.public_jwk(public) == {"crv": "Ed25519", "kty": "OKP",
                                             "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    assert signatures.key_id(public) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def test_key_id_of_a_p256_key_is_the_sha256_of_its_sorted_required_members():
    public = KEYS["ecdsa-p256-sha256"].public_key()
    numbers = public.public_numbers()
    members = {"kty": "EC", "crv": "P-256", "x": _b64url(numbers.x.to_bytes(32, "big")),
               "y": _b64url(numbers.y.to_bytes(32, "big"))}
    canonical = '{"crv":"P-256","kty":"EC","x":"' + members["x"] + '","y":"' + members["y"] + '"}'
    assert signatures.key_id(public) == _b64url(hashlib.sha256(canonical.encode()).digest())
    assert len(signatures.key_id(public)) == 43


@pytest.mark.parametrize("alg", sorted(KEYS))
def test_a_jwk_round_trips_to_the_same_key(alg):
    public = KEYS[alg].public_key()
    loaded = signatures.load_jwk(json.loads(json.dumps(signatures.public_jwk(public))))
    assert signatures.key_id(loaded) == signatures.key_id(public)


@pytest.mark.parametrize(("jwk", "says"), [
    ({"kty": "RSA", "n": "AQAB", "e": "AQAB"}, "OKP/Ed25519 or EC/P-256"),
    ({"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA"}, "OKP/Ed25519 or EC/P-256"),
    ({"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHUR"}, "not 32"),
    ({"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "d": "x"}, "private"),
    ({"kty": "EC", "crv": "P-256", "x": _b64url(b"\1" * 32), "y": _b64url(b"\2" * 32)}, "not a point"),
    ({"kty": "EC", "crv": "P-256", "x": "a+b/" * 11}, "base64url"),
    ("not a jwk", "JWK object"),
])
def test_a_jwk_that_is_not_a_phone_public_key_is_refused_with_a_reason(jwk, says):
    with pytest.raises(SignatureError, match=says) as caught:
        signatures.load_jwk(jwk)
    assert caught.value.code == "unsupported_key"


def test_other_kinds_of_key_cannot_sign_or_be_registered():
    p384 = ec.generate_private_key(ec.SECP384R1())
    with pytest.raises(SignatureError, match="Ed25519 or P-256") as caught:
        signatures.sign("POST", URL, {}, BODY, p384)
    assert caught.value.code == "unsupported_key"
    with pytest.raises(SignatureError, match="Ed25519 or P-256"):
        signatures.key_id(ed448.Ed448PrivateKey.generate().public_key())


def test_the_hub_may_resolve_a_key_id_to_the_jwk_it_stored():
    jwks = {signatures.key_id(ED.public_key()): signatures.public_jwk(ED.public_key())}
    assert signatures.verify("POST", URL, signed(), BODY, jwks.get, now=NOW).nonce


def test_a_created_time_far_outside_any_clock_or_an_unknown_parameter_is_refused_not_crashed_on():
    headers = signed()
    created = f"created={int(NOW.timestamp())}"
    far = headers | {"Signature-Input": headers["Signature-Input"].replace(created, "created=999999999999999")}
    assert refused(far) == "stale"
    extra = headers | {"Signature-Input": headers["Signature-Input"] + ';colour="blue"'}
    assert refused(extra) == "bad_signature_input"
