"""The rules of team messages, pure (no I/O): the promised reply time as typed and as shown, how long a
message has waited, and whether it is flagged to the team's manager."""

from __future__ import annotations

import re
from datetime import datetime

from wire.records import parse_timestamp

DEFAULT_REPLY_WITHIN_MIN = 24 * 60
"""One day, by the wall clock, unless the team says otherwise (`--reply-within`)."""
MAX_REPLY_WITHIN_MIN = 14 * 24 * 60
_PROMISE = re.compile(r"(\d{1,5})\s*([mhd])")
_MINUTES = {"m": 1, "h": 60, "d": 24 * 60}
MAX_NAME = 59
"""A team's name: a person's message to it is stored as to `team:NAME`, in 64 characters."""
ADDRESS_PREFIX = "team:"


class RuleError(ValueError):
    """Input that breaks a rule, with what to do instead."""


def promise_minutes(text: str) -> int:
    """Minutes from `4h`, `90m`, `1d` or `1d 4h`."""
    cleaned = (text or "").strip().lower()
    parts = _PROMISE.findall(cleaned)
    if not parts or _PROMISE.sub("", cleaned).strip():
        raise RuleError(f"{text!r} is not a reply time: give hours, minutes or days, like 4h, 90m or 1d")
    minutes = sum(int(number) * _MINUTES[unit] for number, unit in parts)
    if not 1 <= minutes <= MAX_REPLY_WITHIN_MIN:
        raise RuleError("a promised reply time is from 1 minute to 14 days (14d)")
    return minutes


def duration_text(minutes: int) -> str:
    """`4 h`, `1 d 2 h`, `35 min`: a duration for people to read."""
    minutes = max(0, int(minutes))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{mins} min" if mins else ""]
    return " ".join(p for p in parts if p) or "0 min"


def check_name(name: str) -> str:
    cleaned = " ".join((name or "").split())
    if not 2 <= len(cleaned) <= MAX_NAME or cleaned.lower().startswith(ADDRESS_PREFIX):
        raise RuleError(f"a team's name is 2 to {MAX_NAME} characters, like 'Cardiff probation office', and is "
                        "the same as its workers' team (`throughgate hub workers list` shows it)")
    return cleaned


def waited_minutes(received_at: str, answered_at: str | None, now: datetime) -> int:
    """How long the person waited: until the answer, or until now while there is none."""
    end = parse_timestamp(answered_at) if answered_at else now
    return max(0, int((end - parse_timestamp(received_at)).total_seconds() // 60))


def flagged(received_at: str, answered_at: str | None, promise_min: int, now: datetime) -> bool:
    """A message is flagged to the team's manager when it is still unanswered past the team's promise.
    One answered, in time or late, is no longer flagged: there is nothing left to chase."""
    if answered_at:
        return False
    return (now - parse_timestamp(received_at)).total_seconds() > promise_min * 60
