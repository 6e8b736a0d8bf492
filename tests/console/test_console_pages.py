"""What the course, health and progress pages show, and the console's systemd unit on the box."""

from __future__ import annotations

from pathlib import Path

from edge import store
from edge.box import render, site
from edge.courses import catalogue, progress
from edge.intake import observers
from tests.console.consolekit import statement
from wire import xapi
from wire.records import new_record

EXAMPLE_SITE = Path(__file__).resolve().parents[2] / "firmware-config" / "examples" / "site.toml"


def test_the_courses_page_shows_the_course_caches_sync_state(app, staff):
    catalogue.set_state("algebra-1", status="errored", stage="download", version=3, current=2, bytes_done=100,
                        bytes_total=400, files_done=1, files_total=4, last_error="hub unreachable: try again")
    page = staff["ivan"].get("/courses/").get_data(as_text=True)
    assert "algebra-1" in page and "errored" in page and "hub unreachable: try again" in page
    assert "1 / 4" in page and "100 bytes / 400 bytes" in page and "v2" in page


def test_health_shows_the_backlog_last_delivery_and_open_alarms(app, staff):
    with store.writing():
        store.raise_alarm("hub_unreachable", "the hub did not answer: check the uplink")
    try:
        page = staff["tina"].get("/health/").get_data(as_text=True)
        assert "hub_unreachable" in page and "check the uplink" in page and "never" in page
        assert "Waiting for the hub" in page
    finally:
        with store.writing():
            store.clear_alarm("hub_unreachable")


def test_progress_pages_chart_units_and_scores_as_inline_svg(app, staff):
    for unit, score in (("unit-1", 0.6), ("unit-2", 1.0)):
        statement("L-A1", f"chart-1/{unit}", score=score)
    page = staff["tina"].get("/progress/learner/L-A1").get_data(as_text=True)
    assert page.count("<svg") == 1 and "chart-1/unit-2: 100 %" in page
    klass = staff["tina"].get("/progress/class/A").get_data(as_text=True)
    assert klass.count("<svg") == 2 and "L-A1" in klass and "L-B1" not in klass


def test_the_box_runs_the_console_as_its_own_hardened_unit():
    unit = render.render(site.load(EXAMPLE_SITE), "site.toml")["systemd/throughgate-console.service"]
    assert "ExecStart=/opt/throughgate/venv/bin/throughgate edge console --instance /var/lib/throughgate/edge" in unit
    assert "User=throughgate" in unit and "NoNewPrivileges=yes" in unit and "CapabilityBoundingSet=\n" in unit
    assert "After=network-online.target throughgate-mosquitto.service throughgate-edge.service" in unit


def test_an_enrolment_code_comes_with_its_qr_code_and_offer(app, staff):
    page = staff["ivan"].post("/tablets/code", {"device": "tab-0700"}).get_data(as_text=True)
    assert "Enrolment code for tab-0700" in page and "throughgate-enrol:?edge=edge-1&amp;device=tab-0700" in page
    assert page.count("<svg") == 1 and "<path" in page
    refused = staff["ivan"].post("/tablets/code", {"device": "Not A Device"})
    assert refused.status_code == 400 and "Device id: lower-case letters" in refused.get_data(as_text=True)


def test_the_courses_page_shows_a_learner_part_way_as_soon_as_their_statement_arrives(app, staff):
    """course_progress is filled at each sync; the page takes in what arrived since, before it reads."""
    catalogue.set_state("fractions-1", status="synced", version=1, current=1)
    statement_ = xapi.statement("L-A1", "attempted", xapi.activity_id("fractions-1", "welcome"),
                                context={"extensions": {progress.VERSION_EXTENSION: 1}})
    record = new_record("progress_statement", "L-A1", 900, statement_, record_id=statement_["id"])
    body = record.to_json().decode()
    observers.commit([{"id": record.id, "device": "tab-0001", "seq": 900, "kind": record.kind,  # as the relay does
                       "priority": record.priority, "learner": "L-A1", "created": record.created,
                       "received": store.utcnow(), "size": len(body), "body": body}], [progress.Inbox()])
    page = staff["ivan"].get("/courses/").get_data(as_text=True)
    row = page[page.index("fractions-1"):]
    assert "<td>1 (0)</td>" in row[:row.index("</tr>")]
