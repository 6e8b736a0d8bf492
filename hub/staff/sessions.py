"""Server-side console sessions. The browser holds only a random id in a `__Host-` cookie (Secure,
HttpOnly, SameSite=Strict, path /); the hub keeps its SHA-256, the stage, the CSRF token and the times.
So a session can be ended for good (logout, a password reset, a disabled account) on every hub process
at once, and one stolen from a database copy cannot be used.

Stages: `password` (the password was right; the authenticator's code is still to come), `setup`
(the setup code and a new password were right; the authenticator is being added), `full`. Each step
up starts a new session id, so an id seen before login is worth nothing after it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from hub.staff.models import StaffSession
from wire.records import timestamp

COOKIE = "__Host-throughgate-hub"
PASSWORD, SETUP, FULL = "password", "setup", "full"
STEP_UP_S = 300
"""A session waiting for its second factor or setup lasts at most this long."""
TOUCH_EVERY_S = 60


@dataclass(frozen=True)
class Session:
    id_sha256: str
    name: str
    stage: str
    csrf: str
    created_at: str


def _hash(raw_id: str) -> str:
    return hashlib.sha256(raw_id.encode()).hexdigest()


def _at(seconds_from_now: float) -> str:
    return timestamp(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds_from_now))


def start(name: str, stage: str, address: str, hours: float) -> tuple[str, Session]:
    """A new session: (the id for the cookie, the session)."""
    raw = secrets.token_urlsafe(32)
    now = timestamp()
    lifetime = hours * 3600 if stage == FULL else min(STEP_UP_S, hours * 3600)
    row = StaffSession.create(id_sha256=_hash(raw), name=name, stage=stage, csrf=secrets.token_urlsafe(32),
                              address=(address or "unknown")[:64], created_at=now, last_seen_at=now,
                              expires_at=_at(lifetime))
    StaffSession.delete().where(StaffSession.expires_at < _at(-86400)).execute()  # keep the table small
    return raw, _session(row)


def _session(row: StaffSession) -> Session:
    return Session(row.id_sha256, row.name, row.stage, row.csrf, row.created_at)


def load(raw_id: str | None, idle_s: float) -> Session | None:
    """The live session with this id: not ended, not past its end, used within idle_s."""
    if not raw_id or len(raw_id) > 100:
        return None
    row = StaffSession.get_or_none(StaffSession.id_sha256 == _hash(raw_id))
    now = timestamp()
    if row is None or row.ended_at or row.expires_at <= now or row.last_seen_at <= _at(-idle_s):
        return None
    if row.last_seen_at <= _at(-TOUCH_EVERY_S):
        StaffSession.update(last_seen_at=now).where(StaffSession.id_sha256 == row.id_sha256).execute()
    return _session(row)


def end(id_sha256: str) -> None:
    StaffSession.update(ended_at=timestamp()).where(StaffSession.id_sha256 == id_sha256,
                                                    StaffSession.ended_at.is_null()).execute()


def end_all(name: str) -> int:
    return StaffSession.update(ended_at=timestamp()).where(StaffSession.name == name,
                                                           StaffSession.ended_at.is_null()).execute()
