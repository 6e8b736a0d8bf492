"""Passwords: argon2id (RFC 9106's low-memory profile: t=3, 64 MiB, p=4), checked a few at a time."""

from __future__ import annotations

import functools
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 256
CONCURRENT_CHECKS = 2
"""Each check takes 64 MiB: guesses from many addresses for many names cannot run the hub out of memory."""

_hasher = PasswordHasher()
_checking = threading.BoundedSemaphore(CONCURRENT_CHECKS)


def problem(password: str, name: str = "") -> str | None:
    """Why this password cannot be used, in words for the person choosing it; None if it can."""
    if len(password) < MIN_LENGTH:
        return f"choose a password of at least {MIN_LENGTH} characters: a few ordinary words together are easiest"
    if len(password) > MAX_LENGTH:
        return f"choose a password of at most {MAX_LENGTH} characters"
    if name and name.lower() in password.lower():
        return "choose a password that does not contain your user name"
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@functools.cache
def _dummy() -> str:
    return _hasher.hash("nobody's password at all")


def warm() -> None:
    """Make the hash unknown names are checked against now, so the first one takes no longer than the rest."""
    _dummy()


def matches(stored_hash: str | None, password: str) -> bool:
    """Whether the password is the one hashed; an account without a password is checked against a
    dummy hash, so it takes as long to refuse."""
    try:
        with _checking:
            _hasher.verify(stored_hash or _dummy(), password[:MAX_LENGTH])
    except (VerificationError, InvalidHashError):
        return False
    return stored_hash is not None


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
