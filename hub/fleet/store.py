"""Edges' status reports at the hub: each stored with its time of arrival, and only the newest `keep`
of each edge kept (EDGE_REPORTS_KEPT), so the history is bounded however long an edge runs."""

from __future__ import annotations

import json
from dataclasses import dataclass

from hub.db import proxy
from hub.fleet.models import EdgeReport
from wire import health


@dataclass(frozen=True)
class Stored:
    edge_id: str
    received_at: str
    sent_at: str
    backlog_records: int
    backlog_bytes: int
    report: dict | None = None


def save(edge_id: str, report: dict, received_at: str, keep: int) -> None:
    """Store a validated report (wire.health.validate), then forget this edge's reports beyond the newest `keep`."""
    with proxy.atomic():
        EdgeReport.create(edge_id=edge_id, received_at=received_at, sent_at=report["sent_at"],
                          backlog_records=report["outbox"]["records"], backlog_bytes=report["outbox"]["bytes"],
                          report=health.dumps(report))
        oldest_kept = (EdgeReport.select(EdgeReport.id).where(EdgeReport.edge_id == edge_id)
                       .order_by(EdgeReport.id.desc()).offset(keep - 1).limit(1).scalar())
        if oldest_kept is not None:
            EdgeReport.delete().where(EdgeReport.edge_id == edge_id, EdgeReport.id < oldest_kept).execute()


def _stored(row: EdgeReport, with_report: bool) -> Stored:
    return Stored(row.edge_id, row.received_at, row.sent_at, row.backlog_records, row.backlog_bytes,
                  json.loads(row.report) if with_report else None)


def latest(edge_id: str) -> Stored | None:
    row = EdgeReport.select().where(EdgeReport.edge_id == edge_id).order_by(EdgeReport.id.desc()).first()
    return _stored(row, True) if row else None


def history(edge_id: str, most: int) -> list[Stored]:
    """This edge's newest `most` reports, oldest first, without their full text."""
    query = (EdgeReport.select(EdgeReport.id, EdgeReport.edge_id, EdgeReport.received_at, EdgeReport.sent_at,
                               EdgeReport.backlog_records, EdgeReport.backlog_bytes)
             .where(EdgeReport.edge_id == edge_id).order_by(EdgeReport.id.desc()).limit(most))
    return [_stored(row, False) for row in reversed(list(query))]


def count(edge_id: str) -> int:
    return EdgeReport.select().where(EdgeReport.edge_id == edge_id).count()
