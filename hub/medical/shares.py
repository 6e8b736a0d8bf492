"""The links a person makes to share their health summary with a new GP or pharmacy.

A share is a secret address, /health/shared/<secret>, that works for 1 to MAX_DAYS days (DEFAULT_DAYS
unless the person says), until the person revokes it, or until they stop carrying a summary. The
secret is 32 random bytes (base64url, 43 characters) shown once to the person's phone; the hub keeps
only its SHA-256, so a copy of the database opens no share. Every use is counted here and recorded
as a health read by share_web.py (through service.read), so the person sees each one.

Unknown and revoked secrets are refused alike (404 `unknown_share`), so whoever holds a revoked link
learns nothing from it; an expired one says so (410 `share_expired`), as its holder was given it.
"""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import UTC, datetime, timedelta

from hub import db
from hub.medical.models import HealthShare
from hub.refusals import Refused
from provisioning import tokens
from wire.records import parse_timestamp, timestamp

MIN_DAYS, DEFAULT_DAYS, MAX_DAYS = 1, 7, 30
MAX_MADE_FOR = 100
SECRET = re.compile(r"[A-Za-z0-9_-]{43}")
PATH = "/health/shared/"
ASK_AGAIN = "ask the person who gave you this link for a new one"


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC)


def made_for_problem(made_for) -> str | None:
    """Why `made_for` is not a name for a share, or None."""
    text = " ".join(str(made_for or "").split()) if isinstance(made_for, str) else ""
    if not text:
        return "say who the link is for, in your words (\"new GP\", \"Boots, Queen St\")"
    if len(text) > MAX_MADE_FOR:
        return f"who the link is for takes at most {MAX_MADE_FOR} characters"
    return None


def make(person_id: str, made_for: str, days: int = DEFAULT_DAYS, now: datetime | None = None
         ) -> tuple[HealthShare, str]:
    """A new share of the person's summary: (the row, the secret). The secret is never stored."""
    problem = made_for_problem(made_for)
    if problem:
        raise Refused(400, "bad_request", problem)
    if type(days) is not int or not MIN_DAYS <= days <= MAX_DAYS:
        raise Refused(400, "bad_request", f"'days' is how long the link works: a whole number from {MIN_DAYS} to "
                      f"{MAX_DAYS}")
    moment = _now(now)
    secret = secrets.token_urlsafe(32)
    share = HealthShare.create(share_id=str(uuid.uuid4()), person=person_id, token_sha256=tokens.digest(secret),
                               made_for=" ".join(made_for.split()), created_at=timestamp(moment),
                               expires_at=timestamp(moment + timedelta(days=days)), uses=0)
    return share, secret


def path(secret: str) -> str:
    return f"{PATH}{secret}"


def state(share: HealthShare, now: datetime | None = None) -> str:
    """`working`, `expired` or `revoked`, as the person's phone shows it."""
    if share.revoked_at:
        return "revoked"
    return "expired" if parse_timestamp(share.expires_at) <= _now(now) else "working"


def find(secret: str) -> HealthShare | None:
    """The share this secret opens, whatever its state; None for one no share was made with."""
    if not isinstance(secret, str) or not SECRET.fullmatch(secret):
        return None
    return HealthShare.get_or_none(HealthShare.token_sha256 == tokens.digest(secret))


def open(secret: str, now: datetime | None = None) -> HealthShare:  # noqa: A001 (the contract's name)
    """The working share this secret opens; Refused 404 `unknown_share` (never made, or revoked: the same
    answer) or 410 `share_expired`. Expiry is checked in UTC."""
    share = find(secret)
    if share is None or state(share, now) == "revoked":
        raise Refused(404, "unknown_share", f"there is no health summary at this link: it may be mistyped, or no "
                      f"longer shared; {ASK_AGAIN}")
    if state(share, now) == "expired":
        raise Refused(410, "share_expired", f"this link has expired (it worked until {share.expires_at}); "
                      f"{ASK_AGAIN}")
    return share


def used(share: HealthShare) -> None:
    """Count one use (the health read is recorded by whoever showed the summary)."""
    HealthShare.update(uses=HealthShare.uses + 1).where(HealthShare.share_id == share.share_id).execute()


def of(person_id: str) -> list[HealthShare]:
    """The person's shares, newest first."""
    return list(HealthShare.select().where(HealthShare.person == person_id)
                .order_by(HealthShare.created_at.desc(), HealthShare.share_id))


def revoke(person_id: str, share_id: str, now: datetime | None = None) -> HealthShare:
    """Stop the share from working (again: nothing changes). Only the person's own: another person's,
    like an unknown id, is 404 `unknown_share`."""
    with db.proxy.atomic():
        share = HealthShare.get_or_none((HealthShare.share_id == str(share_id)[:36])
                                        & (HealthShare.person == person_id))
        if share is None:
            raise Refused(404, "unknown_share", "you have no share with this id: `throughgate phone health shares` "
                          "lists yours")
        if share.revoked_at is None:
            HealthShare.update(revoked_at=timestamp(_now(now))).where(HealthShare.share_id == share.share_id).execute()
    return HealthShare.get(HealthShare.share_id == share.share_id)


def revoke_all(person_id: str, now: datetime | None = None) -> int:
    """Stop every working share of the person (they no longer carry a summary): how many were working."""
    return HealthShare.update(revoked_at=timestamp(_now(now))).where(
        (HealthShare.person == person_id) & HealthShare.revoked_at.is_null()).execute()
