"""The status report format (wire/health.py): a report an edge makes passes, and what the hub refuses is
named by its field."""

from __future__ import annotations

import json

import pytest

from wire import health

REPORT = {
    "format": 1, "edge_id": "edge-1", "sent_at": "2026-12-07T15:00:00.000Z",
    "software": {"version": "0.1.0", "started_at": "2026-12-07T13:00:00.000Z", "uptime_s": 7200},
    "alarms": [{"code": "clock_skew", "since": "2026-12-07T14:00:00.000Z", "message": "m", "what_to_do": "w"}],
    "outbox": {"records": 3, "bytes": 900, "oldest": "2026-12-07T14:59:00.000Z", "batches": 1},
    "last_delivery": None, "clock_skew_s": None,
    "disk": {"free_bytes": 10, "total_bytes": 100},
    "certificates": {"edge_client": None, "server": None, "tablet_ca": None, "crl": None},
    "tablets": {"enrolled": 0, "active_24h": 0, "revoked": 0},
    "courses": [],
}


def test_a_complete_report_passes_as_it_was_sent():
    assert health.parse(health.dumps(REPORT).encode()) == {**REPORT, "software": {**REPORT["software"],
                                                                                   "uptime_s": 7200.0}}


@pytest.mark.parametrize("path, value, field", [
    (("software", "uptime_s"), True, "software.uptime_s"),
    (("software", "uptime_s"), float("nan"), "software.uptime_s"),
    (("disk", "free_bytes"), 2**60, "disk.free_bytes"),
    (("edge_id",), "Edge One", "edge_id"),
    (("alarms",), [{"code": "", "since": "2026-12-07T14:00:00.000Z", "message": "m", "what_to_do": "w"}],
     "alarms[0].code"),
    (("certificates", "crl"), "2026-13-01T00:00:00Z", "certificates.crl"),
    (("outbox",), [], "outbox"),
])
def test_a_wrong_value_is_named_by_its_field(path, value, field):
    report = json.loads(json.dumps(REPORT))
    target = report
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(health.HealthReportError) as caught:
        health.validate(report)
    assert caught.value.field == field and caught.value.code == "bad_report"


def test_a_body_too_large_or_not_json_is_refused():
    with pytest.raises(health.HealthReportError, match="at most 65536"):
        health.parse(b" " * (health.MAX_REPORT_BYTES + 1))
    with pytest.raises(health.HealthReportError, match="not JSON"):
        health.parse(b"[1, 2")
    with pytest.raises(health.HealthReportError, match="must be a JSON object"):
        health.parse(b"[]")


def test_a_report_too_large_is_cut_to_fit_keeping_every_alarm():
    alarm = {"code": "clock_skew", "since": "2026-12-07T14:00:00.000Z", "message": "m" * 1000, "what_to_do": "w" * 1000}
    course = {"course": "maths-one", "status": "errored", "stage": "fetch", "version": 3, "current": 2,
              "last_sync": None, "last_error": "e" * 1000}
    huge = {**REPORT, "alarms": [alarm] * health.MAX_ALARMS, "courses": [course] * health.MAX_COURSES}
    assert health.size(huge) > health.MAX_REPORT_BYTES

    cut = health.fit(huge)

    assert health.size(cut) <= health.MAX_REPORT_BYTES and health.validate(cut) == cut
    assert len(cut["alarms"]) == health.MAX_ALARMS and 0 < len(cut["courses"]) < health.MAX_COURSES
    assert cut["alarms"][0]["message"] == "m" * 199 + "…"
    assert health.fit(REPORT) is REPORT
