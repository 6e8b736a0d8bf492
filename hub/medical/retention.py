"""How long each kind of health data is kept, and the purge that deletes what is due (docs/health.md,
"Retention"). The rule is pure (a moment in, a moment out); `purge(now)` is the only I/O, run daily by
`hub run` (hub/medical/job.py) and on demand by `throughgate hub health retention`.

Why these periods: a summary is for the weeks after release, and one a year old without a newer upload
is no longer what a prescriber should act on; a replaced one is kept a month, so a mistaken upload can
be looked into; health appointments matter until they are over; a share link that no longer works is
kept a month, so the person can still see it and its uses; the record of who read what is kept six
years (a read is what the person may need to challenge, as long as a health record's own audit).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hub import db
from hub.medical.models import APPOINTMENTS, HealthRead, HealthRecord, HealthShare
from hub.sync import feed
from wire.records import timestamp

CURRENT_SUMMARY = timedelta(days=365)
"""A summary not replaced: kept a year after its upload."""
SUPERSEDED = timedelta(days=30)
"""A summary (or appointments) replaced by a newer upload: kept 30 days after it was replaced."""
APPOINTMENTS_AFTER_END = timedelta(days=90)
"""Health appointments: kept 90 days after the last of them ends (or starts, when no end is given)."""
SHARE_AFTER_END = timedelta(days=30)
"""A share link, once expired or revoked: kept 30 days, then deleted."""
READS = timedelta(days=6 * 365 + 2)
"""Who read what: six years."""

RULES = (
    ("health summary, current", "1 year after it was uploaded, unless a newer one replaces it"),
    ("health summary or appointments, replaced", "30 days after a newer upload replaced it"),
    ("health appointments", "90 days after the last of them ends"),
    ("share link, expired or revoked", "30 days after it expired or was revoked"),
    ("record of a read (health_read)", "6 years"),
)
"""The rule in words: docs/health.md's Retention table and `hub health retention` show it."""


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _ends(bundle: dict) -> list[datetime]:
    """When each Appointment of the bundle ends (its start, when no end): those that can be read."""
    found = []
    for entry in bundle.get("entry") or []:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or resource.get("resourceType") != "Appointment":
            continue
        when = resource.get("end") or resource.get("start")
        try:
            moment = datetime.fromisoformat(str(when).replace("Z", "+00:00"))
        except ValueError:
            continue
        found.append(moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC))
    return found


def keep_until(kind: str, uploaded_at: str, bundle: dict) -> str:
    """When a record uploaded at `uploaded_at` is due for deletion while it is current."""
    uploaded = _at(uploaded_at)
    if kind == APPOINTMENTS:
        return timestamp(max([uploaded, *_ends(bundle)]) + APPOINTMENTS_AFTER_END)
    return timestamp(uploaded + CURRENT_SUMMARY)


def superseded_until(keep: str, superseded_at: str) -> str:
    """When a record replaced at `superseded_at` is due: 30 days on, or sooner if it was due sooner."""
    return min(keep, timestamp(_at(superseded_at) + SUPERSEDED))


@dataclass(frozen=True)
class Due:
    records: int
    shares: int
    reads: int


def _due_queries(now: datetime):
    moment = timestamp(now)
    share_cut = timestamp(now - SHARE_AFTER_END)
    records = HealthRecord.keep_until <= moment
    shares = (HealthShare.expires_at <= share_cut) | (HealthShare.revoked_at.is_null(False)
                                                      & (HealthShare.revoked_at <= share_cut))
    reads = HealthRead.at <= timestamp(now - READS)
    return records, shares, reads


def purge(now: datetime, dry_run: bool = False) -> Due:
    """Delete every health record, share and read record that is due at `now` (or, dry_run, count them).
    A person's key stays: it opens nothing once their records are gone, and their next upload uses it."""
    records, shares, reads = _due_queries(now)
    if dry_run:
        return Due(HealthRecord.select().where(records).count(), HealthShare.select().where(shares).count(),
                   HealthRead.select().where(reads).count())
    with db.proxy.atomic():
        told = sorted({row.person_id for row in HealthRecord.select(HealthRecord.person).where(
            records & HealthRecord.superseded_at.is_null())})
        due = Due(HealthRecord.delete().where(records).execute(), HealthShare.delete().where(shares).execute(),
                  HealthRead.delete().where(reads).execute())
        for person_id in told:  # their current summary went: their phone deletes its copy at its next sync
            feed.append(person_id, "health", "erased", {"erased": True})
    return due
