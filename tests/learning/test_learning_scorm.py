"""SCORM 1.2 runtime values map to valid xAPI statements (tablet/scorm.py): table-driven for the
documented mapping, and hypothesis over the whole value space of the data model."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tablet import scorm
from wire import xapi
from wire.learning import check_payload
from wire.records import Record

ATTEMPT = "0b6f3c2e-8f7a-4c1d-9e2b-5a4d3c2b1a09"
WHEN = "2026-11-27T01:00:00.000Z"


def mapped(cmi: dict, attempt: str = ATTEMPT) -> list[tuple[str, dict]]:
    return scorm.statements(cmi, learner="L-0042", course="maths-1", item="unit-3", attempt=attempt, timestamp=WHEN)


def accepted_by_the_edge(kind: str, statement: dict) -> None:
    xapi.validate(statement)
    check_payload(Record(statement["id"], kind, "L-0042", WHEN, 1, statement))


STATUSES = {
    # lesson_status: (verb, result.success, result.completion)
    "passed": ("passed", True, True),
    "failed": ("failed", False, True),
    "completed": ("completed", None, True),
    "incomplete": ("progressed", None, False),
    "browsed": ("experienced", None, None),
}


@pytest.mark.parametrize(("status", "expected"), STATUSES.items(), ids=STATUSES.keys())
def test_each_lesson_status_maps_to_its_verb_and_result(status, expected):
    verb, success, completion = expected

    ((kind, statement),) = mapped({"cmi.core.lesson_status": status})

    accepted_by_the_edge(kind, statement)
    assert kind == "progress_statement"
    assert statement["verb"]["id"] == xapi.VERBS[verb]
    assert statement["object"]["id"] == "urn:throughgate:course:maths-1/unit-3"
    result = statement.get("result", {})
    assert (result.get("success"), result.get("completion")) == (success, completion)
    assert statement["context"]["registration"] == ATTEMPT
    assert statement["actor"] == xapi.agent("L-0042") and statement["timestamp"] == WHEN


@pytest.mark.parametrize("cmi", [{}, {"cmi.core.lesson_status": "not attempted"}, {"cmi.core.lesson_status": ""}])
def test_nothing_attempted_records_nothing(cmi):
    assert mapped(cmi) == []


SCORES = {
    # raw, min, max as set by the content -> the xAPI score
    "defaults-0-100": (("85", "", ""), {"scaled": 0.85, "raw": 85, "min": 0, "max": 100}),
    "out-of-ten": (("7", "0", "10"), {"scaled": 0.7, "raw": 7, "min": 0, "max": 10}),
    "decimal": (("12.5", "10", "20"), {"scaled": 0.25, "raw": 12.5, "min": 10, "max": 20}),
    "negative-range": (("-5", "-10", "10"), {"scaled": 0.25, "raw": -5, "min": -10, "max": 10}),
}


@pytest.mark.parametrize(("values", "score"), SCORES.values(), ids=SCORES.keys())
def test_score_raw_min_max_become_an_xapi_score_with_scaled(values, score):
    raw, low, high = values
    cmi = {"cmi.core.lesson_status": "passed", "cmi.core.score.raw": raw, "cmi.core.score.min": low,
           "cmi.core.score.max": high}

    ((kind, statement),) = mapped(cmi)

    accepted_by_the_edge(kind, statement)
    assert statement["result"]["score"] == score


def test_a_score_without_a_lesson_status_is_scored():
    ((kind, statement),) = mapped({"cmi.core.score.raw": "40"})

    assert statement["verb"]["id"] == xapi.VERBS["scored"] and statement["result"]["score"]["scaled"] == 0.4


@pytest.mark.parametrize(("timespan", "duration"), [
    ("0000:12:30.5", "PT0H12M30.5S"), ("01:02:03", "PT1H2M3S"), ("9999:59:59.99", "PT9999H59M59.99S"),
    ("00:00:07.10", "PT0H0M7.1S"),
])
def test_session_time_becomes_the_result_duration(timespan, duration):
    ((_, statement),) = mapped({"cmi.core.lesson_status": "completed", "cmi.core.session_time": timespan})

    assert statement["result"]["duration"] == duration


INTERACTIONS = {
    # type, student_response, correct pattern -> xAPI response, correct pattern
    "true-false": ("true-false", "t", "f", "true", "false"),
    "choice": ("choice", "a,c", "a,b", "a[,]c", "a[,]b"),
    "fill-in": ("fill-in", "photosynthesis", "photosynthesis", "photosynthesis", "photosynthesis"),
    "matching": ("matching", "1.a,2.b", "1.a,2.b", "1[.]a[,]2[.]b", "1[.]a[,]2[.]b"),
    "sequencing": ("sequencing", "c,a,b", "a,b,c", "c[,]a[,]b", "a[,]b[,]c"),
    "likert": ("likert", "4", "4", "4", "4"),
    "numeric": ("numeric", "3.14", "3.14", "3.14", "3.14"),
    "performance": ("performance", "step1", "step1", "step1", "step1"),
}


@pytest.mark.parametrize("case", INTERACTIONS.values(), ids=INTERACTIONS.keys())
def test_each_interaction_is_a_quiz_answer_with_its_response_in_xapi_form(case):
    kind_, given_, pattern, response, xapi_pattern = case
    cmi = {"cmi.interactions.0.id": "q1", "cmi.interactions.0.type": kind_,
           "cmi.interactions.0.student_response": given_, "cmi.interactions.0.result": "wrong",
           "cmi.interactions.0.correct_responses.0.pattern": pattern, "cmi.interactions.0.latency": "00:00:12"}

    ((kind, statement),) = mapped(cmi)

    accepted_by_the_edge(kind, statement)
    assert kind == "quiz_answer" and statement["verb"]["id"] == xapi.VERBS["answered"]
    assert statement["result"] == {"response": response, "success": False, "duration": "PT0H0M12S"}
    assert statement["object"]["definition"] == {"type": scorm.CMI_INTERACTION_ACTIVITY, "interactionType": kind_,
                                                 "correctResponsesPattern": [xapi_pattern]}
    assert statement["object"]["id"] == xapi.activity_id("maths-1", "unit-3/q1")


def test_the_same_values_committed_twice_give_the_same_ids_and_another_attempt_new_ones():
    cmi = {"cmi.core.lesson_status": "passed", "cmi.interactions.0.id": "q1", "cmi.interactions.0.type": "numeric",
           "cmi.interactions.0.student_response": "4"}

    first, again, other = mapped(cmi), mapped(cmi), mapped(cmi, str(uuid.uuid4()))

    assert [s["id"] for _, s in first] == [s["id"] for _, s in again]
    assert not {s["id"] for _, s in first} & {s["id"] for _, s in other}


def ids(cmi: dict) -> list[str]:
    return [statement["id"] for _, statement in mapped(cmi)]


NEW_VALUES = {
    # within one attempt, a second commit with one value changed: a new statement, not a duplicate
    "score": ({"cmi.core.lesson_status": "failed", "cmi.core.score.raw": "40"}, {"cmi.core.score.raw": "45"}),
    "status": ({"cmi.core.lesson_status": "failed", "cmi.core.score.raw": "40"},
               {"cmi.core.lesson_status": "passed"}),
    "session-time": ({"cmi.core.lesson_status": "incomplete", "cmi.core.session_time": "00:05:00"},
                     {"cmi.core.session_time": "00:12:30"}),
    "answer": ({"cmi.interactions.0.id": "q1", "cmi.interactions.0.type": "choice",
                "cmi.interactions.0.student_response": "a"}, {"cmi.interactions.0.student_response": "b"}),
    "answer-result": ({"cmi.interactions.0.id": "q1", "cmi.interactions.0.type": "numeric",
                       "cmi.interactions.0.student_response": "4"}, {"cmi.interactions.0.result": "correct"}),
}


@pytest.mark.parametrize(("first", "change"), NEW_VALUES.values(), ids=NEW_VALUES.keys())
def test_a_new_value_in_the_same_attempt_is_a_new_statement_and_the_same_values_the_same_one(first, change):
    assert ids(first) == ids(dict(first))  # the very same values again: the same ids, stored once

    changed = ids(first | change)

    assert len(changed) == 1 and not set(changed) & set(ids(first))


def test_failed_40_then_failed_45_are_two_statements_of_the_same_attempt():
    ((_, forty),) = mapped({"cmi.core.lesson_status": "failed", "cmi.core.score.raw": "40"})
    ((_, forty_five),) = mapped({"cmi.core.lesson_status": "failed", "cmi.core.score.raw": "45"})

    assert forty["id"] != forty_five["id"]
    assert forty["context"]["registration"] == forty_five["context"]["registration"] == ATTEMPT
    assert (forty["result"]["score"]["raw"], forty_five["result"]["score"]["raw"]) == (40, 45)


BAD = {
    # a bad element -> (the element refused, the value, what the rest still records)
    "unknown-status": ({"cmi.core.lesson_status": "done", "cmi.core.score.raw": "40"},
                       "cmi.core.lesson_status", "done", [("scored", {"score"})]),
    "raw-above-max": ({"cmi.core.lesson_status": "completed", "cmi.core.score.raw": "11", "cmi.core.score.max": "10"},
                      "cmi.core.score.raw", "11", [("completed", {"completion"})]),
    "min-not-below-max": ({"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "5", "cmi.core.score.min": "5",
                           "cmi.core.score.max": "5"}, "cmi.core.score.min", "5",
                          [("passed", {"success", "completion"})]),
    "raw-not-a-number": ({"cmi.core.lesson_status": "completed", "cmi.core.score.raw": "abc"},
                         "cmi.core.score.raw", "abc", [("completed", {"completion"})]),
    "bad-timespan": ({"cmi.core.lesson_status": "completed", "cmi.core.session_time": "12 minutes"},
                     "cmi.core.session_time", "12 minutes", [("completed", {"completion"})]),
    "minutes-over-59": ({"cmi.core.lesson_status": "completed", "cmi.core.session_time": "00:75:00"},
                        "cmi.core.session_time", "00:75:00", [("completed", {"completion"})]),
    "interaction-without-id": ({"cmi.core.lesson_status": "completed", "cmi.interactions.0.type": "choice"},
                               "cmi.interactions.0.id", "", [("completed", {"completion"})]),
    "interaction-id-with-spaces": ({"cmi.core.lesson_status": "completed", "cmi.interactions.0.id": "question one",
                                    "cmi.interactions.0.type": "choice"},
                                   "cmi.interactions.0.id", "question one", [("completed", {"completion"})]),
    "unknown-interaction-type": ({"cmi.interactions.0.id": "q", "cmi.interactions.0.type": "essay",
                                  "cmi.interactions.1.id": "r", "cmi.interactions.1.type": "numeric",
                                  "cmi.interactions.1.student_response": "4"},
                                 "cmi.interactions.0.type", "essay", [("answered", {"response"})]),
    "bad-true-false": ({"cmi.core.lesson_status": "passed", "cmi.interactions.0.id": "q",
                        "cmi.interactions.0.type": "true-false", "cmi.interactions.0.student_response": "maybe"},
                       "cmi.interactions.0.student_response", "maybe", [("passed", {"success", "completion"})]),
    "bad-latency": ({"cmi.interactions.0.id": "q", "cmi.interactions.0.type": "fill-in",
                     "cmi.interactions.0.student_response": "cat", "cmi.interactions.0.latency": "soon"},
                    "cmi.interactions.0.latency", "soon", [("answered", {"response"})]),
}


@pytest.mark.parametrize(("cmi", "element", "value", "kept"), BAD.values(), ids=BAD.keys())
def test_a_value_outside_the_data_model_refuses_that_element_alone_and_the_rest_is_recorded(cmi, element, value,
                                                                                             kept):
    made = scorm.commit(cmi, learner="L-0042", course="maths-1", item="unit-3", attempt=ATTEMPT, timestamp=WHEN)

    (refusal,) = made.refused
    assert (refusal.element, refusal.value, refusal.error_code) == (element, value, "405")
    assert element in refusal.reason and (not value or repr(value) in refusal.reason or value in refusal.reason)
    for kind, statement in made.statements:
        accepted_by_the_edge(kind, statement)
    assert [(s["verb"]["display"]["en-US"], set(s["result"])) for _, s in made.statements] == kept
    with pytest.raises(scorm.ScormError) as strict:  # statements(): all or nothing, for callers that want it
        mapped(cmi)
    assert strict.value.element == element


def test_a_bad_score_keeps_the_completion_and_the_answers():
    cmi = {"cmi.core.lesson_status": "completed", "cmi.core.score.raw": "abc", "cmi.core.session_time": "00:10:00",
           "cmi.interactions.0.id": "q1", "cmi.interactions.0.type": "numeric",
           "cmi.interactions.0.student_response": "4"}

    made = scorm.commit(cmi, learner="L-0042", course="maths-1", item="unit-3", attempt=ATTEMPT, timestamp=WHEN)

    assert [r.reason for r in made.refused] == ["cmi.core.score.raw 'abc' is not a CMIDecimal"]
    (status, answer) = (statement for _, statement in made.statements)
    assert status["result"] == {"completion": True, "duration": "PT0H10M0S"}
    assert answer["result"] == {"response": "4"}


def test_a_hostile_value_is_refused_alone_and_kept_cut_short():
    cmi = {"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "9" * 5000, "cmi.interactions.0.id": "q" * 3000,
           "cmi.interactions.0.type": "fill-in", "cmi.interactions.0.student_response": "cat"}

    made = scorm.commit(cmi, learner="L-0042", course="maths-1", item="unit-3", attempt=ATTEMPT, timestamp=WHEN)

    assert [r.element for r in made.refused] == ["cmi.core.score.raw", "cmi.interactions.0.id"]
    assert all(len(r.value) <= scorm.MAX_KEPT and len(r.reason) <= 2 * scorm.MAX_KEPT for r in made.refused)
    ((kind, statement),) = made.statements
    accepted_by_the_edge(kind, statement)
    assert statement["result"] == {"success": True, "completion": True}


def test_an_attempt_that_is_not_a_uuid_is_the_runtimes_mistake_and_refuses_the_commit():
    with pytest.raises(scorm.ScormError, match="attempt"):
        scorm.commit({"cmi.core.lesson_status": "passed"}, learner="L-0042", course="maths-1", item="unit-3",
                     attempt="first", timestamp=WHEN)


# hypothesis: any values the SCORM 1.2 data model allows --------------------------------------

def decimal_text(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


@st.composite
def scores(draw) -> dict:
    low = draw(st.integers(-1000, 1000))
    high = low + draw(st.integers(1, 1000))
    raw = draw(st.floats(low, high, allow_nan=False).map(lambda v: round(v, 2)).filter(lambda v: low <= v <= high))
    given_range = draw(st.booleans())
    out = {"cmi.core.score.raw": decimal_text(raw)}
    if given_range:
        out |= {"cmi.core.score.min": str(low), "cmi.core.score.max": str(high)}
    elif not 0 <= raw <= 100:
        out["cmi.core.score.raw"] = decimal_text(min(100.0, max(0.0, raw)))
    return out


def timespan(h: int, m: int, s: int, hundredths: int) -> str:
    return f"{h:02d}:{m:02d}:{s:02d}" + (f".{hundredths:02d}" if hundredths >= 0 else "")


timespans = st.builds(timespan, st.integers(0, 9999), st.integers(0, 59), st.integers(0, 59), st.integers(-1, 99))
identifiers = st.text("abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=20)


@st.composite
def interactions(draw, n: int) -> dict:
    kind = draw(st.sampled_from(scorm.INTERACTION_TYPES))
    answer = st.sampled_from(["t", "f"]) if kind == "true-false" else st.text(max_size=30)
    prefix = f"cmi.interactions.{n}."
    out = {prefix + "id": draw(identifiers), prefix + "type": kind, prefix + "student_response": draw(answer)}
    if draw(st.booleans()):
        out[prefix + "result"] = draw(st.sampled_from(["correct", "wrong", "unanticipated", "neutral", "0.5"]))
    if draw(st.booleans()):
        out[prefix + "latency"] = draw(timespans)
    for i in range(draw(st.integers(0, 3))):
        out[prefix + f"correct_responses.{i}.pattern"] = draw(answer)
    return out


@st.composite
def runtime_values(draw) -> dict:
    cmi = {"cmi.core.lesson_status": draw(st.sampled_from([*scorm.STATUS_VERBS, ""]))}
    if draw(st.booleans()):
        cmi |= draw(scores())
    if draw(st.booleans()):
        cmi["cmi.core.session_time"] = draw(timespans)
    for n in range(draw(st.integers(0, 4))):
        cmi |= draw(interactions(n))
    return cmi


@settings(max_examples=300, deadline=None)
@given(cmi=runtime_values(), attempt=st.uuids().map(str))
def test_any_scorm_12_values_map_to_statements_the_edge_accepts(cmi, attempt):
    out = mapped(cmi, attempt)

    for kind, statement in out:
        accepted_by_the_edge(kind, statement)
        assert statement["context"]["registration"] == attempt
    interactions_given = {key.split(".")[2] for key in cmi if key.startswith("cmi.interactions.")}
    assert [kind for kind, _ in out].count("quiz_answer") == len(interactions_given)
    assert len({statement["id"] for _, statement in out}) == len(out)
