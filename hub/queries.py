"""Reading stored records: filtered pages in hub arrival order, and counts."""

from __future__ import annotations

import json

import peewee

from hub.models import Record

FILTERS = ("edge", "device", "learner", "kind")
MAX_LIMIT = 1000
DEFAULT_LIMIT = 100


def list_records(filters: dict | None = None, after: int = 0, limit: int = DEFAULT_LIMIT) -> list[dict]:
    """Records that arrived after the cursor `after`, oldest first; each has its own `cursor`."""
    query = Record.select().where(Record.arrival > after)
    for name, value in (filters or {}).items():
        if value is not None:
            query = query.where(getattr(Record, name) == value)
    return [as_dict(r) for r in query.order_by(Record.arrival).limit(min(limit, MAX_LIMIT))]


def as_dict(record: Record) -> dict:
    return {
        "cursor": record.arrival, "id": record.id, "edge": record.edge_id, "device": record.device,
        "learner": record.learner, "kind": record.kind, "seq": record.seq, "created": record.created,
        "received_at_edge": record.received_at_edge, "received_at_hub": record.received_at_hub,
        "batch": record.batch_id, "payload": json.loads(record.payload),
    }


def summary() -> dict:
    """How many records: in all, and per edge, per learner and per kind."""
    return {
        "total": Record.select().count(),
        "by_edge": _counts(Record.edge),
        "by_learner": _counts(Record.learner),
        "by_kind": _counts(Record.kind),
    }


def _counts(column) -> dict:
    n = peewee.fn.COUNT(Record.arrival)
    rows = Record.select(column, n.alias("n")).group_by(column).order_by(column).tuples()
    return dict(rows)
