"""Appointment reminders by Web Push: the day before (24 h before it starts) and an hour before.

`due(starts, now)` is the rule, a pure function; `enqueue_due(now)` applies it to every scheduled
appointment starting within the next day whose person has a subscribed phone. Each reminder is first
claimed with a reminder_sent row (appointment, day|hour, the start time it is for): the unique key
lets one hub claim it however many run the job at once, and a moved appointment, having a new start,
is reminded again. A reminder whose moment has passed is not sent late: an appointment made 3 hours
ahead gets only the hour reminder; one the hub was down for gets the reminder still ahead of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import peewee

from hub import db
from hub.appointments.models import SCHEDULED, Appointment
from hub.phones.models import Phone
from hub.push import outbox
from hub.push.models import PushSubscription, ReminderSent
from wire.records import timestamp

BEFORE = {"day": timedelta(hours=24), "hour": timedelta(hours=1)}
"""Each reminder and how long before the start it is due; a reminder is due until the next one is."""


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def due(starts: datetime, now: datetime) -> str | None:
    """Which reminder is due at `now` for an appointment starting at `starts`: `hour` within the hour
    before it, `day` within the day before that hour, None otherwise (too early, or started)."""
    if now >= starts:
        return None
    if now >= starts - BEFORE["hour"]:
        return "hour"
    if now >= starts - BEFORE["day"]:
        return "day"
    return None


def _claim(row: Appointment, when: str, now: datetime) -> bool:
    try:
        with db.proxy.atomic():
            ReminderSent.create(appointment=row.appointment_id, when=when, starts_at=row.starts_at,
                                claimed_at=timestamp(now))
            outbox.remind(row.person_id, row.appointment_id, when, now.timestamp())
    except peewee.IntegrityError:
        return False  # another hub (or an earlier run) claimed it
    return True


def enqueue_due(now: datetime) -> list[tuple[str, str]]:
    """Claim and queue every reminder due at `now`: [(appointment id, day|hour)] this call claimed."""
    subscribed = (PushSubscription.select(PushSubscription.person).join(Phone, on=(Phone.key_id ==
                                                                                    PushSubscription.phone))
                  .where(Phone.revoked_at.is_null()))
    upcoming = (Appointment.select().where((Appointment.status == SCHEDULED)
                                           & (Appointment.starts_at > timestamp(now))
                                           & (Appointment.starts_at <= timestamp(now + BEFORE["day"]))
                                           & Appointment.person.in_(subscribed))
                .order_by(Appointment.starts_at))
    claimed = []
    for row in list(upcoming):  # read all first: no open read while claiming (SQLite would refuse the write)
        when = due(parse(row.starts_at), now)
        if when is not None and _claim(row, when, now):
            claimed.append((row.appointment_id, when))
    return claimed


def still_due(appointment_id: str, when: str, now: datetime) -> bool:
    """At push time: the appointment is still scheduled, and this reminder is still the one due (a
    cancelled or moved appointment's queued reminder is not pushed)."""
    row = Appointment.get_or_none(Appointment.appointment_id == appointment_id)
    return row is not None and row.status == SCHEDULED and due(parse(row.starts_at), now) == when


def seconds_left(appointment_id: str, now: datetime) -> int:
    row = Appointment.get_or_none(Appointment.appointment_id == appointment_id)
    return max(60, int((parse(row.starts_at) - now).total_seconds())) if row else 60
