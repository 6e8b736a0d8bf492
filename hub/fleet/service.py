"""The fleet at a glance: every edge rated from its last report (rating.py), worst first, and one edge
in full. What `throughgate hub edges health` / `hub edges show` print, and what a console can show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hub.enrolment import edges
from hub.fleet import rating, store
from hub.models import REVOKED, Edge

HISTORY_FOR_RATING = rating.GROWING_REPORTS + 1


@dataclass(frozen=True)
class EdgeHealth:
    edge_id: str
    rating: rating.Rating
    last: store.Stored | None
    """The last report (with its full text), or None."""
    history: tuple[store.Stored, ...] = ()
    """Recent reports, oldest first (backlog over time)."""

    def to_dict(self, now: datetime) -> dict:
        last = self.last
        return {"edge_id": self.edge_id, "rating": self.rating.colour, "reasons": list(self.rating.reasons),
                "last_report_at": last.received_at if last else None,
                "last_report_age": rating.age(last.received_at, now) if last else None,
                "report": last.report if last else None,
                "history": [{"received_at": h.received_at, "sent_at": h.sent_at, "backlog_records": h.backlog_records,
                             "backlog_bytes": h.backlog_bytes} for h in self.history]}


def _health(edge: Edge, now: datetime, silent_after_s: float, history_n: int) -> EdgeHealth:
    last = store.latest(edge.edge_id)
    history = store.history(edge.edge_id, max(history_n, HISTORY_FOR_RATING))
    rated = rating.rate(revoked=edge.status == REVOKED, enrolled_at=edge.enrolled_at,
                        received_at=last.received_at if last else None, report=last.report if last else None,
                        backlog=[h.backlog_records for h in history], now=now, silent_after_s=silent_after_s)
    return EdgeHealth(edge.edge_id, rated, last, tuple(history[-history_n:]) if history_n else ())


def overview(now: datetime, silent_after_s: float) -> list[EdgeHealth]:
    """Every edge, worst first."""
    found = {edge.edge_id: _health(edge, now, silent_after_s, 0) for edge in Edge.select()}
    order = rating.worst_first([(edge_id, h.rating) for edge_id, h in found.items()])
    return [found[edge_id] for edge_id, _ in order]


def detail(edge_id: str, now: datetime, silent_after_s: float, history_n: int) -> EdgeHealth:
    """One edge: its rating, last report and `history_n` recent reports (Refused 404 for an unknown edge)."""
    return _health(edges.find(edge_id), now, silent_after_s, history_n)
