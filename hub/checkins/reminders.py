"""A reminder by Web Push when a check-in window opens (hub/push: its outbox and sender).

`enqueue_due(now)` claims, for each current schedule whose person has a subscribed phone, the slot whose window
is open at `now` (a checkin_reminder row, unique per schedule and slot: one hub claims it however many run the
job) and queues the push `checkin:<schedule id>:<n>`, whose payload carries no personal data:

    {"v":1,"kind":"checkin","slot":"<schedule id>/<n>"}

A window the hub was down for is reminded while it is still open, never after it closed.
"""

from __future__ import annotations

from datetime import datetime

import peewee

from hub import db
from hub.checkins import schedules
from hub.checkins.models import CheckinReminder, CheckinSchedule
from hub.phones.models import Phone
from hub.push import outbox
from hub.push.models import PushSubscription
from wire.records import timestamp

TOPIC = "checkin"


def topic(slot: schedules.Slot) -> str:
    return f"{TOPIC}:{slot.schedule_id}:{slot.n}"


def payload(topic_text: str) -> dict:
    _kind, schedule_id, n = topic_text.split(":")
    return {"v": 1, "kind": TOPIC, "slot": f"{schedule_id}/{n}"}


def still_due(topic_text: str, now: datetime) -> bool:
    """At push time: the schedule is still current and the window still open."""
    _kind, schedule_id, n = topic_text.split(":")
    row = CheckinSchedule.get_or_none(CheckinSchedule.schedule_id == schedule_id)
    if row is None or row.ended_at is not None or not n.isdigit():
        return False
    slot = schedules.slot_of(row, int(n))
    return slot.opens_at <= now < slot.closes_at


def seconds_left(topic_text: str, now: datetime) -> int:
    _kind, schedule_id, n = topic_text.split(":")
    row = CheckinSchedule.get_or_none(CheckinSchedule.schedule_id == schedule_id)
    return max(60, int((schedules.slot_of(row, int(n)).closes_at - now).total_seconds())) if row else 60


def enqueue_due(now: datetime) -> list[str]:
    """Claim and queue every window reminder due at `now`: the slot ids this call claimed."""
    subscribed = (PushSubscription.select(PushSubscription.person)
                  .join(Phone, on=(Phone.key_id == PushSubscription.phone)).where(Phone.revoked_at.is_null()))
    rows = list(CheckinSchedule.select().where(CheckinSchedule.ended_at.is_null()
                                               & CheckinSchedule.person.in_(subscribed)))
    claimed = []
    for row in rows:
        slot = schedules.next_slot(row, now)
        if slot is None or not slot.opens_at <= now < slot.closes_at:
            continue
        try:
            with db.proxy.atomic():
                CheckinReminder.create(schedule=row.schedule_id, slot=slot.n, claimed_at=timestamp(now))
                outbox.queue_topic(row.person_id, topic(slot), now.timestamp())
        except peewee.IntegrityError:
            continue  # another hub (or an earlier run) claimed it
        claimed.append(slot.slot_id)
    return claimed
