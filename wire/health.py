"""An edge's status report: what it sends the hub every few minutes (POST /v1/edge/health).

Versioned JSON (`"format": 1`), one flat object of sections:

    {"format": 1, "edge_id": "edge-1", "sent_at": "2026-12-07T15:02:00.000Z",
     "software": {"version": "0.1.0", "started_at": "...", "uptime_s": 3600.0},
     "alarms": [{"code": "crl_expiring", "since": "...", "message": "...", "what_to_do": "..."}],
     "outbox": {"records": 12, "bytes": 4096, "oldest": "..." | null, "batches": 1},
     "last_delivery": "..." | null,
     "clock_skew_s": -0.4 | null,                       (hub clock minus the edge's, from the last answer)
     "disk": {"free_bytes": ..., "total_bytes": ...},
     "certificates": {"edge_client": "...", "server": "...", "tablet_ca": "...", "crl": "..."},  (not after; null: none)
     "tablets": {"enrolled": 50, "active_24h": 41, "revoked": 2},
     "courses": [{"course": "maths-one", "status": "completed", "stage": null, "version": 3, "current": 3,
                  "last_sync": "...", "last_error": null}]}

`validate` is what the hub runs on every report: every key required, none unknown, every size bounded;
a report it cannot take raises HealthReportError naming the field and what it must be. Pure.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable

from wire.errors import CodedError
from wire.records import timestamp_problem, valid_dns_label

FORMAT = 1
MAX_REPORT_BYTES = 64 * 1024
MAX_ALARMS = 50
MAX_COURSES = 200
MAX_TEXT = 1000
"""Characters in an alarm's message or what to do, or a course's last error."""
MAX_NAME = 64
MAX_COUNT = 2**53  # JSON's exact integers
MAX_SKEW_S = 10 * 365 * 86400.0

CERTIFICATES = ("edge_client", "server", "tablet_ca", "crl")
COURSE_STATUSES = ("pending", "started", "completed", "errored")


class HealthReportError(CodedError):
    """A report the hub does not take: `field` names where (e.g. `alarms[2].code`)."""

    def __init__(self, field: str, what: str):
        super().__init__("bad_report", f"{field} {what}")
        self.field = field


def _object(value, field: str, keys: dict[str, Callable]) -> dict:
    if not isinstance(value, dict):
        raise HealthReportError(field, "must be a JSON object")

    def path(key: str) -> str:
        return key if field == "report" else f"{field}.{key}"

    for key in keys:
        if key not in value:
            raise HealthReportError(path(key), "is missing")
    for key in value:
        if key not in keys:
            raise HealthReportError(path(str(key)[:MAX_NAME]), "is not a key this hub knows (report format "
                                    f"{FORMAT})")
    return {key: check(value[key], path(key)) for key, check in keys.items()}


def _count(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        raise HealthReportError(field, f"must be a whole number from 0 to {MAX_COUNT}")
    return value


def _number(value, field: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
            or not low <= value <= high:
        raise HealthReportError(field, f"must be a number from {low:g} to {high:g}")
    return float(value)


def _text(value, field: str, most: int = MAX_TEXT) -> str:
    if not isinstance(value, str) or len(value) > most:
        raise HealthReportError(field, f"must be text of at most {most} characters")
    return value


def _name(value, field: str) -> str:
    if not isinstance(value, str) or not value or len(value) > MAX_NAME or not value.isprintable():
        raise HealthReportError(field, f"must be a name of 1 to {MAX_NAME} printable characters")
    return value


def _time(value, field: str) -> str:
    problem = timestamp_problem(value)
    if problem:
        raise HealthReportError(field, problem)
    return value


def optional(check: Callable) -> Callable:
    return lambda value, field: None if value is None else check(value, field)


def _list(value, field: str, most: int, item: Callable) -> list:
    if not isinstance(value, list) or len(value) > most:
        raise HealthReportError(field, f"must be a list of at most {most}")
    return [item(entry, f"{field}[{i}]") for i, entry in enumerate(value)]


def _format(value, field: str) -> int:
    if value != FORMAT or isinstance(value, bool):
        raise HealthReportError(field, f"must be {FORMAT}: this hub reads report format {FORMAT} only "
                                       "(an edge newer than the hub? upgrade the hub first)")
    return value


def _edge_id(value, field: str) -> str:
    if not isinstance(value, str) or not valid_dns_label(value):
        raise HealthReportError(field, "must be an edge id (one DNS label)")
    return value


def _status(value, field: str) -> str:
    if value not in COURSE_STATUSES:
        raise HealthReportError(field, f"must be one of {', '.join(COURSE_STATUSES)}")
    return value


_SOFTWARE = {"version": _name, "started_at": _time,
             "uptime_s": lambda v, f: _number(v, f, 0, MAX_SKEW_S)}
_ALARM = {"code": _name, "since": _time, "message": _text, "what_to_do": _text}
_OUTBOX = {"records": _count, "bytes": _count, "oldest": optional(_time), "batches": _count}
_DISK = {"free_bytes": _count, "total_bytes": _count}
_CERTIFICATES = dict.fromkeys(CERTIFICATES, optional(_time))
_TABLETS = {"enrolled": _count, "active_24h": _count, "revoked": _count}
_COURSE = {"course": _name, "status": _status, "stage": optional(_name), "version": optional(_count),
           "current": optional(_count), "last_sync": optional(_time), "last_error": optional(_text)}

REPORT = {
    "format": _format,
    "edge_id": _edge_id,
    "sent_at": _time,
    "software": lambda v, f: _object(v, f, _SOFTWARE),
    "alarms": lambda v, f: _list(v, f, MAX_ALARMS, lambda a, g: _object(a, g, _ALARM)),
    "outbox": lambda v, f: _object(v, f, _OUTBOX),
    "last_delivery": optional(_time),
    "clock_skew_s": optional(lambda v, f: _number(v, f, -MAX_SKEW_S, MAX_SKEW_S)),
    "disk": lambda v, f: _object(v, f, _DISK),
    "certificates": lambda v, f: _object(v, f, _CERTIFICATES),
    "tablets": lambda v, f: _object(v, f, _TABLETS),
    "courses": lambda v, f: _list(v, f, MAX_COURSES, lambda c, g: _object(c, g, _COURSE)),
}


def validate(report) -> dict:
    """The report as the hub keeps it, or HealthReportError saying which field is wrong and how."""
    return _object(report, "report", REPORT)


def parse(body: bytes) -> dict:
    """A report from a request body: at most MAX_REPORT_BYTES of JSON, then `validate`."""
    if len(body) > MAX_REPORT_BYTES:
        raise HealthReportError("report", f"is {len(body)} bytes; at most {MAX_REPORT_BYTES}")
    try:
        report = json.loads(body)
    except (ValueError, RecursionError):
        raise HealthReportError("report", "is not JSON") from None
    return validate(report)


def dumps(report: dict) -> str:
    """The report as compact JSON text (what the edge sends and the hub stores)."""
    return json.dumps(report, separators=(",", ":"), ensure_ascii=False)


def size(report: dict) -> int:
    return len(dumps(report).encode())


def fit(report: dict, most: int = MAX_REPORT_BYTES) -> dict:
    """The report cut to at most `most` bytes, so a hub never refuses it for its size: course errors and
    alarm texts shortened to 200 characters first, then the last courses left out, then the last alarms.
    Alarms come first because each one tells someone what to do."""
    if size(report) <= most:
        return report
    short = {**report,
             "courses": [{**c, "last_error": _short(c["last_error"])} for c in report["courses"]],
             "alarms": [{**a, "message": _short(a["message"]), "what_to_do": _short(a["what_to_do"])}
                        for a in report["alarms"]]}
    for key in ("courses", "alarms"):
        while size(short) > most and short[key]:
            short[key] = short[key][:len(short[key]) * 3 // 4]
    return short


def _short(text: str | None, most: int = 200) -> str | None:
    return text if text is None or len(text) <= most else text[:most - 1] + "…"
