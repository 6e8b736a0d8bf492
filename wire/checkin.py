"""A check-in as evidence (issue 14, docs/checkins.md): one canonical JSON document, signed on the phone
with its device key, offline. Pure functions, used by the phone to make it and by the hub to check it.

The document (every member present; `slot` null for a check-in outside any schedule):

    {"v": 1, "checkin_id": a UUID (the sync change's id), "person": the person's id,
     "key_id": the phone key's RFC 7638 thumbprint, "slot": "<schedule id>/<n>" or null,
     "photo": {"sha256", "type", "bytes"},       the photo, uploaded separately
     "gps": {"lat", "lon", "accuracy" (metres), "mock": bool},
     "device_time": RFC 3339 (the phone's wall clock), "counter": the phone's monotonic counter,
     "nonce": the last nonce the hub gave the phone}

Canonical form: RFC 8785 (JSON Canonicalization Scheme) — members sorted by UTF-16 code units, no
whitespace, strings as JSON escapes them minimally, numbers as ECMAScript prints them. Signature: a JWS
(RFC 7515) in compact serialization over those bytes, header {"alg": "EdDSA" or "ES256", "kid": key id,
"typ": "checkin+jws"}, made with the phone's key (Ed25519 or P-256, provisioning/signatures.py).

WebAuthn: the assertion confirming a check-in is over `challenge(document)`, the SHA-256 of the canonical
document.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from datetime import UTC, datetime

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

KIND = "checkin"
VERSION = 1
TYP = "checkin+jws"
ALGS = {"Ed25519": "EdDSA", "P-256": "ES256"}
"""The phone key's curve (hub/phones Phone.alg) -> its JWS alg."""
MAX_JWS_CHARS = 8000
MEMBERS = ("v", "checkin_id", "person", "key_id", "slot", "photo", "gps", "device_time", "counter", "nonce")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_SHA = re.compile(r"[0-9a-f]{64}")
TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})")


class CheckinError(ValueError):
    """A check-in that cannot be trusted as it stands: `code` for programs, the message for people."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code, self.reason = code, reason


# RFC 8785 ---------------------------------------------------------------------------------------------
def _number(value) -> str:
    if isinstance(value, bool):
        raise TypeError("a bool is not a number")
    if isinstance(value, int):
        if abs(value) > 2 ** 53:
            raise CheckinError("bad_document", "a whole number in a check-in is at most 2^53")
        return str(value)
    if not math.isfinite(value):
        raise CheckinError("bad_document", "NaN and infinity are not JSON numbers")
    if value == 0:
        return "0"
    text = repr(value)  # Python's shortest round-trip digits, as ECMAScript's Number.prototype.toString
    if "e" not in text:
        return text.removesuffix(".0")
    mantissa, exponent = text.split("e")
    exp = int(exponent)
    if -7 < exp < 21:  # ECMAScript writes these without an exponent: move the point in the same digits
        sign, mantissa = ("-", mantissa[1:]) if mantissa.startswith("-") else ("", mantissa)
        digits = mantissa.replace(".", "")
        point = (mantissa.index(".") if "." in mantissa else len(mantissa)) + exp
        if point <= 0:
            return f"{sign}0.{'0' * -point}{digits}"
        if point >= len(digits):
            return sign + digits + "0" * (point - len(digits))
        return f"{sign}{digits[:point]}.{digits[point:]}"
    return f"{mantissa.removesuffix('.0')}e{'+' if exp > 0 else '-'}{abs(exp)}"


def canonical(value) -> bytes:
    """RFC 8785 JCS bytes of a JSON value (dicts, lists, str, int, float, bool, None)."""
    def out(item) -> str:
        if item is None or isinstance(item, bool):
            return json.dumps(item)
        if isinstance(item, (int, float)):
            return _number(item)
        if isinstance(item, str):
            return json.dumps(item, ensure_ascii=False)
        if isinstance(item, (list, tuple)):
            return "[" + ",".join(out(v) for v in item) + "]"
        if isinstance(item, dict):
            keys = sorted(item, key=lambda k: k.encode("utf-16-be"))
            return "{" + ",".join(f"{json.dumps(str(k), ensure_ascii=False)}:{out(item[k])}" for k in keys) + "}"
        raise CheckinError("bad_document", f"{type(item).__name__} is not a JSON value")

    return out(value).encode("utf-8")


def challenge(document: dict) -> bytes:
    """What a WebAuthn assertion confirming this check-in signs: SHA-256 of the canonical document."""
    return hashlib.sha256(canonical(document)).digest()


# the document --------------------------------------------------------------------------------------------
def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def check_document(document) -> dict:
    """The document if it has the shape above; CheckinError("bad_document", what is wrong) otherwise."""
    def bad(what: str):
        return CheckinError("bad_document", f"the check-in's {what}")

    if not isinstance(document, dict) or set(document) != set(MEMBERS):
        raise bad(f"members are exactly {', '.join(MEMBERS)}")
    if document["v"] != VERSION:
        raise bad(f"version 'v' is {VERSION}")
    if not isinstance(document["checkin_id"], str) or not _UUID.fullmatch(document["checkin_id"]):
        raise bad("'checkin_id' is a lower-case UUID")
    for name in ("person", "key_id", "nonce"):
        if not isinstance(document[name], str) or not 0 < len(document[name]) <= 128:
            raise bad(f"'{name}' is text of 1 to 128 characters")
    slot = document["slot"]
    if slot is not None and (not isinstance(slot, str) or not re.fullmatch(r"[0-9a-f]{32}/\d{1,6}", slot)):
        raise bad("'slot' is the schedule slot it answers, like <schedule id>/3, or null")
    photo = document["photo"]
    if (not isinstance(photo, dict) or set(photo) != {"sha256", "type", "bytes"} or not isinstance(photo["sha256"], str)
            or not _SHA.fullmatch(photo["sha256"]) or not isinstance(photo["type"], str)
            or type(photo["bytes"]) is not int or photo["bytes"] <= 0):
        raise bad('\'photo\' is {"sha256": 64 hex digits, "type": its media type, "bytes": its size}')
    gps = document["gps"]
    if not isinstance(gps, dict) or set(gps) != {"lat", "lon", "accuracy", "mock"}:
        raise bad('\'gps\' is {"lat", "lon", "accuracy" in metres, "mock": true or false}')
    numbers = [gps[k] for k in ("lat", "lon", "accuracy")]
    if any(isinstance(n, bool) or not isinstance(n, (int, float)) or not math.isfinite(n) for n in numbers) \
            or not -90 <= gps["lat"] <= 90 or not -180 <= gps["lon"] <= 180 or gps["accuracy"] < 0 \
            or not isinstance(gps["mock"], bool):
        raise bad("GPS fix is a latitude (-90 to 90), a longitude (-180 to 180), an accuracy of 0 m or more and "
                  "the mock-location flag")
    if not isinstance(document["device_time"], str) or not TIME.fullmatch(document["device_time"]):
        raise bad("'device_time' is an RFC 3339 time, like 2027-01-05T09:30:00.000Z")
    if type(document["counter"]) is not int or not 0 <= document["counter"] <= 2 ** 53:
        raise bad("'counter' is a whole number, 0 or more")
    return document


# signing --------------------------------------------------------------------------------------------------
def alg_for(key) -> str:
    public = key.public_key() if hasattr(key, "public_key") else key
    if isinstance(public, ed25519.Ed25519PublicKey):
        return "EdDSA"
    if isinstance(public, ec.EllipticCurvePublicKey) and isinstance(public.curve, ec.SECP256R1):
        return "ES256"
    raise CheckinError("unsupported_key", "a phone key is Ed25519 or P-256")


def sign(document: dict, private_key, key_id: str) -> str:
    """The compact JWS of the canonical document, signed with the phone's key (on the phone, offline)."""
    payload = canonical(check_document(document))
    return jwt.api_jws.PyJWS().encode(payload, private_key, algorithm=alg_for(private_key),
                                      headers={"kid": key_id, "typ": TYP})


def unverified(token) -> tuple[dict, dict]:
    """(header, document) as the JWS claims them, not yet verified: what a refused check-in is kept as."""
    if not isinstance(token, str) or len(token) > MAX_JWS_CHARS or token.count(".") != 2:
        raise CheckinError("bad_jws", f"'jws' is a compact JWS (three base64url parts) of at most {MAX_JWS_CHARS} "
                           "characters")
    try:
        header = jwt.api_jws.get_unverified_header(token)
        payload = jwt.api_jws.PyJWS().decode_complete(token, options={"verify_signature": False})["payload"]
        document = json.loads(payload)
    except (jwt.exceptions.PyJWTError, ValueError, RecursionError):
        raise CheckinError("bad_jws", "the 'jws' cannot be read as a JWS over a JSON document") from None
    if not isinstance(document, dict):
        raise CheckinError("bad_jws", "the JWS's payload is not a JSON object")
    return header, document


def verify(token: str, public_key, key_id: str) -> dict:
    """The document, if the JWS is the phone's (`public_key`, `key_id`) signature over its canonical
    form; CheckinError saying what does not hold otherwise."""
    header, _claimed = unverified(token)
    alg = alg_for(public_key)
    if header.get("alg") != alg:
        raise CheckinError("wrong_key", f"the check-in is signed with {header.get('alg')!r}, but this phone's key "
                           f"signs {alg}: it was not signed by this phone")
    if header.get("kid") != key_id:
        raise CheckinError("wrong_key", "the check-in is signed with another key than this phone's (kid "
                           f"{str(header.get('kid'))[:64]!r}): it was not made on this phone")
    try:
        payload = jwt.api_jws.PyJWS().decode_complete(token, public_key, algorithms=[alg])["payload"]
    except jwt.exceptions.InvalidSignatureError:
        raise CheckinError("signature_invalid", "the signature does not match the check-in: something in it (the "
                           "photo's hash, the GPS fix, the time, ...) was changed after the phone signed it, or "
                           "another key signed it") from None
    except jwt.exceptions.PyJWTError as exc:
        raise CheckinError("bad_jws", f"the JWS cannot be checked: {exc}") from None
    document = check_document(json.loads(payload))
    if canonical(document) != payload:
        raise CheckinError("not_canonical", "the signed bytes are not the document's RFC 8785 canonical form: sign "
                           "canonical(document)")
    return document


# places -------------------------------------------------------------------------------------------------
def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(a)))
