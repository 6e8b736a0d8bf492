"""What the hub checks in a check-in, as pure functions: the flags a human should look at, in plain words.
None of them says what a check-in means: a worker decides (docs/checkins.md, "What the worker sees").

`flags(document, facts)` takes the verified document and what the hub knows (facts: the nonce it handed out,
the slot, the receipt time, the phone's previous counter, the owner check) and gives [(code, text)].
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hub.checkins.schedules import Slot
from wire.checkin import distance_m, parse_time
from wire.records import timestamp

POOR_ACCURACY_M = 100.0
"""A fix less accurate than this says little about where the phone was."""
CLOCK_SKEW = timedelta(minutes=5)
"""How far a phone's clock may be off before the hub says so."""

WORDS = {
    "mock_location": "mock location",
    "poor_accuracy": "poor GPS accuracy",
    "away_from_place": "away from the expected place",
    "no_slot": "not for a scheduled check-in",
    "unknown_slot": "for a slot that is not one of this person's",
    "early": "before the window",
    "late": "late",
    "unknown_nonce": "unknown nonce",
    "stale_nonce": "stale nonce",
    "time_before_nonce": "phone's clock before the nonce",
    "clock_ahead": "phone's clock ahead of the hub",
    "counter_not_increasing": "counter did not go up",
    "owner_not_confirmed": "owner not confirmed",
    "owner_check_failed": "owner check failed",
}
"""Each flag's short name, as the worker's page shows it."""


@dataclass(frozen=True)
class Facts:
    received_at: datetime
    nonce_issued_at: datetime | None
    """When the hub gave this phone the document's nonce; None: it never did."""
    slot: Slot | None
    place: tuple[float, float, int] | None
    """The expected place (lat, lon, radius in metres) of the slot's schedule."""
    slot_known: bool = True
    """False: the document names a slot that is not one of this person's schedules'."""
    previous_counter: int | None = None
    """The highest counter of this phone's earlier check-ins (by the phone's time)."""
    owner: list[tuple[str, str]] = field(default_factory=list)
    """What the WebAuthn check found (hub/checkins/owner.py): no flags when it confirmed the owner."""


def _span(delta: timedelta) -> str:
    seconds = int(abs(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [f"{days} d"] * bool(days) + [f"{hours} h"] * bool(hours)
    parts += [f"{minutes} min"] * (not days and bool(minutes))
    return " ".join(parts) or f"{seconds} s"


def drift(device_time: str, received_at: str) -> str:
    """The receipt time less the phone's time, in words ("3 d 2 h", "-4 min": the phone's clock ahead)."""
    delta = parse_time(received_at) - parse_time(device_time)
    return ("-" if delta < timedelta(0) else "") + _span(delta)


def distance(document: dict, place: tuple[float, float, int] | None) -> float | None:
    if place is None:
        return None
    gps = document["gps"]
    return distance_m(gps["lat"], gps["lon"], place[0], place[1])


def flags(document: dict, facts: Facts) -> list[tuple[str, str]]:
    gps, made = document["gps"], parse_time(document["device_time"])
    found: list[tuple[str, str]] = []
    if gps["mock"]:
        found.append(("mock_location", "the phone said this location was mocked (a mock-location app was on)"))
    if gps["accuracy"] > POOR_ACCURACY_M:
        found.append(("poor_accuracy", f"the GPS fix was accurate only to {gps['accuracy']:.0f} m (worse than "
                      f"{POOR_ACCURACY_M:.0f} m): the phone may have been anywhere within that"))
    away = distance(document, facts.place)
    if away is not None and away > facts.place[2] + gps["accuracy"]:
        found.append(("away_from_place", f"{away:.0f} m from the expected place: more than its radius "
                      f"({facts.place[2]} m) and the fix's accuracy ({gps['accuracy']:.0f} m) together"))
    if document["slot"] is None:
        found.append(("no_slot", "it answers no scheduled slot"))
    elif not facts.slot_known:
        found.append(("unknown_slot", "the slot it names is not one of this person's schedules"))
    if facts.slot is not None:
        if made < facts.slot.opens_at:
            found.append(("early", f"made {_span(facts.slot.opens_at - made)} before the window opened (by the "
                          "phone's clock)"))
        elif made > facts.slot.closes_at:
            found.append(("late", f"made {_span(made - facts.slot.closes_at)} after the window closed (by the "
                          "phone's clock)"))
    if facts.nonce_issued_at is None:
        found.append(("unknown_nonce", "its nonce is not one the hub gave this phone: nothing shows it was made "
                      "after a moment the hub knows"))
    else:
        if facts.slot is not None and facts.nonce_issued_at < facts.slot.opens_at:
            found.append(("stale_nonce", f"its nonce was given at {timestamp(facts.nonce_issued_at)}, before the "
                          "window opened: it shows only that the check-in was made after that moment"))
        if made < facts.nonce_issued_at - CLOCK_SKEW:
            found.append(("time_before_nonce", f"the phone's clock says {document['device_time']}, before the hub "
                          f"gave it the nonce ({timestamp(facts.nonce_issued_at)}): the phone's clock was wrong or "
                          "changed"))
    if made > facts.received_at + CLOCK_SKEW:
        found.append(("clock_ahead", f"the phone's clock says it was made {_span(made - facts.received_at)} after "
                      "the hub received it"))
    if facts.previous_counter is not None and document["counter"] <= facts.previous_counter:
        found.append(("counter_not_increasing", f"the phone's counter ({document['counter']}) is not above an "
                      f"earlier check-in's ({facts.previous_counter}): the phone's data may have been restored or "
                      "copied"))
    return found + list(facts.owner)
