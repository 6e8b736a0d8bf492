"""Status reports (wire/health.py) for the hub's edge-health tests: a valid one, changed as a test needs."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

from wire.records import timestamp


def at(**delta) -> str:
    """A timestamp this far from now (at(days=-1): a day ago)."""
    return timestamp(datetime.now(UTC) + timedelta(**delta))


def sample_report(edge_id: str = "edge-1", *, records: int = 0, alarms: list | None = None, **sections) -> dict:
    report = {
        "format": 1, "edge_id": edge_id, "sent_at": at(),
        "software": {"version": "0.1.0", "started_at": at(hours=-2), "uptime_s": 7200.0},
        "alarms": alarms or [],
        "outbox": {"records": records, "bytes": records * 300, "oldest": at(minutes=-1) if records else None,
                   "batches": 1 if records else 0},
        "last_delivery": at(minutes=-1), "clock_skew_s": 0.3,
        "disk": {"free_bytes": 40 * 2**30, "total_bytes": 64 * 2**30},
        "certificates": {"edge_client": at(days=20), "server": at(days=80), "tablet_ca": at(days=3000),
                         "crl": at(days=13)},
        "tablets": {"enrolled": 50, "active_24h": 41, "revoked": 2},
        "courses": [{"course": "maths-one", "status": "completed", "stage": None, "version": 3, "current": 3,
                     "last_sync": at(minutes=-10), "last_error": None}],
    }
    for key, value in sections.items():
        report[key] = copy.deepcopy(value)
    return report
