"""SCORM 1.2 runtime values as xAPI statements: a pure mapping, no I/O.

A SCORM 1.2 package talks to its LMS through `LMSSetValue(element, value)`; the tablet's runtime
adapter keeps those values (`cmi.core.*`, `cmi.interactions.n.*`) and, on `LMSCommit` or
`LMSFinish`, turns them into statements with `statements()`. The table is in docs/learning.md.

Statement ids are made from the attempt (a UUID the runtime makes when the learner opens the
item) and what the statement says, with UUID version 5: committing the same values twice gives
the same ids, which the tablet's outbox, the edge and the hub each store once.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping

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

_TIMESPAN = re.compile(r"(\d{2,4}):(\d{2}):(\d{2})(?:\.(\d{1,2}))?")
_DECIMAL = re.compile(r"-?\d{1,10}(?:\.\d{1,10})?")
_INTERACTION = re.compile(r"cmi\.interactions\.(\d{1,4})\.(.+)")


class ScormError(ValueError):
    """A value the SCORM 1.2 data model does not allow; `reason` names the element."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def duration(timespan: str, element: str = "cmi.core.session_time") -> str:
    """CMITimespan `HHHH:MM:SS.SS` as an ISO 8601 duration (`PT1H2M3.5S`)."""
    match = _TIMESPAN.fullmatch(timespan)
    if not match or int(match[2]) > 59 or int(match[3]) > 59:
        raise ScormError(f"{element} {timespan!r} is not a CMITimespan (HHHH:MM:SS.SS)")
    hours, minutes, seconds, hundredths = match.groups()
    second = f"{int(seconds)}" + (f".{hundredths.rstrip('0')}" if hundredths and hundredths.rstrip("0") else "")
    return f"PT{int(hours)}H{int(minutes)}M{second}S"


def _decimal(cmi: Mapping[str, str], element: str) -> float | None:
    text = cmi.get(element, "")
    if text == "":
        return None
    if not _DECIMAL.fullmatch(text):
        raise ScormError(f"{element} {text!r} is not a CMIDecimal")
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
        raise ScormError(f"cmi.core.score.min ({low}) must be below cmi.core.score.max ({high})")
    if not low <= raw <= high:
        raise ScormError(f"cmi.core.score.raw ({raw}) must be from cmi.core.score.min ({low}) to max ({high})")
    scaled = round((raw - low) / (high - low), 4)
    return {"scaled": scaled, "raw": raw, "min": low, "max": high}


def response(kind: str, value: str, element: str = "cmi.interactions.n.student_response") -> str:
    """A SCORM 1.2 response (student_response or a correct_responses pattern) in xAPI's format."""
    if kind == "true-false":
        if value not in ("t", "f", "true", "false", "0", "1"):
            raise ScormError(f"{element} {value!r} is not a true-false response (t or f)")
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


def statements(cmi: Mapping[str, str], *, learner: str, course: str, item: str, attempt: str,
               timestamp: str) -> list[tuple[str, dict]]:
    """(record kind, statement) for what the values say: one progress_statement for the lesson status
    (or `scored` for a score without one), one quiz_answer per interaction. Raises ScormError."""
    try:
        registration = uuid.UUID(attempt)
    except ValueError:
        raise ScormError(f"the attempt {attempt!r} is not a UUID") from None
    context = {"registration": str(registration),
               "contextActivities": {"parent": [{"objectType": "Activity", "id": xapi.activity_id(course)}]}}
    out: list[tuple[str, dict]] = []

    def add(kind: str, key: str, verb: str, object_id: str, result: dict, definition: dict | None = None):
        built = xapi.statement(learner, verb, object_id, result=result or None, context=context,
                               statement_id=str(uuid.uuid5(registration, key)), timestamp=timestamp)
        if definition:
            built["object"]["definition"] = definition
            xapi.validate(built)
        out.append((kind, built))

    status = cmi.get("cmi.core.lesson_status", "")
    if status and status not in STATUS_VERBS:
        raise ScormError(f"cmi.core.lesson_status {status!r} is not one of {', '.join(STATUS_VERBS)}")
    verb, result = STATUS_VERBS.get(status, (None, {}))
    result = dict(result)
    if (points := score(cmi)) is not None:
        result["score"] = points
    if cmi.get("cmi.core.session_time"):
        result["duration"] = duration(cmi["cmi.core.session_time"])
    if verb is None and "score" in result:
        verb = "scored"
    if verb is not None:
        add("progress_statement", f"status/{verb}/{status}", verb, xapi.activity_id(course, item), result)
    for n, fields in _interactions(cmi).items():
        add("quiz_answer", *_interaction(n, fields, course, item))
    return out


def _interaction(n: int, fields: dict[str, str], course: str, item: str) -> tuple:
    element = f"cmi.interactions.{n}"
    ident = fields.get("id", "")
    if not ident:
        raise ScormError(f"{element}.id is missing")
    kind = fields.get("type", "")
    if kind not in INTERACTION_TYPES:
        raise ScormError(f"{element}.type {kind!r} is not one of {', '.join(INTERACTION_TYPES)}")
    result: dict = {"response": response(kind, fields.get("student_response", ""), f"{element}.student_response")}
    if fields.get("result") in ("correct", "wrong"):
        result["success"] = fields["result"] == "correct"
    if fields.get("latency"):
        result["duration"] = duration(fields["latency"], f"{element}.latency")
    numbered = {int(match[1]): value for key, value in fields.items()
                if (match := re.fullmatch(r"correct_responses\.(\d+)\.pattern", key))}
    patterns = [response(kind, numbered[i], f"{element}.correct_responses.{i}.pattern") for i in sorted(numbered)]
    definition = {"type": CMI_INTERACTION_ACTIVITY, "interactionType": kind}
    if patterns:
        definition["correctResponsesPattern"] = patterns
    return f"interaction/{n}/{ident}", "answered", xapi.activity_id(course, f"{item}/{ident}"), result, definition
