"""The fleet pages' charts: an edge's outbox backlog over its recent reports, as inline SVG drawn on the server
(no JavaScript, nothing fetched; the console's CSP allows neither). Pure.

Each chart is `role="img"` with an aria-label that states what it shows in words (first, last and largest
value), and the page shows the same numbers as text or a table beside it.
"""

from __future__ import annotations

from markupsafe import Markup, escape

SPARK_W, SPARK_H = 120, 28
CHART_W, CHART_H = 640, 180
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 56, 12, 12, 26
MOST_POINTS = 320
"""A longer series is cut into this many buckets, each drawn at its largest value (a peak stays visible)."""


def describe(values: list[int], what: str = "records waiting") -> str:
    """The words a screen reader hears: 'backlog over the last 12 reports: first 0, last 40, most 52 records
    waiting'."""
    if not values:
        return "no reports yet: no backlog to chart"
    count = len(values)
    return (f"backlog over the last {count} report{'' if count == 1 else 's'}: first {values[0]}, last "
            f"{values[-1]}, most {max(values)} {what}")


def _thinned(values: list[int], most: int = MOST_POINTS) -> list[int]:
    if len(values) <= most:
        return list(values)
    size = len(values) / most
    return [max(values[int(i * size):max(int((i + 1) * size), int(i * size) + 1)]) for i in range(most)]


def _points(values: list[int], left: float, top: float, width: float, height: float) -> list[tuple[float, float]]:
    """Evenly spread across `width`; one value is drawn as a level line across."""
    values = values * 2 if len(values) == 1 else values
    highest = max(values) or 1
    step = width / (len(values) - 1)
    return [(left + i * step, top + height - value / highest * height) for i, value in enumerate(values)]


def _path(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def sparkline(values: list[int], label: str) -> Markup:
    """A small line of the backlog (records waiting, oldest report first), for the fleet overview's table."""
    if not values:
        return Markup('<span class="muted small">no reports yet</span>')
    shown = _thinned(values)
    points = _points(shown, 1, 2, SPARK_W - 2, SPARK_H - 4)
    end_x, end_y = points[-1]
    return Markup(  # noqa: S704 (the label is escaped; the rest is numbers)
        f'<svg class="chart spark" role="img" aria-label="{escape(label)}" viewBox="0 0 {SPARK_W} {SPARK_H}" '
        f'width="{SPARK_W}" height="{SPARK_H}" xmlns="http://www.w3.org/2000/svg"><title>{escape(label)}</title>'
        f'<polyline class="line" fill="none" stroke="#1f5fa8" stroke-width="1.5" points="{_path(points)}"/>'
        f'<circle class="dot" fill="#1f5fa8" cx="{end_x:.1f}" cy="{end_y:.1f}" r="2"/></svg>')


def backlog_chart(values: list[int], times: list[str], label: str) -> Markup:
    """The larger chart of the edge page: records waiting at each kept report (oldest first), with the
    largest value marked on the left axis and the first and last report's time (`times`, as shown) under it."""
    if not values:
        return Markup('<p class="muted">No reports yet: nothing to chart.</p>')
    shown = _thinned(values)
    width, height = CHART_W - PAD_LEFT - PAD_RIGHT, CHART_H - PAD_TOP - PAD_BOTTOM
    points = _points(shown, PAD_LEFT, PAD_TOP, width, height)
    base = PAD_TOP + height
    area = f"{PAD_LEFT},{base} {_path(points)} {points[-1][0]:.1f},{base}"
    first, last = (times[0], times[-1]) if times else ("", "")
    return Markup(  # noqa: S704 (every text is escaped; the rest is numbers)
        f'<svg class="chart backlog" role="img" aria-label="{escape(label)}" viewBox="0 0 {CHART_W} {CHART_H}" '
        f'width="{CHART_W}" height="{CHART_H}" xmlns="http://www.w3.org/2000/svg"><title>{escape(label)}</title>'
        f'<line class="axis" stroke="#6b7585" x1="{PAD_LEFT}" y1="{PAD_TOP}" x2="{PAD_LEFT}" y2="{base}"/>'
        f'<line class="axis" stroke="#6b7585" x1="{PAD_LEFT}" y1="{base}" x2="{PAD_LEFT + width}" y2="{base}"/>'
        f'<text x="{PAD_LEFT - 6}" y="{PAD_TOP + 4}" text-anchor="end">{max(values)}</text>'
        f'<text x="{PAD_LEFT - 6}" y="{base}" text-anchor="end">0</text>'
        f'<polygon class="area" fill="#dce8f5" points="{area}"/>'
        f'<polyline class="line" fill="none" stroke="#1f5fa8" stroke-width="2" points="{_path(points)}"/>'
        f'<text x="{PAD_LEFT}" y="{CHART_H - 6}">{escape(first)}</text>'
        f'<text x="{PAD_LEFT + width}" y="{CHART_H - 6}" text-anchor="end">{escape(last)}</text></svg>')
