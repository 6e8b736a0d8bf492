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
import re
from urllib.parse import quote

from wire import records
from wire.records import valid_dns_label
from wire.xapi import LANGUAGE, XapiError, activity_id, agent, is_iri, is_uuid, validate, verb_object

STATEMENT_KINDS = tuple(sorted(records.STATEMENT_KINDS))
"""Kinds whose payload is an xAPI statement already (made on the tablet)."""
MADE_KINDS = ("assignment_submission", "feedback", "award")
"""Kinds the hub turns into statements."""
FORWARDED_KINDS = STATEMENT_KINDS + MADE_KINDS
STAFF_HOME_PAGE = "urn:throughgate:staff"
AWARD_PREFIX = "urn:throughgate:award:"
GRADE_EXTENSION = "urn:throughgate:grade"
_FRACTION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*/\s*(\d*[1-9]\d*(?:\.\d+)?)\s*")
_PERCENT = re.compile(r"\s*(\d+(?:\.\d+)?)\s*%\s*")


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


def _made(record: dict, verb: str, obj: dict, result: dict | None = None, context: dict | None = None) -> dict:
    made = {"id": record["id"], "timestamp": record["created"], "actor": agent(record["learner"]),
            "verb": verb_object(verb), "object": obj}
    if result:
        made["result"] = result
    if context:
        made["context"] = context
    validate(made)
    return made


def _activity(object_id: str, name: str | None) -> dict:
    made = {"objectType": "Activity", "id": object_id}
    if name is not None:
        made["definition"] = {"name": {LANGUAGE: name}}
    return made


def _text(payload: dict, *fields: str) -> str | None:
    for field in fields:
        if isinstance(payload.get(field), str) and payload[field]:
            return payload[field]
    return None


def assignment_activity(payload: dict) -> str | None:
    """The assignment's activity id: from `course` + `assignment` (as the tablet sends them),
    `assignment` as `<course>/<item>`, or `assignment` as an IRI. None if it names no course."""
    assignment, course = payload.get("assignment"), payload.get("course")
    if not isinstance(assignment, str) or not assignment:
        return None
    if isinstance(course, str) and course:
        return activity_id(course, assignment)
    first, slash, rest = assignment.partition("/")
    if slash and rest and valid_dns_label(first):
        return activity_id(first, rest)
    return assignment if is_iri(assignment) else None


def _submission(record: dict, payload: dict) -> dict:
    activity = assignment_activity(payload)
    if activity is None:
        raise XapiError("the payload names no assignment of a course ('course' and 'assignment', "
                        "or 'assignment' as <course>/<item>)")
    return _made(record, "submitted", _activity(activity, _text(payload, "title")))


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _score(payload: dict) -> dict | None:
    """From `score` (and `max`), else from a grade like `7/10` or `70%`; None if neither."""
    score = payload.get("score")
    if isinstance(score, dict):
        return score
    if score is not None:
        if not _number(score):
            raise XapiError("'score' must be a number or an xAPI score object")
        top = payload.get("max")
        if top is None:
            return {"scaled": score}
        if not _number(top) or top <= 0:
            raise XapiError("'max' must be a number above 0")
        return {"raw": score, "min": 0, "max": top, "scaled": round(score / top, 4)}
    grade = _text(payload, "grade") or ""
    if match := _FRACTION.fullmatch(grade):
        raw, top = float(match[1]), float(match[2])
        return {"raw": raw, "min": 0, "max": top, "scaled": round(raw / top, 4)} if 0 <= raw <= top else None
    if (match := _PERCENT.fullmatch(grade)) and float(match[1]) <= 100:
        return {"raw": float(match[1]), "min": 0, "max": 100, "scaled": round(float(match[1]) / 100, 4)}
    return None


def _feedback(record: dict, payload: dict) -> dict:
    result: dict = {}
    score = _score(payload)
    if score is not None:
        result["score"] = score
    if isinstance(payload.get("passed"), bool):
        result["success"] = payload["passed"]
    text = _text(payload, "feedback", "text", "comment")
    if text is not None:
        result["response"] = text
    if _text(payload, "grade"):
        result["extensions"] = {GRADE_EXTENSION: payload["grade"]}
    context: dict = {}
    tutor = _text(payload, "marker", "tutor")
    if tutor is not None:
        context["instructor"] = {"objectType": "Agent", "account": {"homePage": STAFF_HOME_PAGE, "name": tutor}}
    submission = payload.get("submission")
    if submission is not None and not is_uuid(submission):
        raise XapiError("'submission' must be the submitted record's id (a UUID)")
    activity = assignment_activity(payload)
    if activity is not None:
        obj = _activity(activity, _text(payload, "title"))
        if submission is not None:
            context["statement"] = {"objectType": "StatementRef", "id": submission}
    elif submission is not None:
        obj = {"objectType": "StatementRef", "id": submission}  # the submitted statement itself
    else:
        raise XapiError("the feedback names neither a 'submission' nor an assignment of a course")
    verb = "scored" if score is not None or "extensions" in result else "commented"
    return _made(record, verb, obj, result, context)


def _award(record: dict, payload: dict) -> dict:
    """The console's award: `badge` (its id), `rule` (what earned it, in words), optional `title`, `course`."""
    badge = _text(payload, "badge")
    if badge is None:
        raise XapiError("the award names no 'badge'")
    activity = _activity(AWARD_PREFIX + quote(badge, safe="-._~"), _text(payload, "title") or badge)
    if _text(payload, "rule"):
        activity["definition"]["description"] = {LANGUAGE: payload["rule"]}
    context = None
    if _text(payload, "course"):
        context = {"contextActivities": {"parent": [{"objectType": "Activity", "id": activity_id(payload["course"])}]}}
    return _made(record, "earned", activity, context=context)
