"""Capability tokens for course content: who may open which course version on a content origin, and until
when. Pure functions (the key is passed in) plus the key file. One implementation for both content origins:
the edge's, for tablets (edge/courses/content_origin.py), and the hub's, for phones after release
(hub/courses/content_origin.py); provisioning/content_origin.py serves the files.

    token = base64url(payload) "." base64url(HMAC-SHA256(key, LABEL || payload))
    payload = canonical JSON {"l": learner, "d": device, "c": course, "v": version, "e": expires (unix s)}

A content origin asks for no client certificate and sets no cookie, so that a course's scripts hold nothing of
the device's. Its files are not anonymous either: each URL carries a token in its path, made only through an
authenticated route (the tablet API with the tablet's certificate; the hub's signed phone route) for one learner
(on the phone: the person) on one device (a tablet's id; a phone's key id), one course and one version, for
TTL_S. A token says nothing secret (the payload is readable); it cannot be changed (the HMAC), nor used after it
expires, nor for another course or version. The key never leaves the box that made it:
`<instance>/content-token.key`, 32 random bytes made on first use.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from wire.records import valid_dns_label

LABEL = b"throughgate-course-content-v1\x00"
TTL_S = 4 * 3600
"""A launch's token lasts a lesson's sitting. Offline, the content origin's service worker serves the files it
already holds whatever the token says; online, the app asks the tablet API for a fresh one."""
KEY_FILE = "content-token.key"
MAX_TOKEN = 1024
MAX_LEARNER = 64


class TokenError(ValueError):
    """`code`: token_malformed, token_forged, token_expired, token_other_learner, token_other_course; `reason`
    says what to do."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code, self.reason = code, reason


@dataclass(frozen=True)
class Grant:
    learner: str
    device: str
    course: str
    version: int
    expires: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, LABEL + payload, hashlib.sha256).digest()


def valid_learner(learner: str) -> bool:
    """A pseudonymous learner id as the tablets send it (L-0042): printable ASCII, no spaces or slashes."""
    return (isinstance(learner, str) and 0 < len(learner) <= MAX_LEARNER
            and all("!" <= ch <= "~" and ch not in "/\\" for ch in learner))


def mint(key: bytes, *, learner: str, device: str, course: str, version: int, now: float | None = None,
         ttl_s: int = TTL_S) -> tuple[str, int]:
    """(token, expires) for this learner on this tablet, this course version."""
    if not valid_learner(learner):
        raise TokenError("token_malformed", f"learner {learner[:80]!r} is not a learner id (like L-0042)")
    if not valid_dns_label(course) or not isinstance(version, int) or version < 1:
        raise TokenError("token_malformed", f"{course!r} version {version!r} is not a course version")
    expires = int(now if now is not None else time.time()) + ttl_s
    payload = json.dumps({"l": learner, "d": device, "c": course, "v": version, "e": expires}, sort_keys=True,
                         separators=(",", ":")).encode()
    return f"{_b64(payload)}.{_b64(_mac(key, payload))}", expires


def verify(key: bytes, token: str, *, now: float | None = None, course: str | None = None,
           version: int | None = None, learner: str | None = None) -> Grant:
    """The grant a token makes, checked: signed with this instance's key, not expired, and (where given) for this
    course, version and learner. Raises TokenError."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN or token.count(".") != 1:
        raise TokenError("token_malformed", "this course link is not one the edge made: open the course again "
                         "from the app's library")
    encoded, mac = token.split(".")
    try:
        payload, given = _unb64(encoded), _unb64(mac)
    except (binascii.Error, ValueError):
        raise TokenError("token_malformed", "this course link is damaged: open the course again from the app's "
                         "library") from None
    if not hmac.compare_digest(given, _mac(key, payload)):
        raise TokenError("token_forged", "this course link was changed or made elsewhere: open the course again "
                         "from the app's library")
    fields = json.loads(payload)
    grant = Grant(fields["l"], fields["d"], fields["c"], fields["v"], fields["e"])
    if grant.expires <= int(now if now is not None else time.time()):
        raise TokenError("token_expired", "this course link has expired: the app asks for a new one when it is "
                         "online (open the course again)")
    if learner is not None and grant.learner != learner:
        raise TokenError("token_other_learner", "this course link was made for another learner")
    if (course is not None and grant.course != course) or (version is not None and grant.version != version):
        raise TokenError("token_other_course", "this course link is for another course or version")
    return grant


def load_key(instance: str | Path) -> bytes:
    """The instance's content token key, made (0600, atomically) the first time."""
    path = Path(instance) / KEY_FILE
    try:
        return bytes.fromhex(path.read_text().strip())
    except FileNotFoundError:
        pass
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_hex(32) + "\n")
    try:
        os.link(tmp, path)  # the first writer wins; a second keeps the first's key
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return bytes.fromhex(path.read_text().strip())
