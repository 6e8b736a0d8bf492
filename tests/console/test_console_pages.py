"""What the course, refused values, health and progress pages show, and the console's systemd unit on the box.

Refused values (/courses/refusals): values courses sent that learners' tablets refused, newest first, by course
and learner, with the value, why and what to do; tutors see their learners' only, the manager all, IT staff all
without whose or the value."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from edge import store
from edge.box import render, site
from edge.console import learning
from edge.courses import catalogue, progress
from edge.intake import observers
from edge.intake.rules import Arrived, triage
from tests.console.consolekit import refusal, statement
from wire import course_refusal, topics, xapi
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


@pytest.fixture(scope="module")
def refused(app):
    return {"old": refusal("L-A1", received="2026-12-01T09:00:00.000Z"),
            "new": refusal("L-A1", course="first-aid", element="cmi.core.session_time", value="5 minutes",
                           reason="cmi.core.session_time '5 minutes' is not a CMITimespan (HHHH:MM:SS.SS)",
                           received="2026-12-02T09:00:00.000Z"),
            "other": refusal("L-B1", value="999", reason="cmi.core.score.raw (999) must be from 0 to 100",
                             received="2026-12-01T10:00:00.000Z")}


def _rows(page: str) -> list[str]:
    return [chunk.split("</tr>")[0] for chunk in page.split("<tbody>")[1].split("<tr>")[1:]]


def test_a_tutor_sees_their_learners_refusals_newest_first_with_the_value_why_and_what_to_do(staff, refused):
    page = staff["tina"].get("/courses/refusals").get_data(as_text=True)
    rows = _rows(page)
    assert len(rows) == 2 and "first-aid" in rows[0] and "algebra-1" in rows[1]  # newest first
    assert "5 minutes" in rows[0] and "is not a CMITimespan" in rows[0] and "a time that is not in SCORM" in rows[0]
    assert "120" in rows[1] and "a score outside its own range" in rows[1] and "Tell the course&#39;s author" in rows[1]
    assert "L-A1" in rows[0] and "999" not in page  # another class's learner: not shown


def test_the_manager_sees_every_refusal_and_can_pick_a_course(staff, refused):
    assert len(_rows(staff["mary"].get("/courses/refusals").get_data(as_text=True))) == 3
    page = staff["mary"].get("/courses/refusals?course=algebra-1").get_data(as_text=True)
    assert len(_rows(page)) == 2 and "first-aid" not in "".join(_rows(page))
    assert 'aria-current="page">algebra-1 (2)' in page


def test_it_staff_see_each_refusal_but_not_whose_it_was_nor_the_value(staff, refused):
    page = staff["ivan"].get("/courses/refusals").get_data(as_text=True)
    rows = _rows(page)
    assert len(rows) == 3
    assert "L-A1" not in page and "L-B1" not in page and "5 minutes" not in page and "999" not in page
    assert "cmi.core.session_time &#39;[value hidden]&#39; is not a CMITimespan" in rows[0]
    assert "a time that is not in SCORM" in rows[0]


def test_a_tutor_with_no_refusals_in_a_course_is_told_so(staff, refused):
    page = staff["tom"].get("/courses/refusals?course=first-aid").get_data(as_text=True)
    assert "No value has been refused in first-aid for your learners" in page


def test_a_refusal_the_relay_commits_is_on_the_page_once_however_often_the_tablet_sends_it(staff, app):
    attempt = "0b8f0b52-3a2b-4c3e-9a57-2f4f6f1e2d11"
    payload = course_refusal.payload(course="welding-1", version=1, item="unit-3", attempt=attempt,
                                     element="cmi.core.lesson_status", value="done", error_code="405",
                                     reason="cmi.core.lesson_status 'done' is not one of passed, failed")
    raw = new_record("course_refusal", "L-A1", 7, payload,
                     record_id=course_refusal.refusal_id(attempt, "cmi.core.lesson_status", "done")).to_json()
    message = Arrived(topics.up("tab-0001"), raw, 1, 1)
    out = triage([message, message], known=set(), highest={}, room=10**6, received="2026-12-03T09:00:00.000Z",
                 quota_retry_s=30)
    assert not out.refusals and len(out.rows) == 1 and out.acks["tab-0001"] == [out.rows[0]["id"]] * 2
    with store.writing():
        learning.keep(out.rows)
    page = staff["mary"].get("/courses/refusals?course=welding-1").get_data(as_text=True)
    assert len(_rows(page)) == 1 and "a status SCORM does not have" in page


def test_a_bad_refusal_is_refused_by_the_relay_saying_what_to_send():
    bad = {"course": "welding-1", "element": "cmi.core.lesson_status"}
    record = new_record("message", "L-A1", 1, {}).to_dict() | {"kind": "course_refusal", "payload": bad}
    raw = json.dumps(record).encode()  # as a tablet that skipped the check would send it
    out = triage([Arrived(topics.up("tab-0001"), raw, 1, 1)], known=set(), highest={}, room=10**6,
                 received="2026-12-03T09:00:00.000Z", quota_retry_s=30)
    assert not out.rows and out.refusals[0].code == "bad_schema"
    assert "a course_refusal payload: missing field(s): attempt, error_code" in out.refusals[0].reason
