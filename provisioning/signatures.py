"""Signed HTTP requests from phones: HTTP Message Signatures (RFC 9421) over RFC 9530 Content-Digest.

Pure functions over `cryptography` key objects, used by the reference phone client to sign and by
the hub to verify; the `http-message-signatures` library builds the signature base and does the
cryptography. No I/O: the hub looks keys up and remembers nonces.

- `key_id(public_key)`: the key's id, its RFC 7638 JWK thumbprint (SHA-256, base64url without
  padding). Phone keys are Ed25519 (alg `ed25519`) or P-256 (alg `ecdsa-p256-sha256`).
- `public_jwk(public_key) -> dict` and `load_jwk(jwk) -> public key`: the JWK a phone sends at
  activation (OKP/Ed25519 or EC/P-256 only; a JWK that carries a private part is refused).
- `sign(method, url, headers, body, private_key, now=None, nonce=None) -> dict`: the headers to add
  to the request: `Content-Digest` (sha-256; only when the body is not empty), `Signature-Input`
  and `Signature`. Label `sig1`; covered components `"@method" "@target-uri"`, plus
  `"content-digest"` when there is a body; parameters `created`, `keyid`, `alg`, `nonce` (16
  random bytes, base64url, unless given).
- `verify(method, url, headers, body, resolve, now=None, max_skew_s=300) -> Verified(key_id,
  created, nonce)`. `resolve(key_id)` returns the public key registered under that id (a key object
  or its JWK dict), or None.
  It checks, in this order, and raises `SignatureError(code, reason)` at the first failure:
    signature_missing    no Signature-Input or no Signature header;
    bad_signature_input  not exactly one signature labelled sig1, a missing or unknown parameter,
                         an alg other than the two above or one that does not fit the key, a
                         required component not covered, a body without a covered Content-Digest;
    stale                `created` more than max_skew_s away from `now` (or `expires` passed);
    unknown_key          resolve(keyid) returned None;
    signature_invalid    the signature does not verify (method, URL, digest header or params changed,
                         or another key signed);
    digest_mismatch      the signature holds but the body is not the one its Content-Digest names.
  Nonce uniqueness is the caller's: the hub keeps each (key_id, nonce) for longer than the window
  (600 s for ±300 s) and refuses one seen before.
  `load_jwk`, `public_jwk`, `key_id` and `sign` raise `SignatureError("unsupported_key", ...)` for
  any other kind of key.

Header names are case-insensitive everywhere; `headers` is a dict or anything with `.items()`
(werkzeug's request.headers). The method is compared in upper case.

The URL is the one the client requested: scheme, host, port, path and query. Both sides sign and
verify it in its normal form, as a browser's `new URL(...).href` spells it: scheme and host in lower
case, no default port (443 for https, 80 for http), path at least "/", no fragment; path and query
exactly as sent (percent-encoded ASCII).
- `request_url(environ) -> str`: that URL rebuilt at the hub from a WSGI environ (Flask:
  `request.environ`): the scheme it serves, the Host header, and the request target as sent
  (REQUEST_URI). Not werkzeug's `request.url`: it decodes the path and query (%2F becomes /, %E2%82%AC
  becomes €), so an encoded URL would never verify. A proxy in front of the hub must preserve the
  Host header and the path as sent, and forward the scheme the phone used (werkzeug's ProxyFix
  restores Host and scheme from X-Forwarded-Host and X-Forwarded-Proto), or every signature fails.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import http_sf
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from http_message_signatures import (
    ContentDigest,
    HTTPMessageSignaturesException,
    HTTPMessageSigner,
    HTTPMessageVerifier,
    InvalidSignature,
    MappingKeyResolver,
    algorithms,
)
from http_message_signatures.structures import CaseInsensitiveDict, get_header_fields

LABEL = "sig1"
ALGORITHMS = {"ed25519": algorithms.ED25519, "ecdsa-p256-sha256": algorithms.ECDSA_P256_SHA256}
REQUIRED_PARAMS = ("created", "keyid", "alg", "nonce")
MAX_NONCE_CHARS = 128
_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SIGNATURE_HEADERS = {"signature-input", "signature", "content-digest"}


class SignatureError(ValueError):
    """A refused key or signed request: `code` for programs (see the module docstring), the message
    (`reason`) for people, saying what to do."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Verified:
    key_id: str
    created: dt.datetime  # UTC
    nonce: str


# keys ------------------------------------------------------------------------------------------
def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text, size: int, what: str) -> bytes:
    if not isinstance(text, str) or not _B64URL.fullmatch(text):
        raise SignatureError("unsupported_key", f"the JWK's {what} is not base64url text: send it as the phone made it")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if len(data) != size:
        raise SignatureError("unsupported_key", f"the JWK's {what} is {len(data)} bytes, not {size}: "
                             "send the whole public key")
    return data


def public_jwk(public_key) -> dict:
    """The public key as a JWK holding only its required members (RFC 7517, RFC 8037)."""
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        return {"crv": "Ed25519", "kty": "OKP", "x": _b64url(public_key.public_bytes(Encoding.Raw, PublicFormat.Raw))}
    if isinstance(public_key, ec.EllipticCurvePublicKey) and isinstance(public_key.curve, ec.SECP256R1):
        numbers = public_key.public_numbers()
        return {"crv": "P-256", "kty": "EC", "x": _b64url(numbers.x.to_bytes(32, "big")),
                "y": _b64url(numbers.y.to_bytes(32, "big"))}
    raise SignatureError("unsupported_key", f"a phone key is Ed25519 or P-256, not {type(public_key).__name__}: "
                         "make the device key with one of those")


def key_id(public_key) -> str:
    """RFC 7638 thumbprint: SHA-256 of the required members, sorted, without whitespace."""
    canonical = json.dumps(public_jwk(public_key), sort_keys=True, separators=(",", ":"))
    return _b64url(hashlib.sha256(canonical.encode("ascii")).digest())


def load_jwk(jwk: dict):
    """The public key a JWK describes; only OKP/Ed25519 and EC/P-256, and never a private key."""
    if not isinstance(jwk, dict):
        raise SignatureError("unsupported_key", "the device key must be a JWK object (kty, crv, x[, y])")
    if "d" in jwk:
        raise SignatureError("unsupported_key", "this JWK holds a private key: send only the public part "
                             "(kty, crv, x, y), and keep the private key on the phone")
    kind = (jwk.get("kty"), jwk.get("crv"))
    if kind == ("OKP", "Ed25519"):
        return ed25519.Ed25519PublicKey.from_public_bytes(_unb64url(jwk.get("x"), 32, "x"))
    if kind == ("EC", "P-256"):
        x = int.from_bytes(_unb64url(jwk.get("x"), 32, "x"), "big")
        y = int.from_bytes(_unb64url(jwk.get("y"), 32, "y"), "big")
        try:
            return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
        except ValueError as exc:
            raise SignatureError("unsupported_key", "the JWK's x and y are not a point on P-256: "
                                 "send the public key exactly as the phone exported it") from exc
    raise SignatureError("unsupported_key", f"a device key is OKP/Ed25519 or EC/P-256, not {kind[0]}/{kind[1]}: "
                         "make the key with one of those")


def _algorithm_for(key, private: bool) -> str:
    public = key.public_key() if private else key
    if isinstance(public, ed25519.Ed25519PublicKey):
        return "ed25519"
    if isinstance(public, ec.EllipticCurvePublicKey) and isinstance(public.curve, ec.SECP256R1):
        return "ecdsa-p256-sha256"
    raise SignatureError("unsupported_key", f"a phone key is Ed25519 or P-256, not {type(key).__name__}")


# requests --------------------------------------------------------------------------------------
@dataclass
class _Request:
    """The message interface the library reads: method, url and headers."""
    method: str
    url: str
    headers: CaseInsensitiveDict


def _normal_url(url: str) -> str:
    """The URL as signed: lower-case scheme and host, no default port, path at least "/", no fragment."""
    base, sep, query = str(url).split("#", 1)[0].partition("?")
    try:
        parts = urlsplit(base)
        port = parts.port
    except ValueError as exc:
        raise SignatureError("bad_signature_input", f"{url!r} is not a URL the hub can check: {exc}") from exc
    host = parts.hostname
    if parts.scheme not in _DEFAULT_PORTS or not host:
        raise SignatureError("bad_signature_input", f"{url!r} is not an absolute http(s) URL: "
                             "sign the full URL the phone requests, https://host/path?query")
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS[parts.scheme]:
        host = f"{host}:{port}"
    return f"{parts.scheme}://{host}{parts.path or '/'}{sep}{query}"


def request_url(environ: dict) -> str:
    """The URL a WSGI request was sent to, for verify(): scheme served, Host header, target as sent."""
    host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME', '')}:{environ.get('SERVER_PORT', '')}"
    target = environ.get("REQUEST_URI") or environ.get("RAW_URI") or ""
    if target and not target.startswith("/"):  # absolute-form: keep its path and query
        parts = urlsplit(target)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
    if not target:  # a server that does not keep the target: quote what it decoded
        target = quote(environ.get("PATH_INFO", "").encode("latin-1"), safe="/;:@&=+$,!~*'()")
        target += f"?{environ['QUERY_STRING']}" if environ.get("QUERY_STRING") else ""
    return f"{environ.get('wsgi.url_scheme', 'http')}://{host}{target}"


def _utc(now: dt.datetime | None) -> dt.datetime:
    return dt.datetime.now(dt.UTC) if now is None else now.astimezone(dt.UTC)


def sign(method: str, url: str, headers: dict, body: bytes, private_key,
         now: dt.datetime | None = None, nonce: str | None = None) -> dict:
    """The headers to add to the request (Content-Digest when there is a body, Signature-Input, Signature).
    Any Content-Digest, Signature-Input or Signature already in `headers` is replaced."""
    alg = _algorithm_for(private_key, private=True)
    kid = key_id(private_key.public_key())
    kept = CaseInsensitiveDict((name, value) for name, value in (headers or {}).items()
                               if name.lower() not in _SIGNATURE_HEADERS)
    request = _Request(method.upper(), _normal_url(url), kept)
    signer = HTTPMessageSigner(signature_algorithm=ALGORITHMS[alg],
                               key_resolver=MappingKeyResolver(public_keys={}, private_keys={kid: private_key}))
    try:
        signer.sign(request, key_id=kid, created=_utc(now), label=LABEL,
                    nonce=nonce if nonce is not None else _b64url(secrets.token_bytes(16)),
                    covered_component_ids=("@method", "@target-uri"), body=bytes(body) if body else None)
    except HTTPMessageSignaturesException as exc:
        raise SignatureError("bad_signature_input", f"the request cannot be signed: {exc}") from exc
    return {name: kept[name] for name in ("Content-Digest", "Signature-Input", "Signature") if name in kept}


class _Verifier(HTTPMessageVerifier):
    def validate_created_and_expires(self, sig_input, max_age=None):
        """verify() has already checked created and expires against the caller's clock."""


def _parse_dictionary(fields, name: str) -> dict:
    try:
        parsed = http_sf.parse(fields[name].encode("ascii"), tltype="dictionary")
    except (ValueError, TypeError, UnicodeEncodeError) as exc:
        raise SignatureError("bad_signature_input", f"the {name} header is not a structured dictionary "
                             "(RFC 8941): send it as sign() makes it") from exc
    if set(parsed) != {LABEL}:
        raise SignatureError("bad_signature_input", f"the {name} header must hold exactly one signature, "
                             f"labelled {LABEL}, not {', '.join(sorted(parsed)) or 'none'}")
    return parsed[LABEL]


def _signature_input(fields, has_body: bool) -> tuple[dict, tuple[str, ...]]:
    """The signature's parameters and the components verify() requires, or bad_signature_input."""
    components, params = _parse_dictionary(fields, "Signature-Input")
    _parse_dictionary(fields, "Signature")
    if not isinstance(components, list):
        raise SignatureError("bad_signature_input", "Signature-Input's sig1 must be a list of covered components")
    missing = [name for name in REQUIRED_PARAMS if name not in params]
    unknown = sorted(set(params) - HTTPMessageVerifier.signature_metadata_parameters)
    if missing or unknown:
        raise SignatureError("bad_signature_input", "sig1 must carry created, keyid, alg and nonce, and no "
                             f"parameter RFC 9421 does not define (missing: {', '.join(missing) or 'none'}; "
                             f"unknown: {', '.join(unknown) or 'none'})")
    if params["alg"] not in ALGORITHMS:
        raise SignatureError("bad_signature_input", f"alg {params['alg']!r} is not accepted: sign with "
                             f"{' or '.join(ALGORITHMS)}")
    if not isinstance(params["nonce"], str) or not 0 < len(params["nonce"]) <= MAX_NONCE_CHARS:
        raise SignatureError("bad_signature_input", f"the nonce must be a string of 1 to {MAX_NONCE_CHARS} characters")
    if type(params["created"]) is not int or not isinstance(params["keyid"], str):
        raise SignatureError("bad_signature_input", "created must be an integer (Unix seconds), keyid a string")
    required = ("@method", "@target-uri", "content-digest") if has_body else ("@method", "@target-uri")
    covered = {value for value, component_params in components if not component_params}
    absent = [name for name in required if name not in covered]
    if absent:
        raise SignatureError("bad_signature_input", f"the signature must cover {' '.join(required)}; "
                             f"it leaves out {' '.join(absent)}")
    if "content-digest" in covered and "content-digest" not in fields:
        raise SignatureError("bad_signature_input", "the signature covers content-digest but the request has no "
                             "Content-Digest header: send the one sign() made")
    return params, required


def _check_time(params: dict, now: dt.datetime, max_skew_s: int) -> dt.datetime:
    skew = abs(now.timestamp() - params["created"])
    if skew > max_skew_s:
        raise SignatureError("stale", f"the signature was made {skew:.0f} s away from the hub's clock "
                             f"(at most {max_skew_s} s): set the phone's clock and send the request again")
    expires = params.get("expires")
    if expires is not None and (type(expires) is not int or expires < now.timestamp()):
        raise SignatureError("stale", "the signature has expired: sign the request again")
    return dt.datetime.fromtimestamp(params["created"], dt.UTC)


def verify(method: str, url: str, headers, body: bytes | None, resolve: Callable[[str], object],
           now: dt.datetime | None = None, max_skew_s: int = 300) -> Verified:
    """Check a signed request; the key, created time and nonce it was signed with, or SignatureError."""
    fields = get_header_fields(headers)
    if "signature-input" not in fields or "signature" not in fields:
        raise SignatureError("signature_missing", "the request is not signed: send Signature-Input and Signature "
                             "headers made with the phone's key")
    body = bytes(body or b"")
    params, required = _signature_input(fields, has_body=bool(body))
    created = _check_time(params, _utc(now), max_skew_s)
    key = resolve(params["keyid"])
    if isinstance(key, dict):
        key = load_jwk(key)
    if key is None:
        raise SignatureError("unknown_key", "this phone's key is not registered, or it was revoked: "
                             "activate the phone again with a new code from your worker")
    if _algorithm_for(key, private=False) != params["alg"]:
        raise SignatureError("bad_signature_input", f"alg {params['alg']} does not fit this phone's key: "
                             f"sign with {_algorithm_for(key, private=False)}")
    verifier = _Verifier(signature_algorithm=ALGORITHMS[params["alg"]],
                         key_resolver=MappingKeyResolver(public_keys={params["keyid"]: key}, private_keys={}))
    try:
        request = _Request(str(method).upper(), _normal_url(url), fields)
        (result,) = verifier.verify(request, max_age=None, require_components=required)
    except HTTPMessageSignaturesException as exc:
        raise SignatureError("signature_invalid", "the signature does not match this request (method, URL, "
                             "headers or key changed): sign it again with the phone's key") from exc
    try:
        ContentDigest.verify_components(result.covered_components, body)
    except InvalidSignature as exc:
        raise SignatureError("digest_mismatch", "the body is not the one the signature covers (Content-Digest "
                             "differs): send the request again") from exc
    return Verified(params["keyid"], created, params["nonce"])
