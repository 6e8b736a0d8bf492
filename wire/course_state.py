"""A SCORM attempt's resume state, as it travels: the record kind `course_state` (tablet -> edge -> hub) and
the phone change of the same kind (phone -> hub). Pure: a payload in, RecordError naming the first rule it
breaks out.

It is xAPI's activity state as cmi5 keeps resume data: one document per agent (the record's learner),
activity (the item, `urn:throughgate:course:<course>/<item>`), registration (the attempt) and state id
(`resume`), holding the values SCORM keeps to resume a unit:

    {"course": "first-aid", "version": 2, "item": "unit-1", "attempt": "<uuid>", "scorm": "1.2" | "2004",
     "seq": 3, "updated": "2026-12-08T01:00:00.000Z", "done": false,
     "values": {"cmi.core.lesson_location": "page-3", "cmi.suspend_data": "...", ...}}

- `values`: only the KEPT elements below, each a string (what the runtime holds);
- `seq`: this attempt's state number (1, 2, 3, ...; a new value each time the state changes), so the newest
  state of one attempt wins whatever the clocks say; across attempts the newest `updated` wins;
- the record's id is UUID v5 of the attempt over `<seq>/<SHA-256 of the values>` (app/src/scorm/runtime.js),
  so the same state sent again is the same record, stored once, and a later state a new one;
- at most MAX_PAYLOAD_BYTES as UTF-8 JSON, so that it fits a record (wire.records.MAX_RECORD_BYTES) and one
  phone sync request (64 KiB). SCORM 1.2's suspend data (4,096 characters) always fits; SCORM 2004's may be
  up to 64,000 characters, and a state that big is refused on the device ("too_large"): the unit still
  resumes there, only not on another device.
"""

from __future__ import annotations

import json
import uuid

from wire.records import RecordError, timestamp_problem, valid_dns_label

KIND = "course_state"
STATE_ID = "resume"
MAX_PAYLOAD_BYTES = 60_000
MAX_ITEM = 200
KEPT = {
    "1.2": ("cmi.core.lesson_location", "cmi.suspend_data", "cmi.core.lesson_status", "cmi.core.score.raw",
            "cmi.core.score.min", "cmi.core.score.max", "cmi.core.exit"),
    "2004": ("cmi.location", "cmi.suspend_data", "cmi.completion_status", "cmi.success_status", "cmi.score.scaled",
             "cmi.score.raw", "cmi.score.min", "cmi.score.max", "cmi.progress_measure", "cmi.exit"),
}
FIELDS = {"course", "version", "item", "attempt", "scorm", "seq", "updated", "done", "values"}


def _uuid(value) -> bool:
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value
    except ValueError:
        return False


def check(payload, record_id: str | None = None) -> None:
    """Raise RecordError (`bad_schema`, or `too_large`) naming the first rule the state breaks."""

    def refuse(reason: str, code: str = "bad_schema"):
        raise RecordError(code, f"a {KIND} payload: {reason}", record_id)

    if not isinstance(payload, dict):
        refuse("it is a JSON object")
    unknown, missing = set(payload) - FIELDS, FIELDS - set(payload)
    if unknown:
        refuse(f"unknown field(s): {', '.join(sorted(map(str, unknown)))}")
    if missing:
        refuse(f"missing field(s): {', '.join(sorted(missing))}")
    if not valid_dns_label(payload["course"]):
        refuse("'course' is a course's name (lower-case letters, digits and '-')")
    for key in ("version", "seq"):
        if type(payload[key]) is not int or not 1 <= payload[key] < 2**31:
            refuse(f"'{key}' is a whole number from 1")
    item = payload["item"]
    if not isinstance(item, str) or not 0 < len(item) <= MAX_ITEM or not item.isprintable():
        refuse(f"'item' is the item's identifier, 1 to {MAX_ITEM} printable characters")
    if not _uuid(payload["attempt"]):
        refuse("'attempt' is the attempt's UUID, in lower case")
    if payload["scorm"] not in KEPT:
        refuse("'scorm' is \"1.2\" or \"2004\"")
    problem = timestamp_problem(payload["updated"])
    if problem:
        refuse(f"'updated' {problem}")
    if type(payload["done"]) is not bool:
        refuse("'done' is true or false")
    problem = _values_problem(payload["values"], payload["scorm"])
    if problem:
        refuse(problem)
    size = len(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode())
    if size > MAX_PAYLOAD_BYTES:
        refuse(f"it is {size} bytes, more than the {MAX_PAYLOAD_BYTES} a resume state may travel with (the unit "
               "resumes on the device that made it, not elsewhere)", "too_large")


def _values_problem(values, scorm: str) -> str | None:
    if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
        return "'values' is an object of SCORM elements and their values, as strings"
    other = set(values) - set(KEPT[scorm])
    if other:
        return f"'values' holds only what SCORM {scorm} keeps to resume, not {', '.join(sorted(other)[:5])}"
    return None


def newer(a: dict, b: dict) -> bool:
    """Whether state `a` is newer than `b`: a later state of the same attempt, else the later `updated`."""
    if a["attempt"] == b["attempt"]:
        return (a["seq"], a["updated"]) > (b["seq"], b["updated"])
    return (a["updated"], a["seq"]) > (b["updated"], b["seq"])
