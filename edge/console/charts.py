"""Charts as inline SVG, drawn on the server: no JavaScript, nothing fetched. Pure."""

from __future__ import annotations

from markupsafe import Markup, escape

BAR, GAP, LABEL_W, CHART_W = 22, 6, 180, 360


def bar_chart(items: list[tuple[str, float]], maximum: float | None = None, unit: str = "",
              title: str = "") -> Markup:
    """Horizontal bars, one per (label, value), scaled to `maximum` (default: the largest value)."""
    if not items:
        return Markup('<p class="muted">Nothing to chart yet.</p>')
    top = maximum or max(value for _, value in items) or 1
    height = len(items) * (BAR + GAP) + GAP
    width = LABEL_W + CHART_W + 70
    # role="img" hides the bars' own titles from screen readers: the description gives them every value.
    described = "; ".join(f"{label}: {value:g}{unit}" for label, value in items)
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title><desc>{escape(described)}</desc>']
    for i, (label, value) in enumerate(items):
        y = GAP + i * (BAR + GAP)
        length = max(0.0, min(1.0, value / top)) * CHART_W
        shown = f"{value:g}{unit}"
        parts.append(
            f'<text x="{LABEL_W - 8}" y="{y + BAR * 0.7:.1f}" text-anchor="end">{escape(label[:28])}</text>'
            f'<rect x="{LABEL_W}" y="{y}" width="{length:.1f}" height="{BAR}" class="bar">'
            f'<title>{escape(label)}: {escape(shown)}</title></rect>'
            f'<text x="{LABEL_W + length + 6:.1f}" y="{y + BAR * 0.7:.1f}">{escape(shown)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every label and value above is escaped)
