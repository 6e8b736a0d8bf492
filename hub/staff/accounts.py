"""Console accounts: adding one, setting it up, checking a login, disabling, and a new setup code.

An account is made with a one-time **setup code** (12 characters, like `ABCD-EFGH-JKMN`), valid for
SETUP_CODE_HOURS. The person opens the console's setup page, types their name, the code and a new
password, then adds the hub to an authenticator app (a QR code) and types a code from it. Only then
is the account usable and the setup code spent. A lost phone or a forgotten password: the account
gets a new setup code (`throughgate hub admins reset NAME`, or the console), which clears the
password and the authenticator and ends every session of the account.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import asdict, dataclass

from hub import db
from hub.admins import roles
from hub.staff import passwords, sealing, sessions, totp
from hub.staff.models import StaffAccount
from provisioning.tokens import TokenError, digest, new_enrolment_code, normalise_code, same
from wire.records import timestamp

ADMIN, WORKER = "admin", "worker"
ADMIN_ROLES = roles.ROLES
WORKER_ROLES = ("offender_manager", "employment_adviser", "health_care", "team_manager")
"""For the workers' console: an offender manager, employment adviser or health care worker sees their
own caseload; a team manager their team's."""
ROLES = {ADMIN: ADMIN_ROLES, WORKER: WORKER_ROLES}
_NAME = re.compile(r"[a-z0-9][a-z0-9._@-]{1,63}")
RESERVED = ("cli", "hub.toml")


class AccountError(ValueError):
    """A refusal with a reason for the person (or the command line) to read."""


@dataclass(frozen=True)
class Account:
    name: str
    console: str
    role: str
    display_name: str
    team: str | None
    state: str
    """waiting for setup | setup expired | active | disabled"""
    created_at: str
    created_by: str

    def to_dict(self) -> dict:
        return asdict(self)


def check_name(name) -> str:
    name = (name or "").strip().lower() if isinstance(name, str) else ""
    if not _NAME.fullmatch(name) or name.startswith(RESERVED):
        raise AccountError("a user name is 2 to 64 of a-z, 0-9 and . _ @ -, starting with a letter or digit, and not "
                           "starting with 'cli' or 'hub.toml', like alice or j.smith")
    return name


def _state(row: StaffAccount, now: str) -> str:
    if row.disabled_at:
        return "disabled"
    if row.totp_sealed and row.password_hash and not row.setup_sha256:
        return "active"
    return "setup expired" if (row.setup_expires_at or "") <= now else "waiting for setup"


def _account(row: StaffAccount, now: str) -> Account:
    return Account(row.name, row.console, row.role, row.display_name, row.team, _state(row, now), row.created_at,
                   row.created_by)


def _later(hours: float) -> str:
    return timestamp(dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours))


def add(name: str, console: str, role: str, display_name: str, created_by: str, setup_hours: float,
        team: str | None = None) -> tuple[Account, str]:
    """A new account and its setup code (shown once; the hub keeps its SHA-256)."""
    name = check_name(name)
    if role not in ROLES.get(console, ()):
        raise AccountError(f"a {console} account's role is one of {', '.join(ROLES.get(console, ()))}")
    display_name = " ".join((display_name or name).split())[:120]
    team = " ".join((team or "").split())[:64] or None
    code = new_enrolment_code()
    now = timestamp()
    with db.proxy.atomic():
        if StaffAccount.get_or_none(StaffAccount.name == name) is not None:
            raise AccountError(f"{name} already has an account: give them a new setup code instead "
                               f"(`throughgate hub admins reset {name}`, or Reset on the console's accounts page)")
        row = StaffAccount.create(name=name, console=console, role=role, display_name=display_name, team=team,
                                  setup_sha256=digest(code), setup_expires_at=_later(setup_hours), created_at=now,
                                  created_by=created_by[:80])
    return _account(row, now), code


def find(name: str) -> Account | None:
    row = StaffAccount.get_or_none(StaffAccount.name == (name or "").strip().lower())
    return _account(row, timestamp()) if row else None


def listing(console: str | None = None) -> list[Account]:
    now = timestamp()
    query = StaffAccount.select().order_by(StaffAccount.name)
    if console:
        query = query.where(StaffAccount.console == console)
    return [_account(row, now) for row in query]


def reset(name: str, setup_hours: float) -> tuple[Account, str]:
    """A new setup code: the password and authenticator are cleared, every session ends."""
    code = new_enrolment_code()
    with db.proxy.atomic():
        row = _existing(name)
        StaffAccount.update(password_hash=None, totp_sealed=None, totp_pending=None, totp_last_step=0,
                            setup_sha256=digest(code), setup_expires_at=_later(setup_hours), disabled_at=None
                            ).where(StaffAccount.name == row.name).execute()
        sessions.end_all(row.name)
    return find(row.name), code


def disable(name: str) -> Account:
    """The account can no longer log in; its sessions end now. A reset makes it usable again."""
    with db.proxy.atomic():
        row = _existing(name)
        StaffAccount.update(disabled_at=row.disabled_at or timestamp()).where(StaffAccount.name == row.name).execute()
        sessions.end_all(row.name)
    return find(row.name)


def _existing(name: str) -> StaffAccount:
    row = StaffAccount.get_or_none(StaffAccount.name == (name or "").strip().lower())
    if row is None:
        raise AccountError(f"no account named {name!r}: `throughgate hub admins list` shows them")
    return row


# setting up ------------------------------------------------------------------------------------------

def start_setup(name: str, code: str, password: str, instance: str) -> Account | None:
    """Check the setup code and set the password; a new authenticator secret waits to be confirmed.
    None when the name and code do not match an account waiting for setup (one answer for all cases,
    so it tells a guesser nothing). Raises AccountError for a password that cannot be used."""
    name = (name or "").strip().lower()
    row = StaffAccount.get_or_none(StaffAccount.name == name)
    try:
        typed = normalise_code(code)
    except TokenError:
        return None
    if (row is None or row.disabled_at or not row.setup_sha256 or (row.setup_expires_at or "") <= timestamp()
            or not same(typed, row.setup_sha256)):
        return None
    problem = passwords.problem(password, name)
    if problem:
        raise AccountError(problem)
    StaffAccount.update(password_hash=passwords.hash_password(password),
                        totp_pending=sealing.seal(instance, totp.new_secret())
                        ).where(StaffAccount.name == name).execute()
    return find(name)


def pending_secret(name: str, instance: str) -> bytes | None:
    row = StaffAccount.get_or_none(StaffAccount.name == name)
    return sealing.unseal(instance, row.totp_pending) if row and row.totp_pending and row.setup_sha256 else None


def finish_setup(name: str, typed: str, instance: str, now_s: float | None = None) -> bool:
    """The code from the authenticator matches the pending secret: the account is active, its setup
    code spent."""
    secret = pending_secret(name, instance)
    if secret is None:
        return False
    step = totp.matching_step(secret, typed, time.time() if now_s is None else now_s, 0)
    if step is None:
        return False
    changed = StaffAccount.update(totp_sealed=StaffAccount.totp_pending, totp_pending=None, totp_last_step=step,
                                  setup_sha256=None, setup_expires_at=None
                                  ).where(StaffAccount.name == name, StaffAccount.totp_pending.is_null(False)).execute()
    return changed == 1


# logging in ------------------------------------------------------------------------------------------

def check_password(name: str, password: str, console: str) -> Account | None:
    """The account, if the password is its own and the account is active on this console."""
    name = (name or "").strip().lower()
    row = StaffAccount.get_or_none(StaffAccount.name == name)
    usable = row is not None and row.console == console and _state(row, timestamp()) == "active"
    if not passwords.matches(row.password_hash if usable else None, password) or not usable:
        return None
    if passwords.needs_rehash(row.password_hash):
        StaffAccount.update(password_hash=passwords.hash_password(password)).where(StaffAccount.name == name).execute()
    return _account(row, timestamp())


def check_code(name: str, typed: str, instance: str, now_s: float | None = None) -> bool:
    """The authenticator's code for this account, used once (a replayed code fails)."""
    row = StaffAccount.get_or_none(StaffAccount.name == name)
    if row is None or not row.totp_sealed or row.disabled_at:
        return False
    step = totp.matching_step(sealing.unseal(instance, row.totp_sealed), typed,
                              time.time() if now_s is None else now_s, row.totp_last_step)
    if step is None:
        return False
    used = StaffAccount.update(totp_last_step=step).where(StaffAccount.name == name,
                                                         StaffAccount.totp_last_step < step).execute()
    return used == 1
