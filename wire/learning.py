"""What the learning kinds' payloads must hold: checked by the tablet before it records one and
by the edge at intake (a refusal names the rule, as `bad_schema`).

- `progress_statement`, `quiz_answer`: exactly one xAPI statement (wire.xapi.validate) whose `id`
  is the record's id and whose actor is the record's learner (an account on urn:throughgate). A
  quiz answer's verb is `answered`, with `result.response`.
- `assignment_submission`: {"assignment", "course", "text", "attachments": [{"id", "sha256",
  "size", "type", "name"}]}. Attachments travel on their own, in chunks (edge/attachments/api.py);
  the record names them by id and content hash.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import asdict, dataclass

from wire import xapi
from wire.records import STATEMENT_KINDS, Record, RecordError, valid_dns_label, valid_sha256
from wire.text import HIDDEN

SUBMISSION_FIELDS = {"assignment", "course", "text", "attachments"}
ATTACHMENT_FIELDS = {"id", "sha256", "size", "type", "name"}
MAX_ATTACHMENTS = 20
MAX_NAME = 255
MAX_ASSIGNMENT = 200
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}")


@dataclass(frozen=True, slots=True)
class AttachmentRef:
    """An attachment as a submission names it: the id it was uploaded under and what it holds."""

    id: str
    sha256: str
    size: int
    type: str
    name: str

    def to_dict(self) -> dict:
        return asdict(self)


def valid_uuid(value) -> bool:
    """A UUID in canonical lower-case form (what Throughgate makes and accepts as an id)."""
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value
    except ValueError:
        return False


def valid_media_type(value) -> bool:
    """`type/subtype` in lower case, without parameters (image/jpeg, audio/mp4)."""
    return isinstance(value, str) and bool(_MEDIA_TYPE.fullmatch(value))


def name_problem(name) -> str | None:
    """Why a file name cannot be kept as given (it is shown to staff and used in downloads), or None."""
    if not isinstance(name, str) or not 0 < len(name) <= MAX_NAME:
        return f"a name is 1-{MAX_NAME} characters"
    if name in (".", "..") or any(c in name for c in "/\\") or not name.isprintable():
        return "a name has no '/', '\\' or control characters and is not '.' or '..'"
    return None


def check_payload(record: Record) -> tuple[AttachmentRef, ...]:
    """Raise RecordError("bad_schema") naming the first rule the payload breaks; return the
    attachments an assignment submission names (none for other kinds)."""
    if record.kind in STATEMENT_KINDS:
        check_statement(record)
    elif record.kind == "assignment_submission":
        return submission_attachments(record.payload, record.id)
    return ()


def check_statement(record: Record) -> None:
    statement = record.payload

    def refuse(reason: str):
        raise RecordError("bad_schema", f"a {record.kind} payload is one xAPI statement: {reason}", record.id)

    try:
        xapi.validate(statement)
    except xapi.XapiError as exc:
        refuse(exc.reason)
    if statement["id"] != record.id:
        refuse(f"its id {statement['id']!r} must be the record's id")
    account = statement["actor"].get("account") if isinstance(statement["actor"], dict) else None
    if not (isinstance(account, dict) and account.get("homePage") == xapi.HOME_PAGE
            and account.get("name") == record.learner):
        refuse(f"its actor must be the record's learner as an account on {xapi.HOME_PAGE}")
    if record.kind == "quiz_answer":
        if statement["verb"]["id"] != xapi.VERBS["answered"]:
            refuse(f"a quiz answer's verb is {xapi.VERBS['answered']}")
        if not isinstance(statement.get("result", {}).get("response"), str):
            refuse("a quiz answer has result.response")


def submission_attachments(payload: dict, record_id: str | None = None) -> tuple[AttachmentRef, ...]:
    def refuse(reason: str):
        raise RecordError("bad_schema", f"an assignment_submission payload: {reason}", record_id)

    unknown, missing = set(payload) - SUBMISSION_FIELDS, SUBMISSION_FIELDS - set(payload)
    if unknown:
        refuse(f"unknown field(s): {', '.join(sorted(map(str, unknown)))}")
    if missing:
        refuse(f"missing field(s): {', '.join(sorted(missing))}")
    if not (isinstance(payload["assignment"], str) and 0 < len(payload["assignment"]) <= MAX_ASSIGNMENT):
        refuse(f"'assignment' is 1-{MAX_ASSIGNMENT} characters")
    if HIDDEN.search(payload["assignment"]):  # staff see it as the submission's title (as the hub's item ids)
        refuse("'assignment' is the item's id in the course: no control or bidirectional control characters")
    if not valid_dns_label(payload["course"]):
        refuse("'course' is a course slug (a lower-case DNS label)")
    if not isinstance(payload["text"], str):
        refuse("'text' is a string")
    listed = payload["attachments"]
    if not isinstance(listed, list) or len(listed) > MAX_ATTACHMENTS:
        refuse(f"'attachments' is a list of at most {MAX_ATTACHMENTS}")
    refs = []
    for index, item in enumerate(listed):
        problem = attachment_problem(item)
        if problem:
            refuse(f"attachments[{index}]: {problem}")
        refs.append(AttachmentRef(**item))
    if len({ref.id for ref in refs}) != len(refs):
        refuse("each attachment is listed once")
    return tuple(refs)


def attachment_problem(item) -> str | None:
    if not isinstance(item, dict) or set(item) != ATTACHMENT_FIELDS:
        return f"an attachment is an object with exactly {', '.join(sorted(ATTACHMENT_FIELDS))}"
    if not valid_uuid(item["id"]):
        return "'id' is a UUID in canonical lower-case form"
    if not valid_sha256(item["sha256"]):
        return "'sha256' is 64 lower-case hex digits"
    if type(item["size"]) is not int or item["size"] < 1:
        return "'size' is a whole number of bytes from 1"
    if not valid_media_type(item["type"]):
        return "'type' is a media type like image/jpeg"
    return name_problem(item["name"])
