"""SCORM 2004 runtime values map to valid xAPI statements (tablet/scorm2004.py): the documented table, new
values as new statements within one attempt, and one bad value refused alone with SCORM 2004's error code."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tablet import scorm2004
from tablet.scorm import CMI_INTERACTION_ACTIVITY
from wire import xapi
from wire.learning import check_payload
from wire.records import Record

ATTEMPT = "6a1f0c9e-3b2d-4e8f-9a7b-1c2d3e4f5a6b"
WHEN = "2026-12-07T10:00:00.000Z"


def made(cmi: dict, attempt: str = ATTEMPT):
    out = scorm2004.commit(cmi, learner="L-0042", course="maths-1", item="unit-3", attempt=attempt, timestamp=WHEN)
    for kind, statement in out.statements:
        xapi.validate(statement)
        check_payload(Record(statement["id"], kind, "L-0042", WHEN, 1, statement))
        assert statement["context"]["registration"] == attempt
    return out


STATUSES = {
    # (success_status, completion_status) -> verb, result.success, result.completion
    "passed-completed": (("passed", "completed"), ("passed", True, True)),
    "failed-completed": (("failed", "completed"), ("failed", False, True)),
    "passed-incomplete": (("passed", "incomplete"), ("passed", True, False)),
    "unknown-completed": (("unknown", "completed"), ("completed", None, True)),
    "completed-alone": (("", "completed"), ("completed", None, True)),
    "incomplete-alone": (("", "incomplete"), ("progressed", None, False)),
    "failed-alone": (("failed", ""), ("failed", False, None)),
}


@pytest.mark.parametrize(("given", "expected"), STATUSES.values(), ids=STATUSES.keys())
def test_success_and_completion_status_map_to_one_progress_statement(given, expected):
    success, completion = given
    cmi = {"cmi.success_status": success, "cmi.completion_status": completion}

    ((kind, statement),) = made(cmi).statements

    assert kind == "progress_statement" and statement["verb"]["id"] == xapi.VERBS[expected[0]]
    result = statement.get("result", {})
    assert (result.get("success"), result.get("completion")) == expected[1:]
    assert statement["object"]["id"] == "urn:throughgate:course:maths-1/unit-3"


@pytest.mark.parametrize("cmi", [{}, {"cmi.completion_status": "not attempted", "cmi.success_status": "unknown"},
                                 {"cmi.location": "page-4", "cmi.suspend_data": "{\"p\":4}"}])
def test_nothing_attempted_and_resume_state_record_nothing(cmi):
    out = made(cmi)
    assert (out.statements, out.refused) == ([], [])


def test_score_session_time_and_interactions_in_xapi_form():
    cmi = {"cmi.success_status": "passed", "cmi.completion_status": "completed", "cmi.score.scaled": "0.8",
           "cmi.score.raw": "8", "cmi.score.min": "0", "cmi.score.max": "10", "cmi.session_time": "PT1H2M3.5S",
           "cmi.interactions.0.id": "urn:example:q1", "cmi.interactions.0.type": "choice",
           "cmi.interactions.0.learner_response": "a[,]c", "cmi.interactions.0.result": "incorrect",
           "cmi.interactions.0.correct_responses.0.pattern": "a[,]b", "cmi.interactions.0.latency": "PT12S",
           "cmi.interactions.0.description": "Which are prime?",
           "cmi.interactions.1.id": "q2", "cmi.interactions.1.type": "true-false",
           "cmi.interactions.1.learner_response": "true", "cmi.interactions.1.result": "correct"}

    (status, first, second) = (statement for _, statement in made(cmi).statements)

    assert status["result"] == {"success": True, "completion": True, "duration": "PT1H2M3.5S",
                                "score": {"scaled": 0.8, "raw": 8, "min": 0, "max": 10}}
    assert first["result"] == {"response": "a[,]c", "success": False, "duration": "PT12S"}
    assert first["object"]["definition"] == {"type": CMI_INTERACTION_ACTIVITY, "interactionType": "choice",
                                             "correctResponsesPattern": ["a[,]b"],
                                             "description": {"en-US": "Which are prime?"}}
    assert second["result"] == {"response": "true", "success": True}


def test_without_scaled_the_score_is_scaled_from_raw_min_and_max():
    ((_, statement),) = made({"cmi.score.raw": "30", "cmi.score.min": "0", "cmi.score.max": "40"}).statements

    assert statement["verb"]["id"] == xapi.VERBS["scored"]
    assert statement["result"]["score"] == {"scaled": 0.75, "raw": 30, "min": 0, "max": 40}


def ids(cmi: dict) -> list[str]:
    return [statement["id"] for _, statement in made(cmi).statements]


@pytest.mark.parametrize("change", [{"cmi.score.scaled": "0.45"}, {"cmi.session_time": "PT20M"},
                                    {"cmi.interactions.0.learner_response": "b"}])
def test_a_new_value_in_the_same_attempt_is_a_new_statement_and_the_same_values_the_same_one(change):
    first = {"cmi.success_status": "failed", "cmi.score.scaled": "0.4", "cmi.session_time": "PT10M",
             "cmi.interactions.0.id": "q1", "cmi.interactions.0.type": "fill-in",
             "cmi.interactions.0.learner_response": "a"}

    assert ids(first) == ids(dict(first))  # the very same values again: the same ids, stored once
    assert len(set(ids(first)) - set(ids(first | change))) == 1  # the statement the change is in is new
    another_attempt = [s["id"] for _, s in made(first, str(uuid.uuid4())).statements]
    assert not set(ids(first)) & set(another_attempt)


BAD = {
    # a bad element -> the element, its error code, what the rest still records
    "unknown-success": ({"cmi.success_status": "won", "cmi.completion_status": "completed"},
                        "cmi.success_status", "406", [("completed", {"completion"})]),
    "scaled-out-of-range": ({"cmi.completion_status": "completed", "cmi.score.scaled": "1.5"},
                            "cmi.score.scaled", "407", [("completed", {"completion"})]),
    "raw-not-a-number": ({"cmi.success_status": "passed", "cmi.score.raw": "abc"},
                         "cmi.score.raw", "406", [("passed", {"success"})]),
    "raw-above-max": ({"cmi.success_status": "passed", "cmi.score.raw": "11", "cmi.score.max": "10"},
                      "cmi.score.raw", "407", [("passed", {"success"})]),
    "bad-session-time": ({"cmi.completion_status": "completed", "cmi.session_time": "00:10:00"},
                         "cmi.session_time", "406", [("completed", {"completion"})]),
    "unknown-interaction-type": ({"cmi.completion_status": "completed", "cmi.interactions.0.id": "q",
                                  "cmi.interactions.0.type": "essay"},
                                 "cmi.interactions.0.type", "406", [("completed", {"completion"})]),
    "bad-true-false": ({"cmi.interactions.0.id": "q", "cmi.interactions.0.type": "true-false",
                        "cmi.interactions.0.learner_response": "t", "cmi.interactions.1.id": "r",
                        "cmi.interactions.1.type": "numeric", "cmi.interactions.1.learner_response": "4"},
                       "cmi.interactions.0.learner_response", "406", [("answered", {"response"})]),
}


@pytest.mark.parametrize(("cmi", "element", "code", "kept"), BAD.values(), ids=BAD.keys())
def test_a_value_outside_the_data_model_refuses_that_element_alone(cmi, element, code, kept):
    out = made(cmi)

    (refusal,) = out.refused
    assert (refusal.element, refusal.value, refusal.error_code) == (element, cmi[element], code)
    assert element in refusal.reason
    assert [(s["verb"]["display"]["en-US"], set(s["result"])) for _, s in out.statements] == kept


# hypothesis: any values the SCORM 2004 data model allows --------------------------------------

intervals = st.builds(lambda h, m, s: f"PT{h}H{m}M{s}S", st.integers(0, 999), st.integers(0, 59), st.integers(0, 59))
identifiers = st.text("abcdefghijklmnopqrstuvwxyz0123456789-_:.", min_size=1, max_size=40)


@st.composite
def runtime_values(draw) -> dict:
    cmi = {"cmi.success_status": draw(st.sampled_from([*scorm2004.SUCCESS, ""])),
           "cmi.completion_status": draw(st.sampled_from([*scorm2004.COMPLETION, ""]))}
    if draw(st.booleans()):
        cmi["cmi.score.scaled"] = draw(st.sampled_from(["-1", "0", "0.5", "0.1234567", "1"]))
    if draw(st.booleans()):
        low = draw(st.integers(-100, 100))
        cmi |= {"cmi.score.min": str(low), "cmi.score.max": str(low + 10), "cmi.score.raw": str(low + draw(
            st.integers(0, 10)))}
    if draw(st.booleans()):
        cmi["cmi.session_time"] = draw(intervals)
    for n in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(scorm2004.INTERACTION_TYPES))
        answer = st.sampled_from(["true", "false"]) if kind == "true-false" else st.text(max_size=30)
        prefix = f"cmi.interactions.{n}."
        cmi |= {prefix + "id": draw(identifiers), prefix + "type": kind, prefix + "learner_response": draw(answer),
                prefix + "result": draw(st.sampled_from([*scorm2004.INTERACTION_RESULTS, "0.5", ""])),
                prefix + "latency": draw(intervals), prefix + "correct_responses.0.pattern": draw(answer)}
    return cmi


@settings(max_examples=200, deadline=None)
@given(cmi=runtime_values(), attempt=st.uuids().map(str))
def test_any_scorm_2004_values_map_to_statements_the_edge_accepts_with_nothing_refused(cmi, attempt):
    out = made(cmi, attempt)

    assert out.refused == []
    interactions_given = {key.split(".")[2] for key in cmi if key.startswith("cmi.interactions.")}
    assert [kind for kind, _ in out.statements].count("quiz_answer") == len(interactions_given)
    assert len({statement["id"] for _, statement in out.statements}) == len(out.statements)
