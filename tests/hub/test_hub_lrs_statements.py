"""hub.lrs.statements: which statement each kind of learning record becomes, and why a record
cannot be one."""

from __future__ import annotations

import uuid

import pytest

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
    made = to_statement(record("assignment_submission", {"assignment": "english-2/essay-1", "title": "Essay 1",
                                                         "text": "private essay text"}))

    assert made == {"id": RECORD_ID, "timestamp": CREATED, "actor": xapi.agent("L-0042"),
                    "verb": {"id": VERBS["submitted"], "display": {"en-US": "submitted"}},
                    "object": {"objectType": "Activity", "id": "urn:throughgate:course:english-2/essay-1",
                               "definition": {"name": {"en-US": "Essay 1"}}}}


def test_feedback_with_a_score_is_scored_by_the_tutor_on_the_submission():
    made = to_statement(record("feedback", {"assignment": "english-2/essay-1", "submission": SUBMISSION_ID,
                                            "score": 7, "max": 10, "text": "Good work.", "tutor": "T-07"}))

    assert made["verb"]["id"] == VERBS["scored"]
    assert made["result"] == {"score": {"raw": 7, "min": 0, "max": 10, "scaled": 0.7}, "response": "Good work."}
    assert made["context"] == {
        "instructor": {"objectType": "Agent", "account": {"homePage": "urn:throughgate:staff", "name": "T-07"}},
        "statement": {"objectType": "StatementRef", "id": SUBMISSION_ID}}
    assert made["actor"] == xapi.agent("L-0042")


def test_feedback_without_a_score_is_commented():
    made = to_statement(record("feedback", {"assignment": "english-2/essay-1", "text": "Say more."}))
    assert made["verb"]["id"] == VERBS["commented"] and made["result"] == {"response": "Say more."}


def test_a_letter_grade_travels_as_an_extension():
    made = to_statement(record("feedback", {"assignment": "english-2/essay-1", "grade": "B"}))
    assert made["verb"]["id"] == VERBS["scored"]
    assert made["result"] == {"extensions": {"urn:throughgate:grade": "B"}}


def test_an_award_is_earned_with_its_course_as_parent():
    made = to_statement(record("award", {"badge": "first unit", "title": "First unit done", "course": "maths-1"}))

    assert made["verb"]["id"] == VERBS["earned"]
    assert made["object"] == {"objectType": "Activity", "id": "urn:throughgate:award:first%20unit",
                              "definition": {"name": {"en-US": "First unit done"}}}
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
    ("assignment_submission", {"text": "no assignment named"}, "names no 'assignment'"),
    ("assignment_submission", {"assignment": "essay one"}, "neither <course>/<item> nor an IRI"),
    ("feedback", {"assignment": "english-2/essay-1", "score": "seven"}, "'score' must be a number"),
    ("feedback", {"assignment": "english-2/essay-1", "score": 7, "max": 0}, "'max' must be a number above 0"),
    ("feedback", {"assignment": "english-2/essay-1", "score": 11, "max": 10}, "scaled must be between -1 and 1"),
    ("feedback", {"assignment": "english-2/essay-1", "submission": "E-1"}, "'submission' must be"),
    ("award", {"title": "no badge"}, "the award names no 'badge'"),
    ("message", {"text": "hello"}, "not learning records"),
])
def test_a_record_that_cannot_be_a_statement_is_refused_with_the_reason(kind, payload, reason):
    with pytest.raises(XapiError, match=reason):
        to_statement(record(kind, payload))
