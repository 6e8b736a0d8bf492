"""The record: what a tablet creates, the edge commits, and the hub stores.

A record is a JSON object made on the tablet:

    {"v": 1, "id": "<uuid4>", "kind": "progress_statement", "learner": "L-0042",
     "created": "2026-11-26T20:10:00Z", "seq": 17, "payload": {...}}

The device that sent it is never a field: it is the MQTT username the broker
authenticated, taken from the topic the broker's ACL confines that client to.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from wire.errors import CodedError

VERSION = 1
MAX_RECORD_BYTES = 64 * 1024
"""Largest inline record, as sent (UTF-8 JSON). Larger attachments travel in chunks (later)."""

MAX_SEQ_GAP = 100_000
"""A sequence number more than this far beyond the device's highest committed one is refused."""

KINDS: dict[str, int] = {
    # kind: priority (0 travels first)
    "message": 0,
    "assignment_submission": 1,
    "form_submission": 1,
    "progress_statement": 2,
    "quiz_answer": 2,
    "course_state": 2,  # a SCORM attempt's resume state, so it resumes on the phone (wire.course_state)
    "course_refusal": 2,  # a value a SCORM course sent that the tablet refused, for support (wire.course_refusal)
    # made only by staff at the edge console (STAFF_KINDS); a tablet sending one is refused
    "feedback": 1,
    "award": 2,
    "release": 0,  # the learner was released at the edge: their one-time code's SHA-256 (wire.release)
    "release_plan": 1,  # one field of the learner's release plan, set at the edge console (wire.plans)
}
STAFF_KINDS = frozenset({"feedback", "award", "release", "release_plan"})
"""Kinds the edge's staff console writes straight into the edge store; the relay refuses them from tablets."""
TABLET_KINDS = tuple(kind for kind in KINDS if kind not in STAFF_KINDS)
STAFF_DEVICE = "console"
"""The device id of the records staff make at the edge console: never a tablet's (RESERVED_DEVICES)."""
RESERVED_DEVICES = frozenset({STAFF_DEVICE})
STATEMENT_KINDS = frozenset({"progress_statement", "quiz_answer"})
"""Kinds whose payload is one xAPI statement (wire.xapi) whose `id` is the record's id."""
PRIORITIES = sorted(set(KINDS.values()))

_FIELDS = {"v", "id", "kind", "learner", "created", "seq", "payload"}
_LEARNER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_DEVICE = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})")
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


class RecordError(CodedError):
    """A record the edge refuses. `code` is stable and machine-readable; `reason` is for people."""

    def __init__(self, code: str, reason: str, record_id: str | None = None, retry_after: float | None = None):
        super().__init__(code, reason)
        self.record_id = record_id
        self.retry_after = retry_after  # set: the device keeps the record and sends it again that much later


@dataclass(frozen=True, slots=True)
class Record:
    id: str
    kind: str
    learner: str
    created: str
    seq: int
    payload: dict

    @property
    def priority(self) -> int:
        return KINDS[self.kind]

    def to_dict(self) -> dict:
        return {
            "v": VERSION,
            "id": self.id,
            "kind": self.kind,
            "learner": self.learner,
            "created": self.created,
            "seq": self.seq,
            "payload": self.payload,
        }

    def to_json(self) -> bytes:
        return json.dumps(self.to_dict(), separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def valid_learner(learner: str) -> bool:
    """A learner id as records carry it: 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit."""
    return isinstance(learner, str) and bool(_LEARNER.fullmatch(learner))


def valid_device_id(device: str) -> bool:
    return isinstance(device, str) and bool(_DEVICE.fullmatch(device))


_DNS_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")


def valid_dns_label(label: str) -> bool:
    """One lower-case DNS label (RFC 1123): an edge id, which the hub turns into the edge's DNS name."""
    return isinstance(label, str) and bool(_DNS_LABEL.fullmatch(label))


def valid_sha256(value) -> bool:
    """A SHA-256 as Throughgate names content by it: 64 lower-case hex digits."""
    return isinstance(value, str) and bool(_SHA256.fullmatch(value))


def parse_timestamp(text: str) -> datetime:
    """The moment a timestamp (RFC 3339, as `timestamp` writes it) names."""
    return datetime.fromisoformat(text)


def timestamp(moment: datetime | None = None) -> str:
    """The one timestamp form Throughgate writes: RFC 3339, UTC, milliseconds, `Z`."""
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_record(kind: str, learner: str, seq: int, payload: dict, created: str | None = None,
               record_id: str | None = None) -> Record:
    """Make a record on the device, with a fresh UUID (or `record_id`, one the device chose earlier);
    validated like the edge will. A statement kind's record takes its statement's id (the tablet made
    it), so the two are one."""
    created = created or timestamp()
    if record_id is None and kind in STATEMENT_KINDS and isinstance(payload, dict):
        record_id = payload.get("id") if isinstance(payload.get("id"), str) else None
    record = Record(record_id or str(uuid.uuid4()), kind, learner, created, seq, payload)
    try:
        raw = record.to_json()
    except (ValueError, TypeError) as exc:  # NaN, Infinity, or something JSON cannot hold
        raise RecordError("not_json", f"payload cannot be sent as JSON ({exc})") from None
    return parse_record(raw)


def _schema(condition: bool, reason: str, record_id: str | None) -> None:
    if not condition:
        raise RecordError("bad_schema", reason, record_id)


def parse_record(raw: bytes, *, any_clock: bool = False) -> Record:
    """Validate one record as sent by a tablet. Raises RecordError naming the first problem.

    any_clock: take any RFC 3339 `created`, whatever its year or offset (the hub, for records an
    edge already took in: an older edge let odd times through, and refusing one there would refuse
    its whole batch, and so stop that edge's uplink, over one tablet's clock)."""
    if len(raw) > MAX_RECORD_BYTES:
        raise RecordError("too_large", f"record is {len(raw)} bytes; the limit is {MAX_RECORD_BYTES}")
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_no_constants)
    except (ValueError, RecursionError) as exc:  # bad UTF-8, bad JSON, NaN, a 4,300+ digit number
        raise RecordError("not_json", f"payload is not UTF-8 JSON ({exc.__class__.__name__})") from None
    if _SURROGATE_ESCAPE.search(raw):
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise RecordError("not_json", "payload has an unpaired UTF-16 surrogate escape") from None
    if not isinstance(data, dict):
        raise RecordError("bad_schema", "a record is a JSON object")
    rid = data.get("id") if isinstance(data.get("id"), str) else None
    unknown = set(data) - _FIELDS
    _schema(not unknown, f"unknown field(s): {', '.join(sorted(map(str, unknown)))}", rid)
    missing = _FIELDS - set(data)
    _schema(not missing, f"missing field(s): {', '.join(sorted(missing))}", rid)
    _schema(data["v"] == VERSION and type(data["v"]) is int, f"'v' must be {VERSION}", rid)
    _schema(rid is not None, "'id' must be a UUID string", None)
    try:
        canonical = str(uuid.UUID(rid))
    except ValueError:
        raise RecordError("bad_schema", "'id' must be a UUID string", None) from None
    _schema(canonical == rid, "'id' must be a UUID in canonical lower-case form", None)
    kind = data["kind"]
    _schema(isinstance(kind, str), "'kind' must be a string", rid)
    if kind not in KINDS:
        raise RecordError("unknown_kind", f"kind {kind!r} is not one of {', '.join(KINDS)}", rid)
    learner = data["learner"]
    _schema(isinstance(learner, str) and bool(_LEARNER.fullmatch(learner)),
            "'learner' must be 1-64 characters of letters, digits, '.', '_' or '-'", rid)
    created = data["created"]
    problem = timestamp_problem(created)
    if any_clock and _any_clock_timestamp(created):
        problem = None
    _schema(problem is None, f"'created' {problem}", rid)
    seq = data["seq"]
    _schema(type(seq) is int and 1 <= seq < 2**53, "'seq' must be a whole number from 1", rid)
    _schema(isinstance(data["payload"], dict), "'payload' must be a JSON object", rid)
    return Record(rid, kind, learner, created, seq, data["payload"])


def _no_constants(name: str):
    raise ValueError(f"{name} is not JSON")


EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
"""Timestamps Throughgate accepts lie in [EARLIEST, LATEST). Wide on purpose: a tablet whose clock
was reset (to 1970, say) still delivers its learner's work, and the edge's own `received` says when
it really arrived. Outside it, converting the time could overflow (year 1 at +01:00 is before
datetime's first moment in UTC: a probe's record broke the console's submission page that way)."""
_MAX_OFFSET_MINUTES = 14 * 60
_OFFSET_MINUTES = frozenset({0, 30, 45})
"""Real UTC offsets run from -12:00 to +14:00, at whole, half or three-quarter hours."""


def timestamp_problem(value) -> str | None:
    """Why `value` is not a timestamp Throughgate accepts (RFC 3339 with a real UTC offset, within
    EARLIEST..LATEST), or None. The reasons say what to send instead."""
    if not isinstance(value, str) or len(value) > 40 or not _RFC3339.fullmatch(value):
        return "is not an RFC 3339 timestamp with a time zone (e.g. 2026-11-26T20:10:00.000Z)"
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return "is not a date and time that exists"
    offset = int(parsed.utcoffset().total_seconds()) // 60
    if abs(offset) > _MAX_OFFSET_MINUTES or abs(offset) % 60 not in _OFFSET_MINUTES:
        return "has a UTC offset no place uses (they run from -12:00 to +14:00, in whole, half or 3/4 hours)"
    try:
        moment = parsed.astimezone(UTC)
    except OverflowError:
        moment = None
    if moment is None or not EARLIEST <= moment < LATEST:
        return f"is outside {EARLIEST.year}-{LATEST.year - 1}: check the device's clock"
    return None


def _any_clock_timestamp(value) -> bool:
    """RFC 3339 with a zone, and a date and time that exist, whatever the year or the offset."""
    if not isinstance(value, str) or len(value) > 40 or not _RFC3339.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def is_timestamp(value: str) -> bool:
    return timestamp_problem(value) is None


def check_from_tablet(record: Record) -> None:
    """Refuse a kind that only staff make (the edge console), whatever a tablet claims."""
    if record.kind in STAFF_KINDS:
        raise RecordError("unknown_kind", f"kind {record.kind!r} is staff-only: it is made at the edge's "
                          "staff console, never by a tablet", record.id)


def check_sequence(seq: int, highest_committed: int, record_id: str | None = None) -> None:
    """Refuse a sequence number implausibly far ahead of what this device has sent before."""
    if seq > highest_committed + MAX_SEQ_GAP:
        raise RecordError(
            "seq_from_future",
            f"seq {seq} is more than {MAX_SEQ_GAP} beyond this device's highest ({highest_committed})",
            record_id,
        )
