"""A `course_refusal` record: a value a SCORM course sent that the tablet did not keep, sent on to support.

The tablet's SCORM runtime maps each commit element by element (app/src/scorm/mapping.js, tablet/scorm.py):
a value the data model does not allow is refused alone, the rest recorded. The refusal is kept on the tablet
and also sent, once, as a record, so that tutors and prison IT (the edge's console, Courses > Refused values)
and the hub's admins (`throughgate hub courses refusals`) see what the course sent and what to do:

    {"course": "first-aid", "version": 3, "item": "unit-2", "attempt": "<uuid>",
     "element": "cmi.core.score.raw", "value": "120", "error_code": "405",
     "reason": "cmi.core.score.raw (120) must be from cmi.core.score.min (0) to max (100)"}

The record's `learner` is the learner, its `created` when the tablet refused the value. Its id is
`refusal_id(attempt, element, value)`, so the same value refused again in the same attempt is one record
(a resend is acknowledged again, stored once), and a different value is a new one. `version` is null where the
tablet did not know it (the reference tablet's SCORM commit names no version).

Pure: `check` raises RecordError("bad_schema") naming the first rule broken; `advice` says what to do.
"""

from __future__ import annotations

import re
import uuid

from wire.records import RecordError, valid_dns_label
from wire.text import HIDDEN

KIND = "course_refusal"
FIELDS = frozenset({"course", "version", "item", "attempt", "element", "value", "error_code", "reason"})
MAX_VALUE = 255
"""Characters of the refused value kept (the tablets cut a longer one to 254 and an ellipsis)."""
MAX_REASON = 600
MAX_ITEM = 200
_ELEMENT = re.compile(r"(cmi|adl)\.[!-~]{1,251}")
_ERROR_CODE = re.compile(r"[a-z0-9_]{1,20}")


def refusal_id(attempt: str, element: str, value: str) -> str:
    """The record id of one refused value in one attempt (UUID v5 in the attempt's UUID): the app makes the same
    (app/src/scorm/runtime.js)."""
    return str(uuid.uuid5(uuid.UUID(attempt), f"refusal/{element}/{value}"))


def cut(text: str, limit: int) -> str:
    """`text` within `limit` characters: a longer one keeps its start and ends with an ellipsis."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def payload(*, course: str, version: int | None, item: str, attempt: str, element: str, value: str,
            error_code: str, reason: str) -> dict:
    """The payload of a course_refusal record, the value and reason cut to their limits."""
    return {"course": course, "version": version, "item": item, "attempt": attempt, "element": element,
            "value": cut(value, MAX_VALUE), "error_code": error_code, "reason": cut(reason, MAX_REASON)}


def _valid_uuid(value) -> bool:
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value
    except ValueError:
        return False


def problem(data) -> str | None:
    """Why `data` is not a course_refusal payload, or None."""
    if not isinstance(data, dict):
        return "it is a JSON object"
    unknown, missing = set(data) - FIELDS, FIELDS - set(data)
    if unknown:
        return f"unknown field(s): {', '.join(sorted(map(str, unknown)))}"
    if missing:
        return f"missing field(s): {', '.join(sorted(missing))}"
    if not valid_dns_label(data["course"]):
        return "'course' is a course slug (a lower-case DNS label)"
    version = data["version"]
    if version is not None and (type(version) is not int or not 1 <= version < 2**31):
        return "'version' is the course version (a whole number from 1), or null where the tablet did not know it"
    item = data["item"]
    if not (isinstance(item, str) and 0 < len(item) <= MAX_ITEM) or HIDDEN.search(item):
        return f"'item' is the item's id in the course: 1-{MAX_ITEM} characters, no control characters"
    if not _valid_uuid(data["attempt"]):
        return "'attempt' is the attempt's UUID in canonical lower-case form"
    if not (isinstance(data["element"], str) and _ELEMENT.fullmatch(data["element"])):
        return "'element' is a SCORM data model element (cmi.… or adl.…, printable, no spaces, at most 255)"
    if not (isinstance(data["value"], str) and len(data["value"]) <= MAX_VALUE):
        return f"'value' is the refused value as a string of at most {MAX_VALUE} characters (cut a longer one)"
    if not (isinstance(data["error_code"], str) and _ERROR_CODE.fullmatch(data["error_code"])):
        return ("'error_code' is the SCORM error code the runtime gave (e.g. 405), or the player's own (e.g. "
                "too_large): 1-20 lower-case letters, digits or '_'")
    if not (isinstance(data["reason"], str) and 0 < len(data["reason"]) <= MAX_REASON):
        return f"'reason' says why, in 1-{MAX_REASON} characters"
    return None


def check(data, record_id: str | None = None) -> None:
    """Raise RecordError("bad_schema") unless `data` is a course_refusal payload."""
    found = problem(data)
    if found:
        raise RecordError("bad_schema", f"a {KIND} payload: {found}", record_id)


_SCORE = re.compile(r"\.score\.(raw|min|max|scaled)$")
_TIME = re.compile(r"(session_time|latency)$")
_STATUS = re.compile(r"(lesson_status|completion_status|success_status)$")
_INTERACTION = re.compile(r"^cmi\.interactions\.")
AUTHOR = "Tell the course's author, with the course, the element and the value shown here."
KEPT = "The learner's other progress in this commit was kept; they need do nothing."


def advice(element: str, error_code: str = "") -> str:
    """What support should do about a value refused for `element` (with `error_code`), in plain words."""
    if error_code == "too_large":  # the player's own limit, not SCORM's (app/src/scorm/runtime.js queueState)
        return ("The course keeps more in its place in the part (suspend data) than can go to the learner's other "
                "devices, so that part resumes on this tablet only, not on their phone after release. Tell the "
                "course's author if learners need it there. " + KEPT)
    if _SCORE.search(element):
        what = ("The course sent a score outside its own range (above its maximum, below its minimum, or not a "
                "number), so the score was not kept.")
    elif _TIME.search(element):
        what = "The course sent a time that is not in SCORM's format, so the time was not kept."
    elif _STATUS.search(element):
        what = "The course sent a status SCORM does not have, so the status was not kept."
    elif _INTERACTION.match(element):
        what = "The course sent a question or answer SCORM does not allow, so that answer was not kept."
    else:
        what = "The course sent a value SCORM does not allow for this element, so it was not kept."
    return f"{what} {AUTHOR} {KEPT}"
