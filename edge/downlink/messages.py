"""Down messages in the store: written with what they announce, acknowledged by the tablet, due again until then.

Times are wire.records.timestamp strings (UTC, milliseconds, `Z`), which sort as they compare.

No message waits forever behind others: the per-tablet cap counts only messages in flight (sent, and not due
again yet), so it limits how many go out to a tablet per retry period, and due messages go oldest-due first. A
tablet that never acknowledges (an old app) still gets every message, in turn. Nothing is sent to a revoked
tablet, and a message the tablet has not confirmed after `give_up_days` is given up (the console says so).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from edge import store
from edge.downlink.tables import DownMessage
from wire.records import parse_timestamp, timestamp

PER_TABLET = 20  # messages in flight to one tablet (sent, not due again yet): at most this many go out per round
RESEND_FIRST_S, RESEND_MAX_S = 60.0, 3600.0  # sent again after this long without an ack, doubling up to the max
LISTEN_QUIET_S = 30.0  # a tablet's "listening" makes due again only what was not sent to it in this many seconds
GIVE_UP_DAYS = 30.0  # a message the tablet has not confirmed after this many days is given up


def _shift(now: str, seconds: float) -> str:
    return timestamp(parse_timestamp(now) + timedelta(seconds=seconds))


def _open():
    """Still being sent: not acknowledged, not given up (a revoked tablet's are filtered where it matters)."""
    return DownMessage.acked.is_null() & DownMessage.gave_up.is_null()


def _revoked_devices():
    return store.Tablet.select(store.Tablet.device).where(store.Tablet.status == "revoked")


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


# the relay: a read first, then (only if something changes) inside its transaction -----------------

def _ackable(device: str, ids: list[str]):
    return DownMessage.select().where(DownMessage.device == device, DownMessage.message_id.in_(ids),
                                      DownMessage.acked.is_null())


def _listenable(device: str, now: str, quiet_s: float):
    """The device's open messages that a "listening" makes due now: not due yet, and not sent in `quiet_s`."""
    recent = _shift(now, -quiet_s)
    return DownMessage.select().where(DownMessage.device == device, _open(), DownMessage.due > now,
                                      DownMessage.sent.is_null() | (DownMessage.sent <= recent))


def acknowledge(device: str, message_ids: Iterable[str], now: str | None = None) -> int:
    """The tablet committed these messages: delivered. Only the device's own, not yet acknowledged, change
    (a given-up message the tablet confirms after all is delivered too)."""
    ids = list(message_ids)
    if not ids:
        return 0
    return (DownMessage.update(acked=now or timestamp())
            .where(DownMessage.id.in_(_ackable(device, ids).select(DownMessage.id))).execute())


def listening(device: str, now: str | None = None, quiet_s: float = LISTEN_QUIET_S) -> int:
    """The tablet says it is connected and subscribed: what it has not acknowledged, and was not sent to it in
    the last `quiet_s` seconds, is due now (a burst of "listening" republishes each message at most once)."""
    now = now or timestamp()
    return (DownMessage.update(due=now)
            .where(DownMessage.id.in_(_listenable(device, now, quiet_s).select(DownMessage.id))).execute())


def waiting(device: str) -> int:
    """Messages for the device that it has not acknowledged yet and that are still being sent."""
    return DownMessage.select().where(DownMessage.device == device, _open()).count()


def changes(acks: dict[str, list[list[str]]], now: str, quiet_s: float = LISTEN_QUIET_S) -> bool:
    """Whether applying these down_acks would change anything (a read: the relay takes the write lock only then)."""
    for device, lists in acks.items():
        ids = sorted({i for each in lists for i in each})
        if ids and _ackable(device, ids).exists():
            return True
        if any(not each for each in lists) and _listenable(device, now, quiet_s).exists():
            return True
    return False


def apply_acks(acks: dict[str, list[list[str]]], now: str | None = None,
               quiet_s: float = LISTEN_QUIET_S) -> tuple[dict[str, int], int]:
    """What the relay does with the down_acks in one batch (device -> each down_ack's ids; an empty list is
    "listening"). Call inside its transaction, or outside when `changes` said nothing changes (then it only
    reads). Returns device -> messages still waiting (for its answer), and how many rows changed."""
    now = now or timestamp()
    changed = 0
    for device, lists in acks.items():
        for ids in lists:
            changed += acknowledge(device, ids, now) if ids else listening(device, now, quiet_s)
    return {device: waiting(device) for device in acks}, changed


# the publisher ----------------------------------------------------------------------------------

DUE = """
SELECT r.id, r.device, r.body FROM (
    SELECT m.id, m.device, m.body, m.due,
           ROW_NUMBER() OVER (PARTITION BY m.device ORDER BY m.due, m.id) AS rank
    FROM down_message AS m
    WHERE m.acked IS NULL AND m.gave_up IS NULL AND m.due <= ?
      AND m.device NOT IN (SELECT t.device FROM {tablet} AS t WHERE t.status = 'revoked')
) AS r
WHERE r.rank <= ? - (SELECT COUNT(*) FROM down_message AS f
                     WHERE f.device = r.device AND f.acked IS NULL AND f.gave_up IS NULL
                       AND f.sent IS NOT NULL AND f.due > ?)
ORDER BY r.due, r.id
LIMIT ?"""


def due(now: str, limit: int, per_tablet: int = PER_TABLET) -> list[DownMessage]:
    """Messages to publish now, oldest-due first: open, due, not for a revoked tablet, and no more per tablet
    than leaves it `per_tablet` in flight (sent and not due again yet). So a tablet that never acknowledges
    gets at most `per_tablet` per retry period, and in turn every message it has."""
    sql = DUE.format(tablet=store.Tablet._meta.table_name)
    rows = DownMessage._meta.database.execute_sql(sql, (now, per_tablet, now, limit)).fetchall()
    return [DownMessage(id=row[0], device=row[1], body=row[2]) for row in rows]


def resend_after(attempts: int, first: float = RESEND_FIRST_S, most: float = RESEND_MAX_S) -> float:
    """Seconds before a message the broker took `attempts` times is sent again, if still unacknowledged."""
    return min(first * 2 ** max(attempts - 1, 0), most)


def mark_sent(ids: list[int], first: float = RESEND_FIRST_S, most: float = RESEND_MAX_S,
              moment: datetime | None = None) -> None:
    """The broker took these: count the attempt and set when each is due again. Call inside store.writing()."""
    moment = moment or datetime.now(UTC)
    now = timestamp(moment)
    for row in DownMessage.select(DownMessage.id, DownMessage.attempts).where(DownMessage.id.in_(ids)):
        attempts = row.attempts + 1
        again = timestamp(moment + timedelta(seconds=resend_after(attempts, first, most)))
        DownMessage.update(sent=now, attempts=attempts, due=again).where(DownMessage.id == row.id).execute()


def _overdue(now: str, days: float):
    return DownMessage.select().where(_open(), DownMessage.created < _shift(now, -days * 86400))


def give_up(days: float = GIVE_UP_DAYS, now: str | None = None) -> int:
    """Stop sending messages written more than `days` ago that the tablet has not confirmed; they show as not
    confirmed on the console. Takes the write lock only when there are some. Returns how many."""
    now = now or timestamp()
    if not _overdue(now, days).exists():
        return 0
    with store.writing():
        return (DownMessage.update(gave_up=now)
                .where(DownMessage.id.in_(_overdue(now, days).select(DownMessage.id))).execute())


# what the console shows -------------------------------------------------------------------------

STATES = ("waiting", "delivered", "undelivered")  # the console's tabs: undelivered = given up or tablet revoked


@dataclass(frozen=True)
class Delivery:
    """Where one message stands, in words a member of staff reads."""

    device: str
    state: str  # delivered | waiting | given_up | revoked
    since: str  # delivered: acknowledged; waiting, revoked: written; given_up: when it was given up
    attempts: int
    sent: str | None
    days: int = 0  # given_up: how many days after it was written

    @property
    def delivered(self) -> bool:
        return self.state == "delivered"


def _delivery(row: DownMessage, revoked: set[str]) -> Delivery:
    if row.acked:
        return Delivery(row.device, "delivered", row.acked, row.attempts, row.sent)
    if row.gave_up:
        days = (parse_timestamp(row.gave_up) - parse_timestamp(row.created)).days
        return Delivery(row.device, "given_up", row.gave_up, row.attempts, row.sent, days)
    if row.device in revoked:
        return Delivery(row.device, "revoked", row.created, row.attempts, row.sent)
    return Delivery(row.device, "waiting", row.created, row.attempts, row.sent)


def _revoked_among(devices: Iterable[str]) -> set[str]:
    names = sorted(set(devices))
    if not names:
        return set()
    return {t.device for t in _revoked_devices().where(store.Tablet.device.in_(names))}


def delivery_of(message_id: str) -> Delivery | None:
    """The message with this id (a feedback or award record's id), or None if it went to no tablet."""
    row = DownMessage.get_or_none(DownMessage.message_id == message_id)
    return None if row is None else _delivery(row, _revoked_among([row.device]))


def deliveries(message_ids: Iterable[str]) -> dict[str, Delivery]:
    ids = list(message_ids)
    if not ids:
        return {}
    rows = list(DownMessage.select().where(DownMessage.message_id.in_(ids)))
    revoked = _revoked_among(row.device for row in rows)
    return {row.message_id: _delivery(row, revoked) for row in rows}


@dataclass(frozen=True)
class Summary:
    waiting: int
    oldest_waiting: str | None  # when the oldest message still being sent was written
    delivered: int
    undelivered: int = 0  # given up, or for a revoked tablet


def _where(state: str):
    revoked = DownMessage.device.in_(_revoked_devices())
    if state == "waiting":
        return _open() & ~revoked
    if state == "delivered":
        return DownMessage.acked.is_null(False)
    return DownMessage.acked.is_null() & (DownMessage.gave_up.is_null(False) | revoked)


def summary() -> Summary:
    oldest = DownMessage.select(DownMessage.created).where(_where("waiting")).order_by(DownMessage.created).first()
    return Summary(DownMessage.select().where(_where("waiting")).count(), oldest.created if oldest else None,
                   DownMessage.select().where(_where("delivered")).count(),
                   DownMessage.select().where(_where("undelivered")).count())


def listing(state: str = "waiting", limit: int = 200) -> list[tuple[DownMessage, Delivery]]:
    """Messages waiting (oldest first), delivered (latest first) or not delivered (latest first: given up or
    for a revoked tablet), with where each stands."""
    if state not in STATES:
        raise ValueError(f"state is one of {', '.join(STATES)}")
    query = DownMessage.select().where(_where(state))
    if state == "waiting":
        query = query.order_by(DownMessage.id)
    elif state == "delivered":
        query = query.order_by(DownMessage.acked.desc(), DownMessage.id.desc())
    else:
        query = query.order_by(DownMessage.id.desc())
    rows = list(query.limit(limit))
    revoked = _revoked_among(row.device for row in rows)
    return [(row, _delivery(row, revoked)) for row in rows]
