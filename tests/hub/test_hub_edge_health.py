"""POST /v1/edge/health and what the hub's admins read from it (`hub edges health`, `hub edges show`), on
SQLite and PostgreSQL: a report is stored and printed, a bad one is refused with its reason and stores
nothing, the history stays bounded."""

from __future__ import annotations

import json

import pytest
from healthkit import at, sample_report

from hub import cli, db
from hub.fleet import store
from hub.fleet.models import EdgeReport
from wire import health


def post(client, edge, body, raw: bytes | None = None):
    if raw is not None:
        return client.post("/v1/edge/health", data=raw, content_type="application/json",
                           environ_base=edge.environ if edge else {})
    return client.post("/v1/edge/health", json=body, environ_base=edge.environ if edge else {})


def stored(edge_id: str = "edge-1") -> int:
    with db.proxy.connection_context():
        return store.count(edge_id)


@pytest.fixture
def hub_cli(app, instance, hub_db_url, monkeypatch, capsys):
    """hub_cli("edges", "show", "edge-1") -> (exit code, stdout, stderr), on the app's database."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("THROUGHGATE_HUB_DATABASE_URL", hub_db_url)

    def run(*args: str, silent_after_s: int | None = None) -> tuple[int, str, str]:
        if silent_after_s:
            monkeypatch.setenv("THROUGHGATE_HUB_EDGE_SILENT_AFTER_S", str(silent_after_s))
        code = cli.main([*args, "--instance", str(instance)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


CRL_ALARM = {"code": "crl_expiring", "since": "2026-12-07T14:00:00.000Z",
             "message": "the tablet CRL runs out in 1 day, 2:00:00: when it does, no tablet can connect",
             "what_to_do": "The tablet CRL is not being re-issued: read the edge log (journalctl -u throughgate-edge)"}


def test_a_report_is_stored_and_hub_edges_show_prints_it_with_each_alarms_what_to_do(client, edge, hub_cli):
    report = sample_report(records=40, alarms=[CRL_ALARM], certificates={
        "edge_client": at(days=20), "server": at(days=80), "tablet_ca": at(days=3000), "crl": at(days=1)})

    response = post(client, edge, report)

    assert response.status_code == 200 and response.get_json()["stored"] is True
    code, out, _ = hub_cli("edges", "show", "edge-1")
    assert code == 0
    assert out.startswith("edge edge-1: RED\n  - alarm crl_expiring\n  - the tablet CRL runs out at ")
    assert "  ! crl_expiring since 2026-12-07T14:00:00.000Z: the tablet CRL runs out in 1 day" in out
    assert "    what to do: The tablet CRL is not being re-issued: read the edge log" in out
    assert "outbox:         40 records, 12000 bytes, 1 sealed batches" in out
    assert "tablets:        50 enrolled, 41 active in the last 24 h, 2 revoked" in out
    assert "maths-one" in out and "completed" in out
    code, out, _ = hub_cli("edges", "show", "edge-1", "--json")
    assert json.loads(out)["report"] == report


def test_edges_health_lists_worst_first_with_the_reasons(client, make_edge, hub_cli):
    for name, alarms in (("edge-a", []), ("edge-b", [CRL_ALARM]), ("edge-c", [dict(CRL_ALARM, code="clock_skew")])):
        assert post(client, make_edge(name), sample_report(name, alarms=alarms)).status_code == 200

    code, out, _ = hub_cli("edges", "health")

    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["EDGE", "RATING", "LAST", "REPORT", "BACKLOG", "ALARMS", "WHY"]
    assert [line.split()[:2] for line in lines[1:]] == [["edge-b", "RED"], ["edge-c", "AMBER"], ["edge-a", "GREEN"]]
    assert "alarm crl_expiring" in lines[1] and "alarm clock_skew" in lines[2]


def test_an_edge_that_stopped_reporting_is_red_as_silent(client, edge, hub_cli):
    assert post(client, edge, sample_report()).status_code == 200
    with db.proxy.connection_context():
        EdgeReport.update(received_at=at(minutes=-20)).execute()

    code, out, _ = hub_cli("edges", "health", "--json", silent_after_s=600)

    [row] = json.loads(out)
    assert row["rating"] == "red" and row["reasons"] == ["silent for 20 min"]


BAD = {
    "a missing section": ({"tablets": None}, "tablets"),
    "an unknown key": ({"extra": 1}, "extra"),
    "a newer format": ({"format": 2}, "format"),
    "a negative backlog": ({"outbox": {"records": -1, "bytes": 0, "oldest": None, "batches": 0}}, "outbox.records"),
    "a number as text": ({"clock_skew_s": "3"}, "clock_skew_s"),
    "not a timestamp": ({"sent_at": "yesterday"}, "sent_at"),
    "too many alarms": ({"alarms": [CRL_ALARM] * (health.MAX_ALARMS + 1)}, "alarms"),
    "an overlong message": ({"alarms": [dict(CRL_ALARM, message="x" * (health.MAX_TEXT + 1))]},
                            "alarms[0].message"),
    "a course with an unknown status": ({"courses": [{"course": "m", "status": "fine", "stage": None, "version": 1,
                                                      "current": 1, "last_sync": None, "last_error": None}]},
                                        "courses[0].status"),
}


@pytest.mark.parametrize("change, field", BAD.values(), ids=BAD.keys())
def test_a_bad_report_is_refused_naming_the_field_and_stores_nothing(client, edge, change, field):
    report = sample_report()
    for key, value in change.items():
        if value is None:
            del report[key]
        else:
            report[key] = value

    response = post(client, edge, report)

    body = response.get_json()
    assert response.status_code == 400 and body["error"] == "bad_report" and body["field"] == field
    assert body["reason"].startswith(field) and "nothing was stored" in body["reason"]
    assert stored() == 0


def test_a_report_about_another_edge_is_refused(client, make_edge):
    edge = make_edge("edge-1")
    make_edge("edge-2")
    response = post(client, edge, sample_report("edge-2"))
    assert response.status_code == 403 and response.get_json()["error"] == "wrong_edge"
    assert stored("edge-1") == stored("edge-2") == 0


def test_not_json_and_too_large_are_refused(client, edge):
    assert post(client, edge, None, raw=b"{not json").get_json()["error"] == "bad_report"
    huge = post(client, edge, None, raw=b" " * (health.MAX_REPORT_BYTES + 1))
    assert huge.status_code == 413 and huge.get_json()["error"] == "too_large"
    assert stored() == 0


def test_a_report_without_a_client_certificate_is_refused(client):
    response = post(client, None, sample_report())
    assert response.status_code == 401 and response.get_json()["error"] == "client_certificate_required"


@pytest.mark.parametrize("hub_settings", [{"EDGE_REPORTS_KEPT": 5}])
def test_the_history_keeps_only_the_newest_reports_of_each_edge(client, make_edge, hub_cli):
    one, two = make_edge("edge-1"), make_edge("edge-2")
    for n in range(12):
        assert post(client, one, sample_report("edge-1", records=n)).status_code == 200
        if n % 4 == 0:
            assert post(client, two, sample_report("edge-2", records=100 + n)).status_code == 200

    assert stored("edge-1") == 5 and stored("edge-2") == 3
    with db.proxy.connection_context():
        assert [h.backlog_records for h in store.history("edge-1", 100)] == [7, 8, 9, 10, 11]
    code, out, _ = hub_cli("edges", "show", "edge-1", "--history", "3")
    assert code == 0 and "backlog over time (last 3 reports, oldest first):" in out
    assert [line.split()[1] for line in out.splitlines()[-3:]] == ["9", "10", "11"]
    code, out, _ = hub_cli("edges", "show", "edge-1", "--history", "1")
    assert code == 0 and "backlog over time (last 1 report, oldest first):" in out


def test_deep_nesting_is_refused_as_not_json(client, edge):
    response = post(client, edge, None, raw=b"[" * 30_000 + b"]" * 30_000)
    assert response.status_code == 400 and response.get_json()["error"] == "bad_report"
    assert stored() == 0


def test_text_from_an_edge_cannot_drive_the_admins_terminal(client, edge, hub_cli):
    sneaky = dict(CRL_ALARM, code="clock_skew", message="\x1b[2J\x1b]0;owned\x07fine", what_to_do="\u202eevil")
    assert post(client, edge, sample_report(alarms=[sneaky])).status_code == 200
    bad_name = sample_report(courses=[{"course": "m\x1b[31m", "status": "completed", "stage": None, "version": 1,
                                       "current": 1, "last_sync": None, "last_error": None}])
    assert post(client, edge, bad_name).get_json()["field"] == "courses[0].course"

    code, out, _ = hub_cli("edges", "show", "edge-1")

    assert code == 0 and "\x1b" not in out and "\u202e" not in out and "\x07" not in out
    assert "\\x1b[2J\\x1b]0;owned\\x07fine" in out and "what to do: \\u202eevil" in out


def test_showing_an_unknown_edge_says_how_to_list_them(app, hub_cli):
    code, out, err = hub_cli("edges", "show", "edge-nowhere")
    assert code == 1 and out == ""
    assert err.startswith("error: no edge edge-nowhere at this hub: `throughgate hub edges list` shows the edges")


def test_an_edge_that_never_reported_says_so(make_edge, hub_cli):
    make_edge("edge-1")
    code, out, _ = hub_cli("edges", "show", "edge-1")
    assert code == 0 and out.splitlines() == [
        "edge edge-1: AMBER", "  - no report yet",
        "no status report yet (an edge sends one at start and every uplink.report_interval_s)"]
