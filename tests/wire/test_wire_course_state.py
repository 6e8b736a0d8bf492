"""A SCORM attempt's resume state as it travels (wire/course_state.py): a record the edge takes from a tablet,
bounded so it fits a record and a phone sync, and which of two states is the newer."""

from __future__ import annotations

import pytest

from wire import course_state
from wire.record_rules import check_tablet_record
from wire.records import KINDS, MAX_RECORD_BYTES, TABLET_KINDS, RecordError, new_record

ATTEMPT = "6f1d3c1e-8a41-4f59-9d0e-3b7f2a1c5e90"


def state(**change) -> dict:
    made = {"course": "maths-1", "version": 2, "item": "unit-1", "attempt": ATTEMPT, "scorm": "1.2", "seq": 3,
            "updated": "2026-12-08T01:00:00.000Z", "done": False,
            "values": {"cmi.core.lesson_location": "page-3", "cmi.suspend_data": "q1=a"}}
    return {**made, **change}


def test_a_tablet_sends_a_resume_state_the_edge_takes():
    assert course_state.KIND in TABLET_KINDS and KINDS[course_state.KIND] == KINDS["progress_statement"]
    assert check_tablet_record(new_record(course_state.KIND, "L-0042", 1, state())) == ()


@pytest.mark.parametrize(("change", "says"), [
    ({"values": {"cmi.core.student_id": "L-1"}}, "keeps to resume"),
    ({"values": {"cmi.location": "p1"}}, "keeps to resume"),  # a 2004 element in a 1.2 state
    ({"values": {"cmi.suspend_data": 3}}, "as strings"),
    ({"attempt": "not-a-uuid"}, "'attempt'"),
    ({"seq": 0}, "'seq'"),
    ({"scorm": "1.3"}, "'scorm'"),
    ({"updated": "yesterday"}, "'updated'"),
    ({"course": "Maths 1"}, "'course'"),
])
def test_a_state_that_breaks_a_rule_is_refused_saying_which(change, says):
    with pytest.raises(RecordError) as refused:
        check_tablet_record(new_record(course_state.KIND, "L-0042", 1, state(**change)))
    assert refused.value.code == "bad_schema" and says in refused.value.reason


def test_a_state_too_large_to_travel_is_refused_and_the_largest_taken_fits_a_record():
    too_big = state(scorm="2004", values={"cmi.suspend_data": "x" * 64000})
    with pytest.raises(RecordError) as refused:
        course_state.check(too_big)
    assert refused.value.code == "too_large" and "resumes on the device that made it" in refused.value.reason
    fits = state(values={"cmi.suspend_data": "x" * (course_state.MAX_PAYLOAD_BYTES - 400)})
    course_state.check(fits)
    assert len(new_record(course_state.KIND, "L-0042", 1, fits).to_json()) < MAX_RECORD_BYTES


def test_the_newer_state_is_the_later_one_of_an_attempt_else_the_later_time():
    early, later = state(seq=3, updated="2026-12-08T02:00:00.000Z"), state(seq=4, updated="2026-12-08T01:00:00.000Z")
    assert course_state.newer(later, early) and not course_state.newer(early, later)  # a clock put back
    other = state(attempt="0f8fad5b-d9cb-469f-a165-70867728950e", seq=1, updated="2026-12-09T00:00:00.000Z")
    assert course_state.newer(other, early)
