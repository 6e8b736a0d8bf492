"""The login limit: at most LOGIN_FAILURES failed tries per address and per account in LOGIN_WINDOW_S.

A try is counted as failed *before* its password or code is checked, in one write transaction
with the check of the limit, so guesses sent at once cannot all slip past it; a right answer takes
its count back. Kept in the database, so every hub process behind a load balancer counts together.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

from hub import db
from hub.staff.models import StaffLoginFailure

THROTTLE_LOCK_ID = 0x7467_6875_6203


@contextmanager
def _serialised():
    """One transaction; on PostgreSQL also one at a time across the hub's processes (its own lock,
    not the batches')."""
    with db.proxy.atomic():
        if db.is_postgres():
            db.proxy.execute_sql("SELECT pg_advisory_xact_lock(%s)", (THROTTLE_LOCK_ID,))
        yield


def keys(address: str, name: str) -> tuple[str, str]:
    return f"address:{address[:60]}", f"account:{name.lower()[:64]}"


def blocked_for(keys: tuple[str, ...], limit: int, window_s: float, now: float) -> float:
    """Seconds until these keys may try again; 0 when they may now."""
    wait = 0.0
    for key in keys:
        recent = [row.at for row in StaffLoginFailure.select(StaffLoginFailure.at)
                  .where(StaffLoginFailure.key == key, StaffLoginFailure.at > now - window_s)
                  .order_by(StaffLoginFailure.at.desc()).limit(limit)]
        if len(recent) >= limit:
            wait = max(wait, recent[-1] + window_s - now)
    return wait


def count_attempt(keys: tuple[str, ...], limit: int, window_s: float, now: float | None = None) -> tuple[float, float]:
    """(seconds to wait, 0 if this try was counted; the time it was counted at)."""
    now = time.time() if now is None else now
    with _serialised():
        wait = blocked_for(keys, limit, window_s, now)
        if wait <= 0:
            StaffLoginFailure.delete().where(StaffLoginFailure.at < now - window_s).execute()
            StaffLoginFailure.insert_many([{"key": key, "at": now} for key in keys]).execute()
    return wait, now


def take_back(keys: tuple[str, ...], at: float, forget: bool = True) -> None:
    """The answer was right: this try does not count against the address nor the account; with
    `forget` (the last step of a login or setup) the account's earlier failures are forgotten too.
    A right password alone forgets nothing: else whoever has it could guess the code without end,
    from a new address every few tries."""
    with _serialised():
        StaffLoginFailure.delete().where(StaffLoginFailure.key.in_(keys), StaffLoginFailure.at == at).execute()
        if forget:
            StaffLoginFailure.delete().where(StaffLoginFailure.key == keys[1]).execute()

