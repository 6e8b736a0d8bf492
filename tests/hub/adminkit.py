"""Admin API tokens for the hub tests: one per role, made through the real service."""

from __future__ import annotations

import datetime as dt

from hub import db
from hub.admins import tokens as admin_tokens


def admin_token(name: str, role: str, days: int = 30, made_days_ago: int = 0) -> str:
    """A real admin API token (`tga1.…`) for `name` with `role`; made_days_ago > days: already expired."""
    made = dt.datetime.now(dt.UTC) - dt.timedelta(days=made_days_ago)
    with db.proxy.connection_context():
        token, _info = admin_tokens.create(name, role, days, "test", now=made)
    return token


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}
