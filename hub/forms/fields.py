"""Each value of a form submission checked against its field (the field list of hub/forms/xlsform.py).
Pure functions: no I/O. A bad value raises FieldRefused naming the field (its path) and what to send.

What a phone sends for each type (the submission's `values`, keyed by field path):

    text             a string (at most MAX_TEXT characters)
    integer          a JSON whole number
    decimal          a JSON number
    date             "YYYY-MM-DD"
    select_one       a choice's name
    select_multiple  a list of choices' names, each once
    image, signature {"sha256", "type", "bytes"}: a photo uploaded first (image/jpeg, image/png, image/webp)
    audio            {"sha256", "type", "bytes"}: a voice note uploaded first (audio/ogg, webm, mp4, amr)
    geopoint         {"lat", "lon", "altitude" (optional), "accuracy" (metres), "mock": bool}
    start, end       RFC 3339 times the app fills in; today: "YYYY-MM-DD"

A field not answered is left out (or null); a required one must be there. Notes and groups hold no value.
Skip logic, required-if, constraints that are expressions, filtered choices and calculations are checked
after each value's own checks, by hub/forms/logic.py: a calculate field's value is the hub's own.

Geopoint: a fix within the form's warning accuracy is accepted as it is. One worse than the warning
accuracy is accepted and flagged `poor_accuracy` (the person may have had no better fix where they were; a
worker decides what it means), and one the phone marked as from a mock location is accepted and flagged
`mock_location`: the hub never refuses evidence, it says what is doubtful about it. With no warning
accuracy in the form, no accuracy is flagged. The capture accuracy is for the app (it stops waiting for a
better fix once it has one this good) and is not checked here.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date

from hub.forms import expressions, logic, patterns
from wire import media
from wire.records import timestamp_problem, valid_sha256

MAX_TEXT = 10_000
NO_VALUE = ("group", "note")
CALCULATED = ("calculate",)
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
ATTACHED = ("image", "signature", "audio")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class FieldRefused(ValueError):
    def __init__(self, path: str, reason: str):
        super().__init__(f"field '{path}': {reason}")
        self.path, self.reason = path, reason


@dataclass(frozen=True)
class Checked:
    values: dict
    """path -> the value as stored."""
    attachments: dict[str, dict]
    """path -> {"sha256", "type", "bytes"} for the fields with a file (to be found uploaded)."""
    flags: dict[str, list[str]]
    """path -> what is doubtful about an accepted value (poor_accuracy, mock_location)."""


def _date(path: str, value) -> date:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise FieldRefused(path, f"send a date as YYYY-MM-DD, like 2027-01-05 (not {value!r})")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FieldRefused(path, f"{value} is not a day of the calendar") from None


def _bound(bound, kind: str, today: date):
    if kind == "date":
        return today if bound == "today" else date.fromisoformat(bound)
    return bound


def _range(path: str, value, constraint: dict, kind: str, today: date) -> None:
    checks = {"ge": (lambda v, b: v >= b, "at least"), "gt": (lambda v, b: v > b, "more than"),
              "le": (lambda v, b: v <= b, "at most"), "lt": (lambda v, b: v < b, "less than")}
    for key, (ok, words) in checks.items():
        if key in constraint:
            bound = _bound(constraint[key], kind, today)
            if not ok(value, bound):
                shown = "today" if constraint[key] == "today" else bound
                raise FieldRefused(path, f"{value} must be {words} {shown}")


def _number(path: str, value, kind: str):
    if kind == "integer":
        if type(value) is not int:
            raise FieldRefused(path, f"send a whole number, like 42 (not {value!r})")
        return value
    if type(value) not in (int, float) or not math.isfinite(value):
        raise FieldRefused(path, f"send a number, like 12.5 (not {value!r})")
    return value


def _text(path: str, value, constraint: dict) -> str:
    if not isinstance(value, str):
        raise FieldRefused(path, f"send text (not {value!r})")
    if len(value) > MAX_TEXT:
        raise FieldRefused(path, f"the text is {len(value)} characters; the most is {MAX_TEXT}")
    if "max_length" in constraint and len(value) > constraint["max_length"]:
        raise FieldRefused(path, f"the text is {len(value)} characters; the most here is {constraint['max_length']}")
    if "min_length" in constraint and len(value) < constraint["min_length"]:
        raise FieldRefused(path, f"the text is {len(value)} characters; it needs at least {constraint['min_length']}")
    pattern = constraint.get("pattern")
    if pattern and not patterns.pattern_problem(pattern) and not patterns.matches(value, pattern):
        raise FieldRefused(path, "the text is not in the form this question asks for")
    return value


def _choices(path: str, value, field: dict):
    names = [choice["name"] for choice in field.get("choices", [])]
    if field["type"] == "select_one":
        if value not in names:
            raise FieldRefused(path, f"{value!r} is not one of its choices: {', '.join(names)}")
        return value
    if not isinstance(value, list) or len(set(map(str, value))) != len(value):
        raise FieldRefused(path, "send a list of its choices' names, each once")
    for item in value:
        if item not in names:
            raise FieldRefused(path, f"{item!r} is not one of its choices: {', '.join(names)}")
    constraint = field.get("constraint", {})
    if len(value) > constraint.get("max_selected", len(names)):
        raise FieldRefused(path, f"choose at most {constraint['max_selected']}")
    if len(value) < constraint.get("min_selected", 0):
        raise FieldRefused(path, f"choose at least {constraint['min_selected']}")
    return value


def _attachment(path: str, value, kind: str) -> dict:
    wanted = PHOTO_TYPES if kind in ("image", "signature") else tuple(t for t, k in media.TYPES.items()
                                                                      if k == media.VOICE)
    what = "a photo (JPEG, PNG or WebP)" if kind == "image" else "a signature as a picture (PNG, JPEG or WebP)" \
        if kind == "signature" else "a voice note (Ogg Opus, WebM, M4A or AMR)"
    if not isinstance(value, dict) or not valid_sha256(value.get("sha256")) or type(value.get("bytes")) is not int \
            or value.get("type") not in wanted:
        raise FieldRefused(path, f'send {what} uploaded first, as {{"sha256", "type", "bytes"}}')
    return {"sha256": value["sha256"], "type": value["type"], "bytes": value["bytes"]}


def _geopoint(path: str, value, field: dict) -> tuple[dict, list[str]]:
    if not isinstance(value, dict):
        raise FieldRefused(path, 'send {"lat", "lon", "accuracy", "mock"} (and "altitude" if known)')
    point = {}
    for key, low, high, needed in (("lat", -90, 90, True), ("lon", -180, 180, True),
                                   ("altitude", -1000, 100_000, False), ("accuracy", 0, 1e7, True)):
        number = value.get(key)
        if number is None and not needed:
            continue
        if type(number) not in (int, float) or not math.isfinite(number) or not low <= number <= high:
            raise FieldRefused(path, f"'{key}' must be a number from {low} to {high}"
                               + (" (metres)" if key in ("altitude", "accuracy") else ""))
        point[key] = number
    if not isinstance(value.get("mock"), bool):
        raise FieldRefused(path, "'mock' must be true or false: whether the phone said the location was mocked")
    point["mock"] = value["mock"]
    flags = []
    if "warning_accuracy" in field and point["accuracy"] > field["warning_accuracy"]:
        flags.append("poor_accuracy")
    if point["mock"]:
        flags.append("mock_location")
    return point, flags


def check_value(field: dict, value, today: date) -> tuple[object, list[str]]:
    """One answered field's value as stored, and its flags; FieldRefused for a bad one."""
    path, kind, constraint = field["path"], field["type"], field.get("constraint", {})
    if kind in ("text",):
        return _text(path, value, constraint), []
    if kind in ("integer", "decimal"):
        number = _number(path, value, kind)
        _range(path, number, constraint, kind, today)
        return number, []
    if kind in ("date", "today"):
        day = _date(path, value)
        _range(path, day, constraint, "date", today)
        return value, []
    if kind in ("start", "end"):
        problem = timestamp_problem(value) if isinstance(value, str) else "not text"
        if problem:
            raise FieldRefused(path, f"send an RFC 3339 time, like 2027-01-05T09:30:00Z ({problem})")
        return value, []
    if kind in ("select_one", "select_multiple"):
        return _choices(path, value, field), []
    if kind in ATTACHED:
        return _attachment(path, value, kind), []
    if kind == "geopoint":
        return _geopoint(path, value, field)
    raise FieldRefused(path, f"the hub cannot take a value of type {kind}")


def check(fields: list[dict], values, today: date) -> Checked:
    """Every value of a submission against the form version's fields."""
    if not isinstance(values, dict):
        raise FieldRefused("values", "send the answers as an object: field path -> value")
    by_path = {f["path"]: f for f in fields if f["type"] not in NO_VALUE}
    for path in values:
        if path not in by_path:
            raise FieldRefused(str(path)[:100], "this form version has no such field: send the answers to its "
                               "fields only (by their paths, like group/name)")
    stored, attachments, flags = {}, {}, {}
    for path, field in by_path.items():
        value = values.get(path)
        if value is None or value == "" or value == [] or field["type"] in CALCULATED:
            continue  # required (where asked) and calculations: logic.apply below
        stored[path], found = check_value(field, value, today)
        if field["type"] in ATTACHED:
            attachments[path] = stored[path]
        if found:
            flags[path] = found
    try:
        calculated, logic_flags = logic.apply(fields, stored, values, today)
    except logic.LogicRefused as refused:
        raise FieldRefused(refused.path, refused.reason) from None
    except expressions.ExpressionRefused as refused:  # a text too long to make (expressions.MAX_TEXT_CHARS)
        raise FieldRefused("values", f"the form's logic cannot be checked on these answers: {refused.reason}") from None
    ordered = {f["path"]: stored.get(f["path"], calculated.get(f["path"])) for f in fields}
    return Checked({k: v for k, v in ordered.items() if v is not None}, attachments, {**flags, **logic_flags})


def too_many_pixels(field: dict, width: int, height: int) -> str | None:
    """Why a photo of this size is refused for this field (its longest side over max-pixels), or None."""
    most = field.get("max_pixels")
    if most and max(width, height) > most:
        return f"the photo is {width} x {height} pixels; the most here is {most} on its longest side: make it smaller"
    return None
