"""Down messages in the store: written with what they announce, acknowledged by the tablet, due again until then.

Times are wire.records.timestamp strings (UTC, milliseconds, `Z`), which sort as they compare.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import peewee as pw

from edge.downlink.tables import DownMessage
from wire.records import timestamp

PER_TABLET = 20  # messages out to one tablet and not yet acknowledged: only the oldest this many are sent
RESEND_FIRST_S, RESEND_MAX_S = 60.0, 3600.0  # sent again after this long without an ack, doubling up to the max


def add(device: str | None, message: dict) -> DownMessage | None:
    """A message for `device` (None: the learner has no tablet here yet, so nothing is sent). The message
    needs its own "id" (a UUID: the tablet acknowledges it by that). Call inside store.writing(), with the
    record the message announces, so neither exists without the other."""
    if not device:
        return None
    message_id = message.get("id")
    if not isinstance(message_id, str) or not 1 <= len(message_id) <= 36:
        raise ValueError("a down message needs an 'id' of 1-36 characters (its record's UUID)")
    now = timestamp()
    return DownMessage.create(device=device, message_id=message_id, created=now, due=now,
                              body=json.dumps(message, separators=(",", ":")))


# the relay, inside its transaction --------------------------------------------------------------

def acknowledge(device: str, message_ids: Iterable[str], now: str | None = None) -> int:
    """The tablet committed these messages: delivered. Only the device's own, not yet acknowledged, change."""
    ids = list(message_ids)
    if not ids:
        return 0
    return (DownMessage.update(acked=now or timestamp())
            .where(DownMessage.device == device, DownMessage.message_id.in_(ids), DownMessage.acked.is_null())
            .execute())


def listening(device: str, now: str | None = None) -> int:
    """The tablet says it is connected and subscribed: whatever it has not acknowledged is due now."""
    now = now or timestamp()
    return (DownMessage.update(due=now)
            .where(DownMessage.device == device, DownMessage.acked.is_null(), DownMessage.due > now).execute())


def waiting(device: str) -> int:
    """Messages for the device that it has not acknowledged yet."""
    return DownMessage.select().where(DownMessage.device == device, DownMessage.acked.is_null()).count()


def apply_acks(acks: dict[str, list[list[str]]]) -> dict[str, int]:
    """What the relay does with the down_acks in one batch (device -> each down_ack's ids; an empty list is
    "listening"). Call inside its transaction. Returns device -> messages still waiting, for its answer."""
    now = timestamp()
    for device, lists in acks.items():
        for ids in lists:
            if ids:
                acknowledge(device, ids, now)
            else:
                listening(device, now)
    return {device: waiting(device) for device in acks}


# the publisher ----------------------------------------------------------------------------------

def due(now: str, limit: int, per_tablet: int = PER_TABLET) -> list[DownMessage]:
    """Messages to publish now, oldest first: unacknowledged, due, and among their tablet's `per_tablet`
    oldest unacknowledged (a tablet that never acknowledges gets at most that many, again and again)."""
    ranked = (DownMessage.select(DownMessage.id, DownMessage.device, DownMessage.body, DownMessage.due,
                                 pw.fn.ROW_NUMBER().over(partition_by=[DownMessage.device],
                                                         order_by=[DownMessage.id]).alias("rank"))
              .where(DownMessage.acked.is_null()))
    sub = ranked.alias("ranked")
    query = (DownMessage.select(sub.c.id, sub.c.device, sub.c.body).from_(sub)
             .where(sub.c.rank <= per_tablet, sub.c.due <= now).order_by(sub.c.id).limit(limit))
    return [DownMessage(id=row[0], device=row[1], body=row[2]) for row in query.tuples()]


def resend_after(attempts: int, first: float = RESEND_FIRST_S, most: float = RESEND_MAX_S) -> float:
    """Seconds before a message the broker took `attempts` times is sent again, if still unacknowledged."""
    return min(first * 2 ** max(attempts - 1, 0), most)


def mark_sent(ids: list[int], first: float = RESEND_FIRST_S, most: float = RESEND_MAX_S) -> None:
    """The broker took these: count the attempt and set when each is due again. Call inside store.writing()."""
    moment = datetime.now(UTC)
    now = timestamp(moment)
    for row in DownMessage.select(DownMessage.id, DownMessage.attempts).where(DownMessage.id.in_(ids)):
        attempts = row.attempts + 1
        again = timestamp(moment + timedelta(seconds=resend_after(attempts, first, most)))
        DownMessage.update(sent=now, attempts=attempts, due=again).where(DownMessage.id == row.id).execute()


# what the console shows -------------------------------------------------------------------------

@dataclass(frozen=True)
class Delivery:
    """Where one message stands, in words a member of staff reads."""

    device: str
    state: str  # delivered | waiting
    since: str  # delivered: when the tablet acknowledged it; waiting: when it was written
    attempts: int
    sent: str | None

    @property
    def delivered(self) -> bool:
        return self.state == "delivered"


def _delivery(row: DownMessage) -> Delivery:
    if row.acked:
        return Delivery(row.device, "delivered", row.acked, row.attempts, row.sent)
    return Delivery(row.device, "waiting", row.created, row.attempts, row.sent)


def delivery_of(message_id: str) -> Delivery | None:
    """The message with this id (a feedback or award record's id), or None if it went to no tablet."""
    row = DownMessage.get_or_none(DownMessage.message_id == message_id)
    return None if row is None else _delivery(row)


def deliveries(message_ids: Iterable[str]) -> dict[str, Delivery]:
    ids = list(message_ids)
    if not ids:
        return {}
    return {row.message_id: _delivery(row) for row in DownMessage.select().where(DownMessage.message_id.in_(ids))}


@dataclass(frozen=True)
class Summary:
    waiting: int
    oldest_waiting: str | None  # when the oldest unacknowledged message was written
    delivered: int


def summary() -> Summary:
    open_ = DownMessage.select().where(DownMessage.acked.is_null())
    oldest = (DownMessage.select(pw.fn.MIN(DownMessage.created)).where(DownMessage.acked.is_null()).scalar())
    return Summary(open_.count(), oldest, DownMessage.select().where(DownMessage.acked.is_null(False)).count())


def listing(state: str = "waiting", limit: int = 200) -> list[tuple[DownMessage, Delivery]]:
    """Messages waiting (oldest first) or delivered (latest first), with where each stands."""
    query = DownMessage.select()
    if state == "waiting":
        query = query.where(DownMessage.acked.is_null()).order_by(DownMessage.id)
    else:
        query = query.where(DownMessage.acked.is_null(False)).order_by(DownMessage.acked.desc(), DownMessage.id.desc())
    return [(row, _delivery(row)) for row in query.limit(limit)]
