"""wire.course_refusal: the payload of a refused SCORM value sent on for support, its id and its advice."""

from __future__ import annotations

import uuid

import pytest

from wire import course_refusal
from wire.record_rules import check_tablet_record
from wire.records import KINDS, TABLET_KINDS, RecordError, new_record

ATTEMPT = "6f1d3c1e-8a41-4f59-9d0e-3b7f2a1c5e90"
GOOD = course_refusal.payload(course="first-aid", version=3, item="unit-2", attempt=ATTEMPT,
                              element="cmi.core.score.raw", value="120", error_code="405",
                              reason="cmi.core.score.raw (120) must be from cmi.core.score.min (0) to max (100)")


def test_a_tablet_may_send_a_refusal_and_it_travels_after_learners_work():
    assert "course_refusal" in TABLET_KINDS and KINDS["course_refusal"] >= KINDS["assignment_submission"]
    record = new_record("course_refusal", "L-0042", 1, GOOD,
                        record_id=course_refusal.refusal_id(ATTEMPT, "cmi.core.score.raw", "120"))
    assert check_tablet_record(record) == ()


def test_the_same_value_refused_again_in_an_attempt_is_one_record_and_another_value_a_new_one():
    first = course_refusal.refusal_id(ATTEMPT, "cmi.core.score.raw", "120")
    assert first == course_refusal.refusal_id(ATTEMPT, "cmi.core.score.raw", "120")
    assert first != course_refusal.refusal_id(ATTEMPT, "cmi.core.score.raw", "121")
    assert first != course_refusal.refusal_id(str(uuid.uuid4()), "cmi.core.score.raw", "120")
    assert first == str(uuid.uuid5(uuid.UUID(ATTEMPT), "refusal/cmi.core.score.raw/120"))  # as the app makes it


def test_a_long_value_is_cut_to_its_limit_with_an_ellipsis():
    made = course_refusal.payload(**{**GOOD, "value": "x" * 1000, "reason": "r" * 1000})
    assert len(made["value"]) == course_refusal.MAX_VALUE and made["value"].endswith("…")
    assert len(made["reason"]) == course_refusal.MAX_REASON
    assert course_refusal.problem(made) is None
    assert course_refusal.problem(GOOD | {"version": None, "value": ""}) is None  # no version known; an empty value
    assert course_refusal.problem(GOOD | {"error_code": "too_large"}) is None  # the player's own refusal


@pytest.mark.parametrize(("change", "said"), [
    ({"extra": 1}, "unknown field(s): extra"),
    ({"course": "First Aid"}, "'course' is a course slug"),
    ({"version": 0}, "'version' is the course version"),
    ({"version": "3"}, "'version' is the course version"),
    ({"item": ""}, "'item' is the item's id"),
    ({"item": "unit\u202e2"}, "no control characters"),
    ({"attempt": ATTEMPT.upper()}, "'attempt' is the attempt's UUID"),
    ({"element": "score"}, "'element' is a SCORM data model element"),
    ({"element": "cmi.core score"}, "'element' is a SCORM data model element"),
    ({"value": "x" * 256}, "at most 255 characters (cut a longer one)"),
    ({"value": 120}, "'value' is the refused value as a string"),
    ({"error_code": 405}, "'error_code' is the SCORM error code"),
    ({"error_code": "Too Large"}, "'error_code' is the SCORM error code"),
    ({"reason": ""}, "'reason' says why"),
])
def test_a_bad_payload_is_refused_naming_what_to_send(change, said):
    with pytest.raises(RecordError) as caught:
        course_refusal.check(GOOD | change, "rid")
    assert caught.value.code == "bad_schema" and said in caught.value.reason and caught.value.record_id == "rid"
    assert caught.value.reason.startswith("a course_refusal payload: ")


def test_a_missing_field_is_named():
    with pytest.raises(RecordError, match=r"missing field\(s\): attempt, version"):
        course_refusal.check({k: v for k, v in GOOD.items() if k not in ("attempt", "version")})


@pytest.mark.parametrize(("element", "said"), [
    ("cmi.core.score.raw", "a score outside its own range"),
    ("cmi.score.scaled", "a score outside its own range"),
    ("cmi.core.session_time", "a time that is not in SCORM's format"),
    ("cmi.interactions.3.latency", "a time"),
    ("cmi.completion_status", "a status SCORM does not have"),
    ("cmi.interactions.0.type", "a question or answer"),
    ("cmi.suspend_data", "a value SCORM does not allow"),
])
def test_the_advice_says_what_went_wrong_and_to_tell_the_courses_author(element, said):
    text = course_refusal.advice(element)
    assert said in text and "Tell the course's author" in text and "they need do nothing" in text


def test_the_advice_for_a_place_too_large_to_travel_says_it_resumes_on_the_tablet_only():
    text = course_refusal.advice("cmi.suspend_data", "too_large")
    assert "resumes on this tablet only, not on their phone after release" in text
