"""The second factor: time-based one-time codes (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps,
what every authenticator app reads from an otpauth:// QR code), with cryptography's TOTP. Pure.

A code is accepted for the step before and after the current one (a phone's clock a little off),
and only for a step later than the last one used: a code seen over a shoulder or replayed from a
log does not work twice.
"""

from __future__ import annotations

import base64
import hmac
import re
import secrets

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP

STEP_S = 30
DIGITS = 6
SECRET_BYTES = 20  # 160 bits, RFC 4226's recommendation
ISSUER = "Throughgate hub"


def new_secret() -> bytes:
    return secrets.token_bytes(SECRET_BYTES)


def _totp(secret: bytes) -> TOTP:
    return TOTP(secret, DIGITS, SHA1(), STEP_S, enforce_key_length=True)  # noqa: S303 (RFC 6238's default, what apps read)


def code_at(secret: bytes, step: int) -> str:
    return _totp(secret).generate(step * STEP_S).decode()


def step_of(now_s: float) -> int:
    return int(now_s // STEP_S)


def clean(typed: str) -> str | None:
    """The digits of a typed code (spaces allowed, as apps show `123 456`); None if not a code."""
    digits = re.sub(r"\s", "", typed or "")
    return digits if re.fullmatch(rf"\d{{{DIGITS}}}", digits) else None


def matching_step(secret: bytes, typed: str, now_s: float, last_step: int) -> int | None:
    """The step whose code this is, if it is one of the current steps and later than last_step; else None."""
    code = clean(typed)
    if code is None:
        return None
    now_step = step_of(now_s)
    found = None
    for step in (now_step - 1, now_step, now_step + 1):
        if step > last_step and hmac.compare_digest(code_at(secret, step), code):
            found = step
    return found


def text_secret(secret: bytes) -> str:
    """The secret as apps let you type it: base32, in groups of four."""
    raw = base64.b32encode(secret).decode().rstrip("=")
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def uri(secret: bytes, name: str, hub_name: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return _totp(secret).get_provisioning_uri(f"{name}@{hub_name}", ISSUER)
