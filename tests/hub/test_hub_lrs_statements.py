"""hub.lrs.statements: which statement each kind of learning record becomes, and why a record
cannot be one."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.lrs.statements import to_statement
from wire import xapi
from wire.xapi import VERBS, XapiError

RECORD_ID = "0f0c1c8e-6a4e-4f43-9d64-0f8f7bb1e8a1"
SUBMISSION_ID = "5c3e0a52-1111-4c8e-9a36-4f1f6f1d2a10"
CREATED = "2026-11-26T20:10:00.000Z"


def record(kind: str, payload) -> dict:
    return {"id": RECORD_ID, "kind": kind, "learner": "L-0042", "created": CREATED, "payload": payload}


def carried(**changes) -> dict:
    made = xapi.statement("L-0042", "completed", xapi.activity_id("maths-1", "unit-1"), statement_id=RECORD_ID,
                          timestamp=CREATED)
    made.update(changes)
    return made


def test_a_progress_statement_is_forwarded_as_the_tablet_made_it():
    assert to_statement(record("progress_statement", carried())) == carried()


def test_a_carried_statement_without_a_timestamp_gets_the_records_created_time():
    statement = carried()
    del statement["timestamp"]
    assert to_statement(record("quiz_answer", statement))["timestamp"] == CREATED


def test_an_assignment_submission_is_submitted_with_its_activity_and_nothing_of_its_text():
    made = to_statement(record("assignment_submission", {"assignment": "essay-1", "course": "english-2",
                                                         "text": "private essay text", "attachments": []}))

    assert made == {"id": RECORD_ID, "timestamp": CREATED, "actor": xapi.agent("L-0042"),
                    "verb": {"id": VERBS["submitted"], "display": {"en-US": "submitted"}},
                    "object": {"objectType": "Activity", "id": "urn:throughgate:course:english-2/essay-1"}}


@pytest.mark.parametrize("payload, activity", [
    ({"assignment": "english-2/essay-1"}, "urn:throughgate:course:english-2/essay-1"),
    ({"assignment": "https://college.example/essay-1"}, "https://college.example/essay-1"),
    ({"assignment": "essay 1", "course": "english-2"}, "urn:throughgate:course:english-2/essay%201"),
])
def test_an_assignment_is_named_by_course_and_item_or_an_iri(payload, activity):
    assert to_statement(record("assignment_submission", payload))["object"]["id"] == activity


def test_a_console_mark_is_scored_on_the_submitted_statement_by_its_marker():
    made = to_statement(record("feedback", {"submission": SUBMISSION_ID, "assignment": "essay-1", "grade": "7/10",
                                            "feedback": "Good work.", "marker": "tutor-jones",
                                            "marked": CREATED}))

    assert made["verb"]["id"] == VERBS["scored"] and made["actor"] == xapi.agent("L-0042")
    assert made["object"] == {"objectType": "StatementRef", "id": SUBMISSION_ID}
    assert made["result"] == {"score": {"raw": 7.0, "min": 0, "max": 10.0, "scaled": 0.7},
                              "response": "Good work.", "extensions": {"urn:throughgate:grade": "7/10"}}
    assert made["context"] == {"instructor": {"objectType": "Agent", "account": {
        "homePage": "urn:throughgate:staff", "name": "tutor-jones"}}}


def test_feedback_on_a_known_course_names_the_activity_and_refers_to_the_submission():
    made = to_statement(record("feedback", {"assignment": "english-2/essay-1", "submission": SUBMISSION_ID,
                                            "score": 7, "max": 10}))

    assert made["object"]["id"] == "urn:throughgate:course:english-2/essay-1"
    assert made["context"] == {"statement": {"objectType": "StatementRef", "id": SUBMISSION_ID}}
    assert made["result"] == {"score": {"raw": 7, "min": 0, "max": 10, "scaled": 0.7}}


@pytest.mark.parametrize("grade, score", [
    ("70%", {"raw": 70.0, "min": 0, "max": 100, "scaled": 0.7}),
    ("B", None),
    ("Merit", None),
    ("11/10", None),
])
def test_a_grade_is_a_score_when_it_reads_as_one_and_always_travels_as_written(grade, score):
    made = to_statement(record("feedback", {"submission": SUBMISSION_ID, "grade": grade}))

    assert made["verb"]["id"] == VERBS["scored"]
    assert made["result"].get("score") == score
    assert made["result"]["extensions"] == {"urn:throughgate:grade": grade}


def test_feedback_without_a_grade_is_commented():
    made = to_statement(record("feedback", {"submission": SUBMISSION_ID, "feedback": "Say more."}))
    assert made["verb"]["id"] == VERBS["commented"] and made["result"] == {"response": "Say more."}


def test_an_award_is_earned_with_the_rule_that_earned_it():
    made = to_statement(record("award", {"badge": "first unit", "rule": "complete 1 unit of maths-1",
                                         "awarded": CREATED, "course": "maths-1"}))

    assert made["verb"]["id"] == VERBS["earned"]
    assert made["object"] == {"objectType": "Activity", "id": "urn:throughgate:award:first%20unit",
                              "definition": {"name": {"en-US": "first unit"},
                                             "description": {"en-US": "complete 1 unit of maths-1"}}}
    assert made["context"]["contextActivities"]["parent"] == [
        {"objectType": "Activity", "id": "urn:throughgate:course:maths-1"}]


@pytest.mark.parametrize("kind, payload, reason", [
    ("progress_statement", {"verb": "completed", "object": "maths-1/unit-1"}, "the statement has no 'id'"),
    ("progress_statement", carried(id=str(uuid.uuid4())), "is not its record's id"),
    ("progress_statement", carried(actor=xapi.agent("L-0107")), "actor is not the record's learner"),
    ("progress_statement", carried(actor={**xapi.agent("L-0042"), "name": "Jo Bloggs"}),
     "actor is not the record's learner"),
    ("quiz_answer", carried(result={"score": {"scaled": 2}}), "scaled must be between -1 and 1"),
    ("quiz_answer", ["not", "an", "object"], "payload must be a JSON object"),
    ("assignment_submission", {"text": "no assignment named"}, "names no assignment of a course"),
    ("assignment_submission", {"assignment": "essay-1"}, "names no assignment of a course"),
    ("feedback", {"assignment": "essay-1", "grade": "B"}, "names neither a 'submission' nor an assignment"),
    ("feedback", {"assignment": "english-2/essay-1", "score": "seven"}, "'score' must be a number"),
    ("feedback", {"assignment": "english-2/essay-1", "score": 7, "max": 0}, "'max' must be a number above 0"),
    ("feedback", {"assignment": "english-2/essay-1", "score": 11, "max": 10}, "scaled must be between -1 and 1"),
    ("feedback", {"assignment": "english-2/essay-1", "submission": "E-1"}, "'submission' must be"),
    ("award", {"rule": "complete 3 units"}, "the award names no 'badge'"),
    ("message", {"text": "hello"}, "not learning records"),
])
def test_a_record_that_cannot_be_a_statement_is_refused_with_the_reason(kind, payload, reason):
    with pytest.raises(XapiError, match=reason):
        to_statement(record(kind, payload))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8)
field_names = st.sampled_from(["assignment", "course", "title", "submission", "grade", "score", "max", "feedback",
                               "marker", "tutor", "passed", "badge", "rule", "id", "actor", "verb", "object",
                               "result", "timestamp", "text"])
payloads = st.dictionaries(field_names, json_values | st.just(SUBMISSION_ID) | st.just("english-2/essay-1"),
                           max_size=8) | json_values


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(["progress_statement", "quiz_answer", "assignment_submission", "feedback", "award"]),
       payloads)
def test_any_payload_becomes_a_valid_statement_or_a_reason_never_a_crash(kind, payload):
    try:
        made = to_statement(record(kind, payload))
    except XapiError as exc:
        assert exc.reason
    else:
        xapi.validate(made)
        assert made["id"] == RECORD_ID and made["actor"] == xapi.agent("L-0042")
