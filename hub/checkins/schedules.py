"""Check-in schedules: a worker sets one per person (every 7 to 56 days, a window of hours from a start time,
an expected place with a radius); a new one ends the one before. Slots are numbered from 0: slot n opens at
starts_at + n x every_days and closes window_hours later; its id is "<schedule id>/<n>".

`slots(...)` and `slot_states(...)` are pure (moments in, states out); `set_schedule` and `current` are the
only I/O. No Flask here: refusals are hub.refusals.Refused.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hub import db
from hub.checkins.models import CheckinSchedule
from hub.people import service as people
from hub.people.models import RELEASED
from hub.refusals import Refused
from hub.sync import feed
from wire.checkin import parse_time
from wire.records import timestamp

MIN_DAYS, MAX_DAYS = 7, 56
"""Weekly to every 8 weeks (issue 14)."""
MIN_WINDOW_H, MAX_WINDOW_H = 1, 72
"""A window of an hour to three days (e-Supervision's is 72 hours)."""
MAX_RADIUS_M = 50_000
LABELS = {"every_days": "the days between check-ins", "window_hours": "the window in hours",
          "lat": "the expected place's latitude", "lon": "the expected place's longitude",
          "radius_m": "the radius around the expected place"}
FEED_KIND = "checkin_schedule"
"""The feed entry a new schedule adds: {"every_days", "window_hours", "starts_at"}."""


@dataclass(frozen=True)
class Slot:
    schedule_id: str
    n: int
    opens_at: datetime
    closes_at: datetime

    @property
    def slot_id(self) -> str:
        return f"{self.schedule_id}/{self.n}"

    def document(self) -> dict:
        return {"slot": self.slot_id, "opens_at": timestamp(self.opens_at), "closes_at": timestamp(self.closes_at)}


def _int(value, name: str, low: int, high: int, what: str) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high:
        raise Refused(400, "bad_schedule", f"{LABELS[name]} ({name}) must be a whole number from {low} to {high} "
                      f"({what})", field=name)
    return number


def _float(value, name: str, low: float, high: float) -> float:
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        number = None
    if number is None or number != number or not low <= number <= high:
        raise Refused(400, "bad_schedule", f"{LABELS[name]} ({name}) must be a number from {low:g} to {high:g}",
                      field=name)
    return number


def parse_start(text) -> datetime:
    """An RFC 3339 time, or a date (the window then opens at 09:00 UTC that day)."""
    text = str(text or "").strip()
    try:
        if len(text) == 10:
            return datetime.fromisoformat(text + "T09:00:00+00:00")
        return parse_time(text)
    except ValueError:
        raise Refused(400, "bad_schedule", "the first window's start (start) must be a date (2027-01-05) or an RFC "
                      "3339 time (2027-01-05T09:00:00Z)", field="start") from None


def set_schedule(person_id: str, by: str, every_days, start, window_hours, lat, lon, radius_m,
                 now: datetime | None = None) -> CheckinSchedule:
    """The person's new schedule (the one before ends now); Refused 400 naming the value, 404, 409."""
    every = _int(every_days, "every_days", MIN_DAYS, MAX_DAYS, "weekly to every 8 weeks")
    window = _int(window_hours, "window_hours", MIN_WINDOW_H, MAX_WINDOW_H, "how long the window stays open")
    if window > every * 24:
        raise Refused(400, "bad_schedule", "the window (window_hours) must be shorter than the time between check-ins",
                      field="window_hours")
    starts = parse_start(start)
    place = (_float(lat, "lat", -90, 90), _float(lon, "lon", -180, 180))
    radius = _int(radius_m, "radius_m", 10, MAX_RADIUS_M, "metres around the expected place")
    person = people.find(person_id)
    if person.status != RELEASED:
        raise Refused(409, "not_released", "check-ins are for people released: release them first")
    now = now or datetime.now(UTC)
    with db.proxy.atomic():
        CheckinSchedule.update(ended_at=timestamp(now)).where((CheckinSchedule.person == person.person_id)
                                                              & CheckinSchedule.ended_at.is_null()).execute()
        row = CheckinSchedule.create(schedule_id=uuid.uuid4().hex, person=person.person_id, every_days=every,
                                     starts_at=timestamp(starts), window_hours=window, lat=place[0], lon=place[1],
                                     radius_m=radius, set_by=by[:80], set_at=timestamp(now))
        # the phone learns there is a schedule (and then asks GET /v1/phone/checkins at each sync)
        feed.append(person.person_id, FEED_KIND, row.schedule_id, {"every_days": every, "window_hours": window,
                                                                   "starts_at": row.starts_at})
        return row


def current(person_id: str) -> CheckinSchedule | None:
    return (CheckinSchedule.select().where((CheckinSchedule.person == person_id) & CheckinSchedule.ended_at.is_null())
            .order_by(CheckinSchedule.set_at.desc()).first())


def history(person_id: str) -> list[CheckinSchedule]:
    return list(CheckinSchedule.select().where(CheckinSchedule.person == person_id).order_by(CheckinSchedule.set_at))


def find_slot(slot_id: str | None) -> tuple[CheckinSchedule, Slot] | None:
    if not slot_id or "/" not in slot_id:
        return None
    schedule_id, n = slot_id.split("/", 1)
    row = CheckinSchedule.get_or_none(CheckinSchedule.schedule_id == schedule_id[:32])
    if row is None or not n.isdigit():
        return None
    return row, slot_of(row, int(n))


# pure ------------------------------------------------------------------------------------------------------
def slot_of(row: CheckinSchedule, n: int) -> Slot:
    opens = parse_time(row.starts_at) + timedelta(days=row.every_days * n)
    return Slot(row.schedule_id, n, opens, opens + timedelta(hours=row.window_hours))


def slots(row: CheckinSchedule, until: datetime) -> list[Slot]:
    """The schedule's slots opening before `until` (and before it ended, when it has)."""
    end = min(until, parse_time(row.ended_at)) if row.ended_at else until
    found, n = [], 0
    while (slot := slot_of(row, n)).opens_at < end and n < 10_000:
        found.append(slot)
        n += 1
    return found


def next_slot(row: CheckinSchedule | None, now: datetime) -> Slot | None:
    """The slot open now, or the next to open."""
    if row is None:
        return None
    start = parse_time(row.starts_at)
    if now < start:
        return slot_of(row, 0)
    n = int((now - start) / timedelta(days=row.every_days))
    slot = slot_of(row, n)
    return slot if now < slot.closes_at else slot_of(row, n + 1)


ON_TIME, LATE, EARLY, MISSED, OPEN = "in the window", "late", "before the window", "no check-in", "open now"


@dataclass(frozen=True)
class SlotState:
    slot: Slot
    state: str
    checkins: list
    late_by: timedelta | None = None


def slot_states(rows: list[CheckinSchedule], checkins: list, now: datetime) -> list[SlotState]:
    """Each slot of these schedules that has opened by `now`, newest first, with the check-ins answering it
    (refused ones do not count) and whether one came in its window (by the phone's time), late, only before
    it opened, none yet while it is open, or none: what the worker sees. It says what happened, never what it means."""
    by_slot: dict[str, list] = {}
    for checkin in checkins:
        if checkin.slot and checkin.outcome != "refused":
            by_slot.setdefault(checkin.slot, []).append(checkin)
    found = []
    for row in rows:
        for slot in slots(row, now):
            answers = by_slot.get(slot.slot_id, [])
            times = [parse_time(c.device_time) for c in answers if c.device_time]
            if any(slot.opens_at <= t <= slot.closes_at for t in times):
                found.append(SlotState(slot, ON_TIME, answers))
            elif any(t > slot.closes_at for t in times):
                late = min(t for t in times if t > slot.closes_at)
                found.append(SlotState(slot, LATE, answers, late - slot.closes_at))
            elif times and now >= slot.closes_at:
                found.append(SlotState(slot, EARLY, answers))
            else:
                found.append(SlotState(slot, OPEN if now < slot.closes_at else MISSED, answers))
    return sorted(found, key=lambda s: s.slot.opens_at, reverse=True)


@dataclass(frozen=True)
class Summary:
    windows: int
    in_window: int
    late: int
    missed: int
    longest_gap: int
    early: int = 0
    """Windows whose only check-ins came before they opened."""
    """The longest run of closed windows in a row with no check-in."""


def summary(states: list[SlotState]) -> Summary:
    """Counts over the windows that have opened (slot_states' list), and the longest gap."""
    run = longest = 0
    for state in sorted(states, key=lambda s: s.slot.opens_at):
        run = run + 1 if state.state == MISSED else 0
        longest = max(longest, run)
    count = {name: sum(1 for s in states if s.state == name) for name in (ON_TIME, LATE, MISSED, EARLY)}
    return Summary(len(states), count[ON_TIME], count[LATE], count[MISSED], longest, count[EARLY])
