"""SCORM 2004 (3rd and 4th editions) runtime values as xAPI statements: a pure mapping, no I/O, the
SCORM 1.2 mapping's twin (tablet/scorm.py) for content that looks for `API_1484_11`.

The runtime keeps what `SetValue(element, value)` set and, on `Commit` or `Terminate`, calls
`commit()`. What is the same as SCORM 1.2: the attempt is `context.registration`; statement ids are
UUID v5 of the attempt and all a statement says (`scorm.statement_key`), so the same values again
make the same ids and a new value a new statement; one value outside the data model refuses that
element alone (`scorm.Refusal`) and the rest is mapped. What differs: success and completion are two
elements (`cmi.success_status`, `cmi.completion_status`); `cmi.score.scaled` is given by the
content; durations are already ISO 8601; responses are already in xAPI's format (xAPI took it from
SCORM 2004). The error codes are SCORM 2004's: 406 (type mismatch) and 407 (out of range).
`cmi.location` and `cmi.suspend_data` are resume state the runtime keeps, not statements.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping

from tablet.scorm import (
    CMI_INTERACTION_ACTIVITY,
    MAX_KEPT,
    Commit,
    Refusal,
    attempt_context,
    built_statement,
    cut,
)
from wire import xapi

TYPE_MISMATCH, OUT_OF_RANGE = "406", "407"  # SCORM 2004's GetLastError for a value SetValue refuses

SUCCESS = {"passed": True, "failed": False, "unknown": None}  # cmi.success_status
COMPLETION = {"completed": True, "incomplete": False, "not attempted": None, "unknown": None}  # cmi.completion_status
INTERACTION_TYPES = ("true-false", "choice", "fill-in", "long-fill-in", "matching", "performance", "sequencing",
                     "likert", "numeric", "other")
INTERACTION_RESULTS = {"correct": True, "incorrect": False, "unanticipated": None, "neutral": None}

_REAL = re.compile(r"-?\d{1,10}(?:\.\d{1,7})?")  # real(10,7)
_TIMEINTERVAL = re.compile(r"P(?:\d+Y)?(?:\d+M)?(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d{1,2})?S)?)?")
_LONG_IDENTIFIER = re.compile(r"[!-~]{1,4000}")  # long_identifier_type: printable, no white space
_INTERACTION = re.compile(r"cmi\.interactions\.(\d{1,4})\.(.+)")


class Refused(ValueError):
    def __init__(self, element: str, value: str, reason: str, code: str = TYPE_MISMATCH):
        super().__init__(reason)
        self.refusal = Refusal(element, cut(value, MAX_KEPT), cut(reason, 2 * MAX_KEPT), code)


def duration(value: str, element: str = "cmi.session_time") -> str:
    """A SCORM 2004 timeinterval (ISO 8601, seconds to hundredths), checked: it is already xAPI's form."""
    if value in ("P", "PT") or value.endswith("T") or not _TIMEINTERVAL.fullmatch(value):
        raise Refused(element, value, f"{element} {value!r} is not a timeinterval (ISO 8601, e.g. PT1H30M5.5S)")
    return value


def _real(cmi: Mapping[str, str], element: str) -> float | None:
    text = cmi.get(element, "")
    if text == "":
        return None
    if not _REAL.fullmatch(text):
        raise Refused(element, text, f"{element} {text!r} is not a real(10,7)")
    number = float(text)
    return int(number) if number.is_integer() else number


def score(cmi: Mapping[str, str]) -> dict | None:
    """cmi.score.scaled/raw/min/max as an xAPI score: each as given (scaled from -1 to 1, raw from min to max);
    without scaled, scaled = (raw - min) / (max - min) when all three are there."""
    scaled, raw = _real(cmi, "cmi.score.scaled"), _real(cmi, "cmi.score.raw")
    low, high = _real(cmi, "cmi.score.min"), _real(cmi, "cmi.score.max")
    if scaled is not None and not -1 <= scaled <= 1:
        raise Refused("cmi.score.scaled", cmi["cmi.score.scaled"], f"cmi.score.scaled ({scaled}) must be from -1 to 1",
                      OUT_OF_RANGE)
    if low is not None and high is not None and not low < high:
        raise Refused("cmi.score.min", cmi["cmi.score.min"], f"cmi.score.min ({low}) must be below cmi.score.max "
                      f"({high})", OUT_OF_RANGE)
    if raw is not None and not ((low is None or low <= raw) and (high is None or raw <= high)):
        raise Refused("cmi.score.raw", cmi["cmi.score.raw"], f"cmi.score.raw ({raw}) must be from cmi.score.min "
                      f"({low}) to cmi.score.max ({high})", OUT_OF_RANGE)
    if scaled is None and None not in (raw, low, high):
        scaled = round((raw - low) / (high - low), 4)
    found = {name: value for name, value in (("scaled", scaled), ("raw", raw), ("min", low), ("max", high))
             if value is not None}
    return found if "scaled" in found or "raw" in found else None


def response(kind: str, value: str, element: str) -> str:
    """A SCORM 2004 response or pattern: already in xAPI's format; a true-false one must be true or false."""
    if kind == "true-false" and value not in ("true", "false"):
        raise Refused(element, value, f"{element} {value!r} is not a true-false response (true or false)")
    return value


def commit(cmi: Mapping[str, str], *, learner: str, course: str, item: str, attempt: str,
           timestamp: str) -> Commit:
    """The statements SCORM 2004 values make, each element standing alone: one progress_statement (passed or
    failed from cmi.success_status, else completed or progressed from cmi.completion_status, else scored for
    a score alone), one quiz_answer per interaction. Raises ValueError only for an attempt that is not a UUID."""
    registration = uuid.UUID(attempt)
    context = attempt_context(registration, course)
    out = Commit()

    def add(kind: str, what: str, verb: str, object_id: str, result: dict, definition: dict | None = None):
        try:
            built = built_statement(learner, registration, context, timestamp, what, verb, object_id, result,
                                    definition)
        except xapi.XapiError as exc:
            element = "cmi" if what.startswith("status/") else "cmi.interactions." + what.split("/")[1]
            out.refused.append(Refused(element, "", f"{element}: its statement breaks an xAPI rule "
                                       f"({exc.reason}), left out").refusal)
            return
        out.statements.append((kind, built))

    result: dict = {}
    success = _status(cmi, "cmi.success_status", SUCCESS, out)
    completion = _status(cmi, "cmi.completion_status", COMPLETION, out)
    if success is not None:
        result["success"] = success
    if completion is not None:
        result["completion"] = completion
    try:
        if (points := score(cmi)) is not None:
            result["score"] = points
    except Refused as exc:
        out.refused.append(exc.refusal)
    if cmi.get("cmi.session_time"):
        try:
            result["duration"] = duration(cmi["cmi.session_time"])
        except Refused as exc:
            out.refused.append(exc.refusal)
    verb = ({True: "passed", False: "failed"}.get(success) or {True: "completed", False: "progressed"}.get(completion)
            or ("scored" if "score" in result else None))
    if verb is not None:
        status = f"{cmi.get('cmi.success_status', '')}/{cmi.get('cmi.completion_status', '')}"
        add("progress_statement", f"status/{verb}/{status}", verb, xapi.activity_id(course, item), result)
    for n, fields in _interactions(cmi).items():
        try:
            add("quiz_answer", *_interaction(n, fields, course, item, out))
        except Refused as exc:
            out.refused.append(exc.refusal)
    return out


def _status(cmi: Mapping[str, str], element: str, values: dict[str, bool | None], out: Commit) -> bool | None:
    value = cmi.get(element, "")
    if value and value not in values:
        out.refused.append(Refused(element, value, f"{element} {value!r} is not one of {', '.join(values)}").refusal)
        return None
    return values.get(value)


def _interactions(cmi: Mapping[str, str]) -> dict[int, dict[str, str]]:
    found: dict[int, dict[str, str]] = {}
    for element, value in cmi.items():
        if match := _INTERACTION.fullmatch(element):
            found.setdefault(int(match[1]), {})[match[2]] = value
    return dict(sorted(found.items()))


def _interaction(n: int, fields: dict[str, str], course: str, item: str, out: Commit) -> tuple:
    element = f"cmi.interactions.{n}"
    ident = fields.get("id", "")
    if not _LONG_IDENTIFIER.fullmatch(ident):
        raise Refused(f"{element}.id", ident, f"{element}.id {ident[:80]!r} is not a long_identifier_type (printable, "
                      "no spaces, at most 4000 characters): the interaction is left out")
    kind = fields.get("type", "")
    if kind not in INTERACTION_TYPES:
        raise Refused(f"{element}.type", kind, f"{element}.type {kind!r} is not one of {', '.join(INTERACTION_TYPES)}")
    result: dict = {"response": response(kind, fields.get("learner_response", ""), f"{element}.learner_response")}
    outcome = fields.get("result", "")
    if outcome in INTERACTION_RESULTS:
        if INTERACTION_RESULTS[outcome] is not None:
            result["success"] = INTERACTION_RESULTS[outcome]
    elif outcome and not _REAL.fullmatch(outcome):
        out.refused.append(Refused(f"{element}.result", outcome, f"{element}.result {outcome!r} is not one of "
                                   f"{', '.join(INTERACTION_RESULTS)} or a real number").refusal)
    if fields.get("latency"):
        try:
            result["duration"] = duration(fields["latency"], f"{element}.latency")
        except Refused as exc:
            out.refused.append(exc.refusal)
    numbered = {int(match[1]): value for key, value in fields.items()
                if (match := re.fullmatch(r"correct_responses\.(\d+)\.pattern", key))}
    definition: dict = {"type": CMI_INTERACTION_ACTIVITY, "interactionType": kind}
    try:
        patterns = [response(kind, numbered[i], f"{element}.correct_responses.{i}.pattern") for i in sorted(numbered)]
    except Refused as exc:  # one left out would mislead: none at all
        out.refused.append(exc.refusal)
        patterns = []
    if patterns:
        definition["correctResponsesPattern"] = patterns
    if fields.get("description"):
        definition["description"] = {xapi.LANGUAGE: fields["description"]}
    return f"interaction/{n}/{ident}", "answered", xapi.activity_id(course, f"{item}/{ident}"), result, definition
