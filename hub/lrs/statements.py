"""One stored record -> one xAPI statement. Pure: a record dict (hub.queries.as_dict) in, a valid
statement out, or XapiError saying why this record cannot be one.

Every statement's id is the record's id (a UUID made where the record was made), so sending it
twice is harmless: an LRS keeps the first. Every actor is the learner's pseudonymous account.

| record kind             | verb                    | object                                   |
|-------------------------|-------------------------|------------------------------------------|
| `progress_statement`    | the statement's own     | the statement's own (it is one already)  |
| `quiz_answer`           | the statement's own     | the statement's own (it is one already)  |
| `assignment_submission` | `submitted`             | the assignment's activity                |
| `feedback` with a score | `scored`                | the assignment's activity                |
| `feedback` without      | `commented`             | the assignment's activity                |
| `award`                 | `earned`                | `urn:throughgate:award:<badge>`          |
"""

from __future__ import annotations

import copy
from urllib.parse import quote

from wire.xapi import (
    XapiError,
    activity_id,
    agent,
    is_iri,
    is_uuid,
    statement,
    validate,
)

STATEMENT_KINDS = ("progress_statement", "quiz_answer")
"""Kinds whose payload is an xAPI statement already (made on the tablet)."""
MADE_KINDS = ("assignment_submission", "feedback", "award")
"""Kinds the hub turns into statements."""
FORWARDED_KINDS = STATEMENT_KINDS + MADE_KINDS
STAFF_HOME_PAGE = "urn:throughgate:staff"
AWARD_PREFIX = "urn:throughgate:award:"
GRADE_EXTENSION = "urn:throughgate:grade"


def to_statement(record: dict) -> dict:
    """The statement for a stored record (`id`, `kind`, `learner`, `created`, `payload`)."""
    kind, payload = record["kind"], record["payload"]
    if not isinstance(payload, dict):
        raise XapiError(f"a {kind} record's payload must be a JSON object")
    if kind in STATEMENT_KINDS:
        return _carried(record, payload)
    made = {"assignment_submission": _submission, "feedback": _feedback, "award": _award}.get(kind)
    if made is None:
        raise XapiError(f"records of kind {kind!r} are not learning records for an LRS")
    return made(record, payload)


def _carried(record: dict, payload: dict) -> dict:
    """A statement the tablet made: checked, and bound to the record that carried it."""
    carried = copy.deepcopy(payload)
    carried.setdefault("timestamp", record["created"])
    validate(carried)
    if carried["id"].lower() != record["id"]:
        raise XapiError(f"the statement's id {carried['id']} is not its record's id {record['id']}")
    expected = agent(record["learner"])["account"]
    actor = {key: value for key, value in carried["actor"].items() if key != "objectType"}
    if actor != {"account": expected}:
        raise XapiError(f"the statement's actor is not the record's learner as an account on "
                        f"{expected['homePage']} (and nothing else)")
    return carried


def _made(record: dict, verb: str, object_id: str, name: str | None, result: dict | None = None,
          context: dict | None = None) -> dict:
    return statement(record["learner"], verb, object_id, name, result=result or None, context=context or None,
                     statement_id=record["id"], timestamp=record["created"])


def _text(payload: dict, *fields: str) -> str | None:
    for field in fields:
        if isinstance(payload.get(field), str) and payload[field]:
            return payload[field]
    return None


def assignment_activity(assignment) -> str:
    """`<course>/<item>` (as the tablet names an assignment) or an IRI -> the activity id."""
    if not isinstance(assignment, str) or not assignment:
        raise XapiError("the payload names no 'assignment' (<course>/<item>)")
    course, slash, item = assignment.partition("/")
    if slash and item:
        try:
            return activity_id(course, item)
        except XapiError:
            pass
    if is_iri(assignment):
        return assignment
    raise XapiError(f"'assignment' {assignment!r} is neither <course>/<item> nor an IRI")


def _submission(record: dict, payload: dict) -> dict:
    return _made(record, "submitted", assignment_activity(payload.get("assignment")),
                 _text(payload, "title"))


def _score(payload: dict) -> dict | None:
    score = payload.get("score")
    if score is None or isinstance(score, dict):
        return score
    if isinstance(score, bool) or not isinstance(score, int | float):
        raise XapiError("'score' must be a number or an xAPI score object")
    top = payload.get("max", payload.get("out_of"))
    if top is None:
        return {"scaled": score}
    if isinstance(top, bool) or not isinstance(top, int | float) or top <= 0:
        raise XapiError("'max' must be a number above 0")
    return {"raw": score, "min": 0, "max": top, "scaled": round(score / top, 4)}


def _feedback(record: dict, payload: dict) -> dict:
    score = _score(payload)
    result: dict = {}
    if score is not None:
        result["score"] = score
    if "passed" in payload:
        result["success"] = payload["passed"]
    text = _text(payload, "text", "feedback", "comment")
    if text is not None:
        result["response"] = text
    if _text(payload, "grade"):
        result["extensions"] = {GRADE_EXTENSION: payload["grade"]}
    context: dict = {}
    tutor = _text(payload, "tutor", "staff")
    if tutor is not None:
        context["instructor"] = {"objectType": "Agent", "account": {"homePage": STAFF_HOME_PAGE, "name": tutor}}
    submission = payload.get("submission")
    if submission is not None:
        if not is_uuid(submission):
            raise XapiError("'submission' must be the submitted record's id (a UUID)")
        context["statement"] = {"objectType": "StatementRef", "id": submission}
    verb = "scored" if score is not None or "extensions" in result else "commented"
    return _made(record, verb, assignment_activity(payload.get("assignment")), _text(payload, "title"),
                 result, context)


def _award(record: dict, payload: dict) -> dict:
    badge = _text(payload, "badge", "rule", "award")
    if badge is None:
        raise XapiError("the award names no 'badge'")
    context = None
    course = _text(payload, "course")
    if course is not None:
        context = {"contextActivities": {"parent": [{"objectType": "Activity", "id": activity_id(course)}]}}
    return _made(record, "earned", AWARD_PREFIX + quote(badge, safe="-._~"),
                 _text(payload, "title", "name", "badge_title"), context=context)

