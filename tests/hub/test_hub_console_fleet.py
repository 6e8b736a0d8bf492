"""The admin console's fleet pages: the overview (every edge worst first, rated in words, with a backlog
sparkline), an edge's page (its full last report, alarms with what to do, backlog history), and revoking
an edge from it (a request a second admin approves, with ADMIN_APPROVALS on). Edges enrol through the
real service and post their reports to POST /v1/edge/health as an edge does."""

from __future__ import annotations

import html
import json
import re

import consolekit
import pytest
from consolekit import BASE, login, make_admin, post
from healthkit import at, sample_report
from hubkit import enrol_edge, make_instance

from hub import db
from hub.app import create_app
from hub.approvals import service as approvals
from hub.audit import trail
from hub.console import charts
from hub.enrolment import edges
from hub.fleet.models import EdgeReport
from hub.ingest.storage import utc_now

console_app, admins, as_role = consolekit.console_app, consolekit.admins, consolekit.as_role

CRL_ALARM = {"code": "crl_expiring", "since": "2026-12-07T14:00:00.000Z",
             "message": "the tablet CRL runs out in 1 day, 2:00:00: when it does, no tablet can connect",
             "what_to_do": "The tablet CRL is not being re-issued: read the edge log (journalctl -u throughgate-edge)"}
SKEW_ALARM = dict(CRL_ALARM, code="clock_skew", what_to_do="Check the edge's time source (chrony)")


def report_as(app, edge, report: dict) -> None:
    answer = app.test_client().post("/v1/edge/health", json=report, environ_base=edge.environ)
    assert answer.status_code == 200, answer.get_json()


@pytest.fixture(scope="module")
def fleet(console_app):
    """Five edges: one red for its CRL, one silent for 40 minutes, one amber, one green with a backlog
    history, and one green to revoke."""
    with console_app.app_context(), db.proxy.connection_context():
        enrolled = {name: enrol_edge(console_app, name) for name in
                    ("edge-crl", "edge-quiet", "edge-skew", "edge-well", "edge-gone")}
    soon = at(days=1)
    report_as(console_app, enrolled["edge-crl"], sample_report("edge-crl", records=7, alarms=[CRL_ALARM], certificates={
        "edge_client": at(days=20), "server": at(days=80), "tablet_ca": at(days=3000), "crl": soon}))
    report_as(console_app, enrolled["edge-quiet"], sample_report("edge-quiet"))
    with console_app.app_context(), db.proxy.connection_context():
        EdgeReport.update(received_at=at(minutes=-40)).where(EdgeReport.edge_id == "edge-quiet").execute()
    report_as(console_app, enrolled["edge-skew"], sample_report("edge-skew", alarms=[SKEW_ALARM]))
    for records in (0, 30, 52, 40):
        report_as(console_app, enrolled["edge-well"], sample_report("edge-well", records=records))
    report_as(console_app, enrolled["edge-gone"], sample_report("edge-gone"))
    return enrolled


def page(client, path: str, status: int = 200) -> str:
    answer = client.get(path, base_url=BASE)
    assert answer.status_code == status, answer.get_data(as_text=True)[:2000]
    return answer.get_data(as_text=True)


def text_of(markup: str) -> str:
    """What a reader sees: tags gone, entities decoded, white space folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def rows(markup: str) -> list[str]:
    body = markup.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [text_of(row) for row in body.split("<tr>")[1:]]


def test_the_overview_lists_every_edge_worst_first_with_its_rating_in_words(fleet, as_role):
    markup = page(as_role("fleet"), "/admin/fleet")

    listed = {row.split()[0]: row for row in rows(markup)}
    order = [name for name in listed if name != "edge-gone"]
    assert order == ["edge-crl", "edge-quiet", "edge-skew", "edge-well"]
    assert listed["edge-crl"].split()[1] == "red" and "alarm crl_expiring" in listed["edge-crl"]
    assert listed["edge-skew"].split()[1] == "amber" and "alarm clock_skew" in listed["edge-skew"]
    assert listed["edge-well"].split()[1] == "green" and "0.1.0" in listed["edge-well"]
    assert "40 records" in listed["edge-well"] and "oldest waiting 1 min" in listed["edge-well"]
    top = text_of(markup.split('class="fleet-counts"', 1)[1].split("</p>", 1)[0])
    assert "2 red" in top and "1 amber" in top


def test_a_silent_edge_shows_red_and_for_how_long(fleet, as_role):
    row = next(r for r in rows(page(as_role("fleet"), "/admin/fleet")) if r.startswith("edge-quiet"))
    assert row.split()[1] == "red" and "silent for 40 min" in row


def test_each_edge_has_a_backlog_sparkline_labelled_in_words(fleet, as_role):
    markup = page(as_role("auditor"), "/admin/fleet")
    assert ('<svg class="chart spark" role="img" aria-label="edge-well: backlog over the last 4 reports: first 0, '
            'last 40, most 52 records waiting"') in markup
    assert "<polyline" in markup


def test_an_edge_page_shows_its_crl_alarm_with_what_to_do(fleet, as_role):
    markup = page(as_role("content"), "/admin/edges/edge-crl")
    shown = text_of(markup)

    assert "Edge edge-crl red" in shown
    alarms = rows(markup.split('class="alarms"', 1)[1])
    [alarm] = alarms
    assert alarm.startswith("crl_expiring 2026-12-07 14:00 UTC ")
    assert alarm.endswith(f"ago {CRL_ALARM['message']} {CRL_ALARM['what_to_do']}")
    assert re.search(r"The tablet CRL runs out \d{4}-\d\d-\d\d \d\d:\d\d UTC \(in 2\d h \d+ min\)", shown)
    assert "alarm crl_expiring" in shown and "the tablet CRL runs out at" in shown  # the reasons for its rating
    assert "7 records" in shown and "2100 bytes" in shown and "1 sealed batch" in shown
    assert "50 enrolled, 41 active in the last 24 h, 2 revoked" in shown
    assert "Software version 0.1.0" in shown and "Clock skew +0.3 s (hub minus edge)" in shown
    assert "maths-one completed 3 3" in shown
    assert "Free disk 40.0 GiB of 64.0 GiB (62 %)" in shown


def test_an_edge_page_charts_the_kept_history_and_lists_the_recent_reports(fleet, as_role):
    markup = page(as_role("fleet"), "/admin/edges/edge-well")
    shown = text_of(markup)

    label = "edge-well: backlog over the last 4 reports: first 0, last 40, most 52 records waiting"
    assert f'<svg class="chart backlog" role="img" aria-label="{label}"' in markup
    assert "4 reports kept for this edge (the hub keeps the newest 2016 of each edge" in shown
    history = rows(markup.split("newest first</caption>", 1)[1])
    assert [row.split()[-2:] for row in history] == [["40", "12000"], ["52", "15600"], ["30", "9000"], ["0", "0"]]
    assert "All well" in shown


def test_an_unknown_edge_is_a_404_page_saying_so(fleet, as_role):
    shown = text_of(page(as_role("fleet"), "/admin/edges/edge-nowhere", 404))
    assert "No edge edge-nowhere at this hub" in shown


def test_revoking_without_ticking_the_box_changes_nothing_and_says_why(fleet, console_app, as_role):
    answer = post(as_role("fleet"), "/admin/edges/edge-skew/revoke", {}, page="/admin/edges/edge-skew")

    assert answer.status_code == 400
    assert "tick the box" in text_of(answer.get_data(as_text=True))
    with console_app.app_context(), db.proxy.connection_context():
        assert edges.find("edge-skew").status == "active"
        assert approvals.blocking("edges.revoke", "edge-skew", utc_now()) is None


def test_the_content_role_sees_the_fleet_but_may_not_revoke(fleet, console_app, as_role):
    client = as_role("content")
    assert "Ask to revoke" not in page(client, "/admin/edges/edge-gone")
    answer = post(client, "/admin/edges/edge-gone/revoke", {"confirm": "yes"}, page="/admin/edges/edge-gone")
    assert answer.status_code == 403
    with console_app.app_context(), db.proxy.connection_context():
        assert edges.find("edge-gone").status == "active"
        refused = [(e["target"], e["outcome"]) for e in trail.entries()
                   if e["action"] == "edges.revoke" and e["actor"] == "content-admin"]
        assert refused == [("edge-gone", "refused: role may not")]


def test_revoking_waits_for_a_second_admin_who_approves_it(fleet, console_app, as_role, admins):
    client = as_role("fleet")

    answer = post(client, "/admin/edges/edge-gone/revoke", {"confirm": "yes"}, page="/admin/edges/edge-gone")

    assert answer.status_code == 302
    shown = text_of(page(client, answer.headers["Location"]))
    with console_app.app_context(), db.proxy.connection_context():
        asked = approvals.blocking("edges.revoke", "edge-gone", utc_now())
        assert asked is not None and asked.status == "pending" and asked.requested_by == "fleet-admin"
        assert edges.find("edge-gone").status == "active"
        audited = [e for e in trail.entries() if e["action"] == "edges.revoke" and e["actor"] == "fleet-admin"]
        assert [(e["actor"], e["outcome"], json.loads(e["detail"])["approval"]) for e in audited] == [
            ("fleet-admin", "pending approval", asked.id)]
    assert f"waiting for a second admin (request {asked.id})" in shown

    with console_app.app_context(), db.proxy.connection_context():
        approvals.approve(asked.id, "security-admin", "security", utc_now(), console_app.config["SEALING_KEY_FILE"])

    shown = text_of(page(client, "/admin/edges/edge-gone"))
    assert "Edge edge-gone revoked" in shown and "is revoked since" in shown and "Ask to revoke" not in shown
    row = next(r for r in rows(page(client, "/admin/fleet")) if r.startswith("edge-gone"))
    assert row.split()[1] == "revoked"


@pytest.fixture
def approvals_off(tmp_path, console_app):
    """A second hub, ADMIN_APPROVALS off and no edges yet, with a fleet admin logged in: (app, client).
    The models' database is bound to it for the test, then back to this module's console_app."""
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'hub.db'}", "ADMIN_APPROVALS": False},
                     instance_path=make_instance(tmp_path / "hub"))
    try:
        with app.app_context():
            db.migrate()
        client = app.test_client()
        assert login(app, client, make_admin(app, "solo-admin", "fleet")).status_code == 302
        yield app, client
    finally:
        db.release()
        db.bind(console_app.config["DATABASE_URL"])


def test_with_no_edges_the_overview_says_how_to_enrol_one(approvals_off):
    _app, client = approvals_off
    empty = text_of(page(client, "/admin/fleet"))
    assert "No edges yet." in empty and "throughgate hub tokens create EDGE_ID --instance DIR" in empty


def test_with_approvals_off_revoking_takes_effect_at_once(approvals_off):
    app, client = approvals_off
    with app.app_context(), db.proxy.connection_context():
        enrol_edge(app, "edge-1")

    answer = post(client, "/admin/edges/edge-1/revoke", {"confirm": "yes"}, page="/admin/edges/edge-1")

    assert answer.status_code == 302
    assert "Edge edge-1 is revoked: the hub refuses it" in text_of(page(client, answer.headers["Location"]))
    with app.app_context(), db.proxy.connection_context():
        assert edges.find("edge-1").status == "revoked"
        assert [e["outcome"] for e in trail.entries() if e["action"] == "edges.revoke"] == ["ok"]


def test_a_long_history_is_charted_with_its_peak_and_labelled_in_words():
    backlog = [0] * 1000 + [900] + [5] * 1015  # a week of reports, one spike

    chart = str(charts.backlog_chart(backlog, ["2026-12-01 00:00 UTC", "2026-12-07 23:55 UTC"], "edge-1: backlog"))

    points = re.search(r'<polyline[^>]* points="([^"]+)"', chart).group(1).split()
    assert len(points) == charts.MOST_POINTS
    assert min(float(p.split(",")[1]) for p in points) == charts.PAD_TOP  # the spike reaches the top
    assert '<text x="50" y="16" text-anchor="end">900</text>' in chart and "2026-12-07 23:55 UTC" in chart
    assert charts.describe(backlog) == "backlog over the last 2016 reports: first 0, last 5, most 900 records waiting"
