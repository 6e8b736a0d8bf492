"""Admin API tokens: `tga1.<token_id>.<secret>`, each for one admin name and one role, expiring.

The secret is shown once (`throughgate hub admins token create`); the hub keeps its SHA-256. A token is
found by its id and checked in constant time; an expired or revoked one is refused, saying so.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import asdict, dataclass

from hub.admins import roles
from hub.admins.models import AdminToken
from hub.refusals import Refused
from provisioning.tokens import digest, same
from wire.records import timestamp

PREFIX = "tga1"
_TOKEN = re.compile(r"tga1\.([0-9a-f]{16})\.([A-Za-z0-9_-]{43})")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
MAX_DAYS = 366
RESERVED = ("cli", "hub.toml")
"""Names the audit trail gives the command line (`cli:<user>`) and the hub.toml token: no admin may take them."""


@dataclass(frozen=True)
class TokenInfo:
    token_id: str
    name: str
    role: str
    created_at: str
    created_by: str
    expires_at: str
    revoked_at: str | None

    def state(self, now: str) -> str:
        if self.revoked_at:
            return "revoked"
        return "expired" if self.expires_at <= now else "active"

    def to_dict(self) -> dict:
        return asdict(self)


class TokenRefused(Exception):
    """The token names an admin but cannot be used (expired, revoked): the message says what to do."""

    def __init__(self, info: TokenInfo, reason: str):
        super().__init__(reason)
        self.info, self.reason = info, reason


def check_name(name) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name) or name.lower().startswith(RESERVED):
        raise Refused(400, "bad_request", "an admin's name is 1 to 64 letters, digits and . _ @ -, starting with a "
                      "letter or digit, and not starting with 'cli' or 'hub.toml' (the hub's own command line and "
                      "its old admin token are named so), like alice or ops-automation")
    return name


def create(name: str, role: str, days: int, created_by: str, now: dt.datetime | None = None) -> tuple[str, TokenInfo]:
    """A new token (returned only here) for admin `name` with `role`, valid `days` days."""
    check_name(name)
    if role not in roles.TOKEN_ROLES:
        raise Refused(400, "bad_request", f"role must be one of {', '.join(roles.TOKEN_ROLES)}")
    if type(days) is not int or not 1 <= days <= MAX_DAYS:
        raise Refused(400, "bad_request", f"days must be a whole number from 1 to {MAX_DAYS}")
    now = now or dt.datetime.now(dt.UTC)
    token_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    row = AdminToken.create(token_id=token_id, name=name, role=role, secret_sha256=digest(secret),
                            created_at=timestamp(now), created_by=created_by,
                            expires_at=timestamp(now + dt.timedelta(days=days)))
    return f"{PREFIX}.{token_id}.{secret}", _info(row)


def looks_like(text: str | None) -> bool:
    return bool(text) and text.startswith(PREFIX + ".")


def authenticate(text: str, now: str) -> TokenInfo | None:
    """The token's admin, or None when this hub did not issue it; TokenRefused when it expired or was revoked."""
    match = _TOKEN.fullmatch(text or "")
    if not match:
        return None
    row = AdminToken.get_or_none(AdminToken.token_id == match[1])
    if row is None or not same(match[2], row.secret_sha256):
        return None
    info = _info(row)
    if info.revoked_at:
        raise TokenRefused(info, f"admin token {info.token_id} ({info.name}) was revoked at {info.revoked_at}: "
                           "ask a security admin for a new one")
    if info.expires_at <= now:
        raise TokenRefused(info, f"admin token {info.token_id} ({info.name}) expired at {info.expires_at}: ask a "
                           "security admin for a new one (`throughgate hub admins token create NAME --role ROLE "
                           "--days N`)")
    return info


def revoke(token_id: str, now: str) -> TokenInfo:
    row = AdminToken.get_or_none(AdminToken.token_id == token_id)
    if row is None:
        raise Refused(404, "unknown_token", f"no admin token {token_id}: see `throughgate hub admins token list`")
    if row.revoked_at is None:
        row.revoked_at = now
        row.save()
    return _info(row)


def list_tokens() -> list[TokenInfo]:
    return [_info(row) for row in AdminToken.select().order_by(AdminToken.created_at, AdminToken.token_id)]


def _info(row: AdminToken) -> TokenInfo:
    return TokenInfo(row.token_id, row.name, row.role, row.created_at, row.created_by, row.expires_at,
                     row.revoked_at)
