"""SCORM 1.2 runtime values as xAPI statements: a pure mapping, no I/O.

A SCORM 1.2 package talks to its LMS through `LMSSetValue(element, value)`; the tablet's runtime
adapter keeps those values (`cmi.core.*`, `cmi.interactions.n.*`) and, on `LMSCommit` or
`LMSFinish`, turns them into statements with `commit()`. The table is in docs/learning.md.

Statement ids: UUID version 5 of the attempt (a UUID the runtime makes when the learner opens the
item) and everything the statement says but its timestamp: the verb, the activity, the result
(status, score, success, completion, duration, response) and an interaction's definition.
Committing the very same values again gives the same ids, which the tablet's outbox, the edge and
the hub each store once; a new value (failed 40, then failed 45; a longer session_time; a changed
answer) is a new statement. So one attempt may hold several statements about one activity, all
with the attempt as `context.registration`; the latest (by timestamp, the commit's time) is where
the learner stands. The LRS keeps them all; the edge console's average score and answers count
only the latest of each activity in each attempt (edge/console/learning.py), and a unit counts as
done once any statement says so (completion is never taken back).

One value outside the data model refuses that element alone (`Refusal`: the element, the value,
why, and the error code LMSGetLastError gives for it, 405 "Incorrect Data Type"): a bad score
leaves the score out of the status statement, a bad session_time its duration, a bad interaction
that interaction's statement (a bad latency or correct pattern only that part); the rest of the
commit becomes statements as usual.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

from wire import xapi

CMI_INTERACTION_ACTIVITY = "http://adlnet.gov/expapi/activities/cmi.interaction"

STATUS_VERBS: dict[str, tuple[str | None, dict]] = {
    # cmi.core.lesson_status: (verb, what the result says)
    "passed": ("passed", {"success": True, "completion": True}),
    "failed": ("failed", {"success": False, "completion": True}),
    "completed": ("completed", {"completion": True}),
    "incomplete": ("progressed", {"completion": False}),
    "browsed": ("experienced", {}),
    "not attempted": (None, {}),
}
INTERACTION_TYPES = ("true-false", "choice", "fill-in", "matching", "performance", "sequencing", "likert", "numeric")
SCORE_MIN, SCORE_MAX = 0, 100  # SCORM 1.2's range when the content gives none
MAX_KEPT = 255  # characters of a refused value kept (CMIString255); its reason at most twice that
INCORRECT_DATA_TYPE = "405"  # SCORM 1.2's LMSGetLastError for a value its element does not allow

_TIMESPAN = re.compile(r"(\d{2,4}):(\d{2}):(\d{2})(?:\.(\d{1,2}))?")
_DECIMAL = re.compile(r"-?\d{1,10}(?:\.\d{1,10})?")
_INTERACTION = re.compile(r"cmi\.interactions\.(\d{1,4})\.(.+)")
_IDENTIFIER = re.compile(r"[!-~]{1,255}")  # CMIIdentifier: printable, no white space, at most 255 characters


class ScormError(ValueError):
    """A value the SCORM 1.2 data model does not allow; `reason` names the element and the value,
    `element` is the element, `value` what the content set."""

    def __init__(self, reason: str, element: str = "", value: str = ""):
        super().__init__(reason)
        self.reason, self.element, self.value = reason, element, value


@dataclass(frozen=True)
class Refusal:
    """One element of a commit left out: what LMSGetLastError answers for it, and why, for support."""

    element: str
    value: str
    reason: str
    error_code: str = INCORRECT_DATA_TYPE


@dataclass
class Commit:
    """What one LMSCommit/LMSFinish says: (record kind, statement) pairs, and the elements refused."""

    statements: list[tuple[str, dict]] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)


def duration(timespan: str, element: str = "cmi.core.session_time") -> str:
    """CMITimespan `HHHH:MM:SS.SS` as an ISO 8601 duration (`PT1H2M3.5S`)."""
    match = _TIMESPAN.fullmatch(timespan)
    if not match or int(match[2]) > 59 or int(match[3]) > 59:
        raise ScormError(f"{element} {timespan!r} is not a CMITimespan (HHHH:MM:SS.SS)", element, timespan)
    hours, minutes, seconds, hundredths = match.groups()
    second = f"{int(seconds)}" + (f".{hundredths.rstrip('0')}" if hundredths and hundredths.rstrip("0") else "")
    return f"PT{int(hours)}H{int(minutes)}M{second}S"


def _decimal(cmi: Mapping[str, str], element: str) -> float | None:
    text = cmi.get(element, "")
    if text == "":
        return None
    if not _DECIMAL.fullmatch(text):
        raise ScormError(f"{element} {text!r} is not a CMIDecimal", element, text)
    number = float(text)
    return int(number) if number.is_integer() else number


def score(cmi: Mapping[str, str]) -> dict | None:
    """cmi.core.score.raw/min/max as an xAPI score, with `scaled` = (raw - min) / (max - min)."""
    raw = _decimal(cmi, "cmi.core.score.raw")
    if raw is None:
        return None
    low = _decimal(cmi, "cmi.core.score.min")
    high = _decimal(cmi, "cmi.core.score.max")
    low = SCORE_MIN if low is None else low
    high = SCORE_MAX if high is None else high
    if not low < high:
        raise ScormError(f"cmi.core.score.min ({low}) must be below cmi.core.score.max ({high})",
                         "cmi.core.score.min", cmi.get("cmi.core.score.min", ""))
    if not low <= raw <= high:
        raise ScormError(f"cmi.core.score.raw ({raw}) must be from cmi.core.score.min ({low}) to max ({high})",
                         "cmi.core.score.raw", cmi["cmi.core.score.raw"])
    scaled = round((raw - low) / (high - low), 4)
    return {"scaled": scaled, "raw": raw, "min": low, "max": high}


def response(kind: str, value: str, element: str = "cmi.interactions.n.student_response") -> str:
    """A SCORM 1.2 response (student_response or a correct_responses pattern) in xAPI's format."""
    if kind == "true-false":
        if value not in ("t", "f", "true", "false", "0", "1"):
            raise ScormError(f"{element} {value!r} is not a true-false response (t or f)", element, value)
        return "true" if value in ("t", "true", "1") else "false"
    if kind in ("choice", "sequencing"):
        return "[,]".join(part.strip() for part in value.split(","))
    if kind == "matching":
        return "[,]".join(pair.strip().replace(".", "[.]", 1) for pair in value.split(","))
    return value


def _interactions(cmi: Mapping[str, str]) -> dict[int, dict[str, str]]:
    found: dict[int, dict[str, str]] = {}
    for element, value in cmi.items():
        match = _INTERACTION.fullmatch(element)
        if match:
            found.setdefault(int(match[1]), {})[match[2]] = value
    return dict(sorted(found.items()))


def cut(text: str, limit: int) -> str:
    """At most `limit` characters, ending in … when cut."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def statement_key(what: str, result: dict, definition: dict | None = None) -> str:
    """The name a statement's UUID v5 is made from, under the attempt: what it is about (`status/passed/passed`,
    `interaction/0/q1`) and all it says, so a new value is a new statement and the same values the same one."""
    said = json.dumps({"result": result, "definition": definition or {}}, sort_keys=True, separators=(",", ":"))
    return f"{what}/{said}"


def attempt_context(registration: uuid.UUID, course: str) -> dict:
    """The xAPI context of every statement of one attempt: its registration, under the course."""
    return {"registration": str(registration),
            "contextActivities": {"parent": [{"objectType": "Activity", "id": xapi.activity_id(course)}]}}


def built_statement(learner: str, registration: uuid.UUID, context: dict, timestamp: str, what: str, verb: str,
                    object_id: str, result: dict, definition: dict | None = None) -> dict:
    """One statement of a commit (SCORM 1.2 or 2004), its id from the attempt and all it says (statement_key);
    xapi.XapiError where a value breaks an xAPI rule, for the caller to refuse that element alone."""
    statement_id = str(uuid.uuid5(registration, statement_key(what, result, definition)))
    built = xapi.statement(learner, verb, object_id, result=result or None, context=context,
                           statement_id=statement_id, timestamp=timestamp)
    if definition:
        built["object"]["definition"] = definition
        xapi.validate(built)
    return built


def commit(cmi: Mapping[str, str], *, learner: str, course: str, item: str, attempt: str,
           timestamp: str) -> Commit:
    """The statements the values make, each element standing alone: one progress_statement for the lesson
    status (or `scored` for a score without one), one quiz_answer per interaction; a value outside the data
    model is a Refusal, and what does not depend on it is mapped as usual. Raises ScormError only for an
    attempt that is not a UUID (the runtime's mistake, not the content's)."""
    try:
        registration = uuid.UUID(attempt)
    except ValueError:
        raise ScormError(f"the attempt {attempt!r} is not a UUID", "attempt", attempt) from None
    context = attempt_context(registration, course)
    out = Commit()

    def refuse(exc: ScormError) -> None:  # kept and shown to support: a hostile value is cut short
        out.refused.append(Refusal(exc.element, cut(exc.value, MAX_KEPT), cut(exc.reason, 2 * MAX_KEPT)))

    def add(kind: str, what: str, verb: str, object_id: str, result: dict, definition: dict | None = None):
        try:
            built = built_statement(learner, registration, context, timestamp, what, verb, object_id, result,
                                    definition)
        except xapi.XapiError as exc:  # a value the checks above let through: this statement alone is left out
            element = "cmi.core" if what.startswith("status/") else "cmi.interactions." + what.split("/")[1]
            refuse(ScormError(f"{element}: its statement breaks an xAPI rule ({exc.reason}), left out", element))
            return
        out.statements.append((kind, built))

    status = cmi.get("cmi.core.lesson_status", "")
    if status and status not in STATUS_VERBS:
        refuse(ScormError(f"cmi.core.lesson_status {status!r} is not one of {', '.join(STATUS_VERBS)}",
                          "cmi.core.lesson_status", status))
        status = ""
    verb, result = STATUS_VERBS.get(status, (None, {}))
    result = dict(result)
    try:
        if (points := score(cmi)) is not None:
            result["score"] = points
    except ScormError as exc:
        refuse(exc)
    if cmi.get("cmi.core.session_time"):
        try:
            result["duration"] = duration(cmi["cmi.core.session_time"])
        except ScormError as exc:
            refuse(exc)
    if verb is None and "score" in result:
        verb = "scored"
    if verb is not None:
        add("progress_statement", f"status/{verb}/{status}", verb, xapi.activity_id(course, item), result)
    for n, fields in _interactions(cmi).items():
        try:
            add("quiz_answer", *_interaction(n, fields, course, item, refuse))
        except ScormError as exc:
            refuse(exc)
    return out


def statements(cmi: Mapping[str, str], *, learner: str, course: str, item: str, attempt: str,
               timestamp: str) -> list[tuple[str, dict]]:
    """commit()'s statements when nothing is refused; raises ScormError naming the first element refused."""
    made = commit(cmi, learner=learner, course=course, item=item, attempt=attempt, timestamp=timestamp)
    if made.refused:
        first = made.refused[0]
        raise ScormError(first.reason, first.element, first.value)
    return made.statements


def _interaction(n: int, fields: dict[str, str], course: str, item: str, refuse) -> tuple:
    """An interaction's statement parts; raises ScormError for what leaves it no statement (no id, an unknown
    type, a response its type does not allow), and passes a bad latency or pattern to `refuse`, leaving it out."""
    element = f"cmi.interactions.{n}"
    ident = fields.get("id", "")
    if not ident:
        raise ScormError(f"{element}.id is missing: the interaction is left out", f"{element}.id", "")
    if not _IDENTIFIER.fullmatch(ident):
        raise ScormError(f"{element}.id {ident[:80]!r} is not a CMIIdentifier (at most 255 printable characters, "
                         "no spaces)", f"{element}.id", ident)
    kind = fields.get("type", "")
    if kind not in INTERACTION_TYPES:
        raise ScormError(f"{element}.type {kind!r} is not one of {', '.join(INTERACTION_TYPES)}",
                         f"{element}.type", kind)
    result: dict = {"response": response(kind, fields.get("student_response", ""), f"{element}.student_response")}
    if fields.get("result") in ("correct", "wrong"):
        result["success"] = fields["result"] == "correct"
    if fields.get("latency"):
        try:
            result["duration"] = duration(fields["latency"], f"{element}.latency")
        except ScormError as exc:
            refuse(exc)
    numbered = {int(match[1]): value for key, value in fields.items()
                if (match := re.fullmatch(r"correct_responses\.(\d+)\.pattern", key))}
    definition = {"type": CMI_INTERACTION_ACTIVITY, "interactionType": kind}
    try:
        patterns = [response(kind, numbered[i], f"{element}.correct_responses.{i}.pattern") for i in sorted(numbered)]
    except ScormError as exc:  # a pattern list with one left out would mislead: none at all
        refuse(exc)
        patterns = []
    if patterns:
        definition["correctResponsesPattern"] = patterns
    return f"interaction/{n}/{ident}", "answered", xapi.activity_id(course, f"{item}/{ident}"), result, definition
