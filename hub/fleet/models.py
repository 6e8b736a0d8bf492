"""The table of edges' status reports: the last EDGE_REPORTS_KEPT of each edge (hub/fleet/store.py)."""

from __future__ import annotations

import peewee

from hub.db import proxy


class EdgeReport(peewee.Model):
    """One status report as an edge sent it (wire/health.py), with the hub's time of arrival and, for the
    history, its backlog beside it."""

    edge_id = peewee.CharField(max_length=64)
    received_at = peewee.CharField(max_length=40)
    """The hub's clock when it arrived: what silence is measured from."""
    sent_at = peewee.CharField(max_length=40)
    """The edge's clock when it sent it."""
    backlog_records = peewee.BigIntegerField()
    backlog_bytes = peewee.BigIntegerField()
    report = peewee.TextField()
    """The validated report, as JSON text."""

    class Meta:
        database = proxy
        table_name = "edge_report"
        indexes = ((("edge_id", "id"), False),)


MODELS = [EdgeReport]
