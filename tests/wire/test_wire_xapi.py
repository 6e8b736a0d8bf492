"""wire.xapi: the statements Throughgate builds, and the xAPI 1.0.3 rules a statement must keep."""

from __future__ import annotations

import copy
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wire.xapi import (
    HOME_PAGE,
    VERBS,
    XapiError,
    activity_id,
    is_duration,
    parse_activity_id,
    statement,
    validate,
)

STATEMENT_ID = "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"


def good() -> dict:
    return {
        "id": STATEMENT_ID,
        "timestamp": "2026-11-26T20:10:00.000Z",
        "actor": {"objectType": "Agent", "account": {"homePage": HOME_PAGE, "name": "L-0042"}},
        "verb": {"id": VERBS["completed"], "display": {"en-US": "completed"}},
        "object": {"objectType": "Activity", "id": "urn:throughgate:course:maths-1/unit-3",
                   "definition": {"name": {"en-US": "Fractions"}}},
        "result": {"completion": True, "duration": "PT12M30S",
                   "score": {"scaled": 0.8, "raw": 8, "min": 0, "max": 10}},
        "context": {"platform": "throughgate", "language": "en-GB",
                    "contextActivities": {"parent": [{"id": "urn:throughgate:course:maths-1"}]}},
        "version": "1.0.3",
    }


def changed(path: str, value) -> dict:
    """The good statement with one property set (value DELETE removes it)."""
    data = good()
    *parents, last = path.split(".")
    target = data
    for part in parents:
        target = target[part]
    if value is DELETE:
        del target[last]
    else:
        target[last] = value
    return data


DELETE = object()


def test_a_complete_statement_is_valid():
    validate(good())


def test_built_statement_has_the_learner_as_an_account_and_no_name():
    built = statement("L-0042", "completed", activity_id("maths-1", "unit-3"), "Fractions",
                      result={"completion": True}, statement_id=STATEMENT_ID,
                      timestamp="2026-11-26T20:10:00.000Z")

    assert built == {
        "id": STATEMENT_ID,
        "timestamp": "2026-11-26T20:10:00.000Z",
        "actor": {"objectType": "Agent", "account": {"homePage": "urn:throughgate", "name": "L-0042"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
        "object": {"objectType": "Activity", "id": "urn:throughgate:course:maths-1/unit-3",
                   "definition": {"name": {"en-US": "Fractions"}}},
        "result": {"completion": True},
    }


def test_built_statement_gets_a_fresh_uuid_and_a_utc_timestamp():
    first = statement("L-0042", "experienced", activity_id("maths-1"))
    second = statement("L-0042", "experienced", activity_id("maths-1"))

    assert first["id"] != second["id"]
    assert uuid.UUID(first["id"]).version == 4
    assert first["timestamp"].endswith("Z")


def test_unknown_verb_is_refused_naming_the_known_ones():
    with pytest.raises(XapiError, match="verb 'liked' is not one of .*completed"):
        statement("L-0042", "liked", activity_id("maths-1"))


def test_every_verb_is_an_adl_registry_iri():
    assert VERBS["answered"] == "http://adlnet.gov/expapi/verbs/answered"
    assert VERBS["scored"] == "http://adlnet.gov/expapi/verbs/scored"
    assert VERBS["commented"] == "http://adlnet.gov/expapi/verbs/commented"
    assert {VERBS["submitted"], VERBS["earned"]} == {"http://activitystrea.ms/schema/1.0/submit",
                                                     "http://id.tincanapi.com/verb/earned"}


@pytest.mark.parametrize("course, item, expected", [
    ("maths-1", None, "urn:throughgate:course:maths-1"),
    ("maths-1", "unit-3", "urn:throughgate:course:maths-1/unit-3"),
    ("maths-1", "quiz 2/q1", "urn:throughgate:course:maths-1/quiz%202%2Fq1"),
])
def test_activity_ids_name_the_course_and_item_and_read_back(course, item, expected):
    assert activity_id(course, item) == expected
    assert parse_activity_id(expected) == (course, item)


@pytest.mark.parametrize("course", ["Maths", "-maths", "", "a" * 64, "maths_1"])
def test_activity_id_refuses_a_course_that_is_not_a_dns_label(course):
    with pytest.raises(XapiError, match="DNS label"):
        activity_id(course)


@pytest.mark.parametrize("path, value, reason", [
    # id
    ("id", DELETE, "no 'id'"),
    ("id", "not-a-uuid", "id must be a UUID"),
    ("id", 42, "id must be a UUID"),
    # top level
    ("colour", "blue", "unknown property: colour"),
    ("version", "2.0.0", "version must be 1.0.x"),
    ("version", "1.0", "version must be 1.0.x"),
    ("timestamp", "2026-11-26T20:10:00", "timestamp is not an RFC 3339 timestamp with a time zone"),
    ("timestamp", "0001-01-01T00:00:00.000+01:00", "timestamp is outside 1970-2199: check the device's clock"),
    ("timestamp", "2026-11-26T20:10:00+23:59", "timestamp has a UTC offset no place uses"),
    ("timestamp", "26/11/2026", "timestamp is not an RFC 3339 timestamp"),
    ("stored", "yesterday", "stored is not an RFC 3339 timestamp"),
    # actor
    ("actor", DELETE, "no 'actor'"),
    ("actor", "L-0042", "actor must be a JSON object"),
    ("actor.account", DELETE, "exactly one of mbox, mbox_sha1sum, openid, account \\(has 0\\)"),
    ("actor.mbox", "mailto:a@example.org", "exactly one of .* \\(has 2\\)"),
    ("actor.objectType", "Person", "actor.objectType must be 'Agent'"),
    ("actor.account.homePage", DELETE, "actor.account needs homePage and name"),
    ("actor.account.homePage", "not an iri", "actor.account.homePage must be an IRI"),
    ("actor.account.name", "", "actor.account.name must be a non-empty string"),
    ("actor.account.email", "x", "actor.account has unknown property: email"),
    ("actor.nickname", "x", "actor has unknown property: nickname"),
    # verb
    ("verb", DELETE, "no 'verb'"),
    ("verb.id", "completed", "verb.id must be an IRI"),
    ("verb.display", DELETE, "verb.display .* is required"),
    ("verb.display", {}, "verb.display must hold at least one language"),
    ("verb.display", {"english": "done", "12": "x"}, "key '12' is not an RFC 5646"),
    ("verb.display", {"en-US": 7}, "verb.display\\['en-US'\\] must be a string"),
    # object
    ("object", DELETE, "no 'object'"),
    ("object.id", "maths 1", "object.id must be an IRI"),
    ("object.id", DELETE, "object.id must be an IRI"),
    ("object.objectType", "Agent", "'Agent' is not supported here"),
    ("object.definition.name", "Fractions", "object.definition.name must be a JSON object"),
    ("object.definition.type", "quiz", "object.definition.type must be an IRI"),
    ("object.definition.interactionType", "essay", "interactionType must be one of"),
    ("object.definition.level", 3, "object.definition has unknown property: level"),
    # result
    ("result.score.scaled", 1.5, "scaled must be between -1 and 1"),
    ("result.score.scaled", -1.01, "scaled must be between -1 and 1"),
    ("result.score.scaled", True, "result.score.scaled must be a number"),
    ("result.score.raw", 11, "raw must not be above max"),
    ("result.score.raw", -1, "raw must not be below min"),
    ("result.score.min", 10, "min must be less than result.score.max"),
    ("result.score.raw", "8", "result.score.raw must be a number"),
    ("result.score.percent", 80, "result.score has unknown property: percent"),
    ("result.success", "yes", "result.success must be true or false"),
    ("result.completion", 1, "result.completion must be true or false"),
    ("result.response", ["a"], "result.response must be a string"),
    ("result.duration", "12 minutes", "result.duration must be an ISO 8601 duration"),
    ("result.duration", "PT", "result.duration must be an ISO 8601 duration"),
    ("result.duration", "00:12:30", "result.duration must be an ISO 8601 duration"),
    ("result.extensions", {"progress": 1}, "result.extensions key 'progress' must be an IRI"),
    # context
    ("context.registration", "abc", "context.registration must be a UUID"),
    ("context.language", "en_GB", "context.language must be an RFC 5646"),
    ("context.contextActivities.parent", [{"id": "not an iri"}], r"parent\[0\].id must be an IRI"),
    ("context.contextActivities.sibling", [], "contextActivities has unknown property: sibling"),
    ("context.statement", {"objectType": "StatementRef", "id": "x"}, "context.statement.id must be a UUID"),
    ("context.instructor", {"name": "Ms Tutor"}, "context.instructor must have exactly one of"),
])
def test_broken_rule_is_named(path, value, reason):
    with pytest.raises(XapiError, match=reason):
        validate(changed(path, value))


def test_statement_ref_object_is_valid_but_not_with_a_platform():
    ref = changed("object", {"objectType": "StatementRef", "id": str(uuid.uuid4())})
    del ref["context"]["platform"]
    validate(ref)
    with pytest.raises(XapiError, match="context.platform is only for a statement about an Activity"):
        validate(changed("object", {"objectType": "StatementRef", "id": str(uuid.uuid4())}))


def test_statement_ref_needs_a_uuid():
    with pytest.raises(XapiError, match="object.id must be a UUID"):
        validate(changed("object", {"objectType": "StatementRef", "id": "urn:x"}))


@pytest.mark.parametrize("score", [{"scaled": -1}, {"scaled": 1}, {"raw": 0, "min": 0, "max": 1},
                                   {"raw": 10, "min": 0, "max": 10}, {"raw": 3.5}])
def test_scores_at_the_limits_are_valid(score):
    validate(changed("result.score", score))


@pytest.mark.parametrize("duration", ["PT12M30S", "P1D", "PT0.25S", "P1Y2M3DT4H5M6S", "P3W", "PT1H"])
def test_iso_8601_durations_are_accepted(duration):
    assert is_duration(duration)


@pytest.mark.parametrize("timestamp", ["2026-11-26T20:10:00Z", "2026-11-26T20:10:00.123+01:00",
                                       "2026-11-26T20:10:00.123456-05:30"])
def test_timestamps_with_a_zone_are_accepted(timestamp):
    validate(changed("timestamp", timestamp))


def test_a_non_object_is_not_a_statement():
    with pytest.raises(XapiError, match="a statement must be a JSON object"):
        validate([good()])


def test_validate_does_not_change_the_statement():
    data = good()
    before = copy.deepcopy(data)
    validate(data)
    assert data == before


learners = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", fullmatch=True)
courses = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)
items = st.none() | st.text(min_size=1, max_size=40)
names = st.none() | st.text(max_size=80)
finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9)


@st.composite
def results(draw):
    result = {}
    if draw(st.booleans()):
        low, high = sorted(draw(st.lists(finite, min_size=2, max_size=2, unique=True)))
        raw = draw(st.floats(min_value=low, max_value=high))
        result["score"] = {"min": low, "max": high, "raw": raw,
                           "scaled": draw(st.floats(min_value=-1, max_value=1))}
    if draw(st.booleans()):
        result["success"] = draw(st.booleans())
    if draw(st.booleans()):
        result["response"] = draw(st.text(max_size=100))
    if draw(st.booleans()):
        result["duration"] = f"PT{draw(st.integers(0, 10**6))}S"
    return result or None


@settings(max_examples=300, deadline=None)
@given(learners, st.sampled_from(sorted(VERBS)), courses, items, names, results())
def test_every_built_statement_validates(learner, verb, course, item, name, result):
    built = statement(learner, verb, activity_id(course, item), name, result=result)

    validate(built)
    assert built["actor"]["account"] == {"homePage": HOME_PAGE, "name": learner}
    assert parse_activity_id(built["object"]["id"]) == (course, item)
