"""What waits to be pushed, one row a (subscription, topic): `sync` (the person's feed grew) or
`reminder:<appointment id>:<day|hour>`. Coalesced: a second change for a person whose `sync` push
still waits adds nothing but a version. Each row is claimed by one sender (a lease: due_at moves
LEASE_S ahead, matched on the version and due_at it read), so hubs running side by side push it once;
a push that failed for a while is tried again after a back-off.

The payloads carry no personal data: the phone syncs (`sync`), or shows the appointment its last
sync gave it (`reminder`). They are, exactly (docs/phone-sync.md, "Waking the phone: Web Push"):

    {"v":1,"kind":"sync"}
    {"v":1,"kind":"reminder","appointment_id":"<uuid>","when":"day"}    (or "hour")
    {"v":1,"kind":"checkin","slot":"<schedule id>/<n>"}                  (a check-in window opened:
                                                                         topic checkin:<schedule id>:<n>)
"""

from __future__ import annotations

import json
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar

import peewee

from hub.phones.models import Phone
from hub.push.models import PushOutbox, PushSubscription
from wire.records import timestamp

SYNC = "sync"
LEASE_S = 60.0
BATCH = 50
kick = threading.Event()
"""Set when this process adds to the outbox: its sender (hub/push/job.py) looks at once."""
_syncing: ContextVar[str | None] = ContextVar("syncing_phone", default=None)


@contextmanager
def syncing(key_id: str):
    """While a phone's own sync applies its changes: that phone gets no push for them (its answer
    carries them), the person's other phones do."""
    token = _syncing.set(key_id)
    try:
        yield
    finally:
        _syncing.reset(token)


def reminder_topic(appointment_id: str, when: str) -> str:
    return f"reminder:{appointment_id}:{when}"


def payload(topic: str) -> bytes:
    """The push's body (encrypted to the subscription on the way): no names, no text."""
    if topic == SYNC:
        body = {"v": 1, "kind": "sync"}
    elif topic.startswith("checkin:"):
        _checkin, schedule_id, n = topic.split(":")
        body = {"v": 1, "kind": "checkin", "slot": f"{schedule_id}/{n}"}
    else:
        _reminder, appointment_id, when = topic.split(":")
        body = {"v": 1, "kind": "reminder", "appointment_id": appointment_id, "when": when}
    return json.dumps(body, separators=(",", ":")).encode()


def _coalesce(query) -> None:
    (PushOutbox.insert_from(query, [PushOutbox.phone, PushOutbox.topic, PushOutbox.due_at, PushOutbox.tries,
                                    PushOutbox.version, PushOutbox.made_at])
     .on_conflict(conflict_target=[PushOutbox.phone, PushOutbox.topic],
                  update={PushOutbox.version: PushOutbox.version + 1})
     .execute())
    kick.set()


def _subscriptions(person_id: str, topic: str, now: float):
    mine = (PushSubscription.person == person_id) & Phone.revoked_at.is_null()
    if _syncing.get() is not None:
        mine &= PushSubscription.phone != _syncing.get()
    return (PushSubscription
            .select(PushSubscription.phone, peewee.Value(topic), peewee.Value(now), peewee.Value(0), peewee.Value(1),
                    peewee.Value(timestamp()))
            .join(Phone, on=(Phone.key_id == PushSubscription.phone))
            .where(mine))


def wake(person_id: str, now: float | None = None) -> None:
    """The person's feed grew: each of their (unrevoked) phones' subscriptions gets a `sync` push."""
    _coalesce(_subscriptions(person_id, SYNC, time.time() if now is None else now))


def remind(person_id: str, appointment_id: str, when: str, now: float) -> None:
    _coalesce(_subscriptions(person_id, reminder_topic(appointment_id, when), now))


def queue_topic(person_id: str, topic: str, now: float) -> None:
    """Another part's reminder (a check-in window, hub/checkins/reminders.py) for each of the person's phones."""
    _coalesce(_subscriptions(person_id, topic, now))


def due(now: float, limit: int = BATCH) -> list[PushOutbox]:
    return list(PushOutbox.select().where(PushOutbox.due_at <= now).order_by(PushOutbox.due_at).limit(limit))


def claim(row: PushOutbox, now: float) -> bool:
    """Take the row for LEASE_S: True for exactly one sender, the one whose update matched what it read."""
    return PushOutbox.update(due_at=now + LEASE_S, tries=PushOutbox.tries + 1).where(
        (PushOutbox.phone == row.key_id) & (PushOutbox.topic == row.topic) & (PushOutbox.version == row.version)
        & (PushOutbox.due_at == row.due_at)).execute() == 1


def done(row: PushOutbox, now: float) -> None:
    """Pushed: gone, unless another change came meanwhile (a newer version): then it is due again now."""
    mine = (PushOutbox.phone == row.key_id) & (PushOutbox.topic == row.topic)
    if not PushOutbox.delete().where(mine & (PushOutbox.version == row.version)).execute():
        PushOutbox.update(due_at=now, tries=0).where(mine).execute()


def retry(row: PushOutbox, at: float) -> None:
    PushOutbox.update(due_at=at).where((PushOutbox.phone == row.key_id) & (PushOutbox.topic == row.topic)).execute()


def drop(row: PushOutbox) -> None:
    PushOutbox.delete().where((PushOutbox.phone == row.key_id) & (PushOutbox.topic == row.topic)).execute()


def waiting() -> int:
    return PushOutbox.select().count()
