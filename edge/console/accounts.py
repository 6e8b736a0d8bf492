"""Staff accounts and classes: argon2id password hashes, three roles, and the login rate limit.

    tutor     marks the submissions of the classes they belong to; sees those learners' progress
    manager   the education manager: every class, reward rules, tablets
    it        the prison's IT staff: tablets and health only, never a learner's work
"""

from __future__ import annotations

import functools
import re
import threading
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from edge import store
from edge.console import tables
from wire.records import timestamp

ROLES = ("tutor", "manager", "it")
MIN_PASSWORD = 12
_USERNAME = re.compile(r"[a-z][a-z0-9._-]{1,31}")
_CLASS = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,39}")
_LEARNER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")  # as wire.records checks a record's learner

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile (t=3, 64 MiB, p=4)


@functools.cache
def dummy_hash() -> str:
    """A hash checked for unknown names, so they take as long as known ones. Made once, when the console
    starts (edge.console.app warms it), not when a CLI command imports this module (about 150 ms)."""
    return _hasher.hash("not anyone's password")


CONCURRENT_CHECKS = 2
"""Password checks run at most this many at once: each takes 64 MiB, and the rate limit (per address
and per account) does not bound guesses from many addresses for many names."""
_checking = threading.BoundedSemaphore(CONCURRENT_CHECKS)


class AccountError(ValueError):
    """A refusal with a reason for the member of staff (or the CLI) to read."""


@dataclass(frozen=True)
class Member:
    username: str
    role: str


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
    return _hasher.hash(password)


def add_staff(username: str, role: str, password: str, classes: list[str] = ()) -> Member:
    """Create a member of staff (or replace their password and role). Tutors may join classes."""
    if not _USERNAME.fullmatch(username or ""):
        raise AccountError("user name: 2-32 of a-z, 0-9, '.', '_', '-', starting with a letter")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if classes and role != "tutor":
        raise AccountError("only tutors belong to classes (the manager sees every class)")
    hashed = hash_password(password)
    with store.writing():
        for klass in classes:
            if tables.SchoolClass.get_or_none(tables.SchoolClass.name == klass) is None:
                raise AccountError(f"no class {klass!r}: add it first (throughgate edge classes add)")
        tables.Staff.replace(username=username, password_hash=hashed, role=role, created=timestamp()).execute()
        for klass in classes:
            tables.ClassTutor.insert(klass=klass, username=username).on_conflict_ignore().execute()
    return Member(username, role)


def staff_listing() -> list[dict]:
    tutors: dict[str, list[str]] = {}
    for row in tables.ClassTutor.select().order_by(tables.ClassTutor.klass):
        tutors.setdefault(row.username, []).append(row.klass)
    return [{"username": s.username, "role": s.role, "classes": tutors.get(s.username, []), "created": s.created}
            for s in tables.Staff.select().order_by(tables.Staff.username)]


def member(username: str) -> Member | None:
    row = tables.Staff.get_or_none(tables.Staff.username == username)
    return Member(row.username, row.role) if row else None


def authenticate(username: str, password: str) -> Member | None:
    """The member of staff if the password is theirs; None otherwise (in about the same time)."""
    row = tables.Staff.get_or_none(tables.Staff.username == username)
    try:
        with _checking:
            _hasher.verify(row.password_hash if row else dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    if _hasher.check_needs_rehash(row.password_hash):
        with store.writing():
            tables.Staff.update(password_hash=_hasher.hash(password)).where(
                tables.Staff.username == username).execute()
    return Member(row.username, row.role)


# classes ---------------------------------------------------------------------------------------------

def add_class(name: str) -> None:
    if not _CLASS.fullmatch(name or ""):
        raise AccountError("class name: 1-40 letters, digits, spaces, '.', '_' or '-'")
    with store.writing():
        if tables.SchoolClass.get_or_none(tables.SchoolClass.name == name) is not None:
            raise AccountError(f"class {name!r} already exists")
        tables.SchoolClass.create(name=name, created=timestamp())


def assign(name: str, learners: list[str] = (), tutors: list[str] = ()) -> tuple[int, int]:
    """Put learners (pseudonymous ids) and tutors in a class. Returns how many of each were new."""
    bad = [learner for learner in learners if not _LEARNER.fullmatch(learner)]
    if bad:
        raise AccountError(f"not a learner id: {', '.join(bad)} (letters, digits, '.', '_', '-')")
    with store.writing():
        if tables.SchoolClass.get_or_none(tables.SchoolClass.name == name) is None:
            raise AccountError(f"no class {name!r}: add it first (throughgate edge classes add)")
        for username in tutors:
            found = tables.Staff.get_or_none(tables.Staff.username == username)
            if found is None or found.role != "tutor":
                raise AccountError(f"{username!r} is not a tutor here (throughgate edge staff add)")
        have_learners = {r.learner for r in tables.ClassLearner.select().where(tables.ClassLearner.klass == name)}
        have_tutors = {r.username for r in tables.ClassTutor.select().where(tables.ClassTutor.klass == name)}
        new_learners = sorted(set(learners) - have_learners)
        new_tutors = sorted(set(tutors) - have_tutors)
        for learner in new_learners:
            tables.ClassLearner.create(klass=name, learner=learner)
        for username in new_tutors:
            tables.ClassTutor.create(klass=name, username=username)
    return len(new_learners), len(new_tutors)


def classes() -> list[dict]:
    learners: dict[str, list[str]] = {}
    for row in tables.ClassLearner.select().order_by(tables.ClassLearner.learner):
        learners.setdefault(row.klass, []).append(row.learner)
    tutors: dict[str, list[str]] = {}
    for row in tables.ClassTutor.select().order_by(tables.ClassTutor.username):
        tutors.setdefault(row.klass, []).append(row.username)
    return [{"name": c.name, "learners": learners.get(c.name, []), "tutors": tutors.get(c.name, [])}
            for c in tables.SchoolClass.select().order_by(tables.SchoolClass.name)]


# the login rate limit --------------------------------------------------------------------------------

def throttle_keys(address: str, username: str) -> tuple[str, str]:
    return f"address:{address}", f"account:{username.lower()[:64]}"


def blocked_for(keys: tuple[str, ...], limit: int, window_s: float, now: float | None = None) -> float:
    """Seconds until a login for these keys may be tried again; 0 when it may be tried now."""
    now = time.time() if now is None else now
    wait = 0.0
    for key in keys:
        recent = [row.at for row in tables.LoginFailure.select(tables.LoginFailure.at)
                  .where(tables.LoginFailure.key == key, tables.LoginFailure.at > now - window_s)
                  .order_by(tables.LoginFailure.at.desc()).limit(limit)]
        if len(recent) >= limit:
            wait = max(wait, recent[-1] + window_s - now)
    return wait


def count_failure(keys: tuple[str, ...], window_s: float, now: float | None = None) -> None:
    now = time.time() if now is None else now
    with store.writing():
        tables.LoginFailure.delete().where(tables.LoginFailure.at < now - window_s).execute()
        tables.LoginFailure.insert_many([{"key": key, "at": now} for key in keys]).execute()


def count_attempt(keys: tuple[str, ...], limit: int, window_s: float, now: float | None = None) -> tuple[float, float]:
    """Count a login attempt as a failure *before* its password is checked, unless the limit is
    reached: (seconds to wait, 0 when counted; the time it was counted at). Checked and counted in
    one write transaction, so guesses sent at once cannot all slip past the limit."""
    now = time.time() if now is None else now
    with store.writing():
        wait = blocked_for(keys, limit, window_s, now)
        if wait <= 0:
            count_failure(keys, window_s, now)
    return wait, now


def forget_attempt(key: str, at: float) -> None:
    """Take back the failure count_attempt made at `at` (the password was right)."""
    with store.writing():
        tables.LoginFailure.delete().where(tables.LoginFailure.key == key, tables.LoginFailure.at == at).execute()


def forget_failures(key: str) -> None:
    with store.writing():
        tables.LoginFailure.delete().where(tables.LoginFailure.key == key).execute()
