"""How the console shows times and sizes to staff: pure functions, registered as Jinja filters by the
app factory (edge.console.app).

    when("2026-11-27T01:48:28.062Z")  ->  <time datetime="2026-11-27T01:48:28.062Z">27 Nov 2026, 01:48</time>
    size(268435456)                   ->  256 MiB
    sentence("give a grade")          ->  Give a grade.
    waited("2026-11-25T09:00:00.000Z", now)  ->  2 days

Times are shown in one zone (UTC unless the app factory is given another), which the page says once;
the exact value stays in the element's `datetime` attribute. A value that is not a timestamp is
shown as it is (escaped), so nothing a tablet sends can break a page.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from markupsafe import Markup, escape

UNITS = ("KiB", "MiB", "GiB", "TiB")


def _moment(value: object) -> datetime | None:
    """The moment in UTC, or None for anything that is not one (or cannot be converted: year 1 at
    +01:00 lies before datetime's first moment in UTC, and a stored record may hold it)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
        return moment.astimezone(UTC) if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        return None


def _local(value: object, zone: tzinfo) -> datetime | None:
    moment = _moment(value)
    try:
        return moment.astimezone(zone) if moment is not None else None
    except OverflowError:  # the first or last hours datetime holds, shown in a zone beyond its range
        return None


def readable_time(value: object, zone: tzinfo = UTC) -> str:
    """`2026-11-27T01:48:28.062Z` -> `27 Nov 2026, 01:48` (in `zone`); anything else as it is."""
    local = _local(value, zone)
    if local is None:
        return "" if value is None else str(value)
    return f"{local.day} {local:%b %Y, %H:%M}"


def when(value: object, zone: tzinfo = UTC, empty: str = "never") -> Markup:
    """A timestamp as a <time> element staff can read, the exact value in `datetime` (and as a tooltip);
    `empty` when there is none."""
    if value is None or value == "":
        return escape(empty)
    if _local(value, zone) is None:  # not a time it can convert: the value as it is, escaped
        return escape(value)
    return Markup('<time datetime="{0}" title="{0}">{1}</time>').format(value, readable_time(value, zone))


def size(value: object) -> str:
    """A byte count in binary units: `1 byte`, `900 bytes`, `6.7 KiB`, `256 MiB`, `1.5 GiB`."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "–" if value is None else str(value)
    if abs(value) < 1024:
        return "1 byte" if value == 1 else f"{value:g} bytes"
    amount, step = float(value) / 1024, 0
    while abs(amount) >= 1024 and step < len(UNITS) - 1:
        amount, step = amount / 1024, step + 1
    unit = UNITS[step]
    text = f"{amount:.0f}" if abs(amount) >= 100 else f"{amount:.1f}".removesuffix(".0")
    return f"{text} {unit}"


def waited(value: object, now: datetime) -> str:
    """How long since `value`, as a person says it: `under an hour`, `5 hours`, `1 day`, `12 days`."""
    moment = _moment(value)
    if moment is None:
        return ""
    hours = (now - moment).total_seconds() / 3600
    if hours < 1:
        return "under an hour"
    if hours < 48:
        whole = int(hours)
        return "1 hour" if whole == 1 else f"{whole} hours"
    return f"{int(hours // 24)} days"


def sentence(value: object) -> str:
    """A reason as a sentence: its first letter capital, a full stop at the end (unless it has one)."""
    text = str(value or "").strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?)" else text + "."
