"""A `form_submission` record from a tablet: a form filled in on a tablet inside, through the edge (docs/forms.md).

    {"form_id", "version", "filled_at": RFC 3339 (the tablet's clock),
     "values": {field path: value},                 as a phone's submission (hub/forms/fields.py)
     "attachments": [{"id", "sha256", "size", "type", "name"}]}   the files, uploaded to the edge first

A photo, signature or voice note is a value `{"sha256", "type", "bytes"}`, as on the phone, and is listed once in
`attachments` with the upload id the edge knows it by (edge/attachments), so the edge holds it complete before it
takes the record and forwards it to the hub after the record's batch (as an assignment's files).

This is the shape only: what the edge can check without the form's definition (the field-by-field rules stay at
the hub, which has them: hub/forms/fields.py and logic.py, and the edge and hub never import each other). The
tablet checks it before recording, the edge at intake (wire/record_rules.py), and the hub again before applying.
"""

from __future__ import annotations

import json

from wire.learning import MAX_ATTACHMENTS, AttachmentRef, attachment_problem
from wire.records import RecordError, timestamp_problem

KIND = "form_submission"
FIELDS = {"form_id", "version", "filled_at", "values", "attachments"}
MAX_ID = 64
MAX_PATH = 200
MAX_VALUES_BYTES = 60 * 1024
"""The answers' JSON, as the hub takes them (hub/forms/submissions.py MAX_VALUES_BYTES)."""
FILE_FIELDS = {"sha256", "type", "bytes"}


def is_file(value) -> bool:
    """A value naming a file (a photo, signature or voice note): an object with a `sha256`."""
    return isinstance(value, dict) and "sha256" in value


def _refuser(record_id: str | None):
    def refuse(reason: str):
        raise RecordError("bad_schema", f"a form_submission payload: {reason}", record_id)

    return refuse


def check(payload, record_id: str | None = None) -> tuple[AttachmentRef, ...]:
    """Raise RecordError("bad_schema") naming the first rule the payload breaks; return its attachments."""
    refuse = _refuser(record_id)
    if not isinstance(payload, dict):
        refuse("it is an object")
    unknown, missing = set(payload) - FIELDS, FIELDS - set(payload)
    if unknown:
        refuse(f"unknown field(s): {', '.join(sorted(map(str, unknown)))}")
    if missing:
        refuse(f"missing field(s): {', '.join(sorted(missing))}")
    for name in ("form_id", "version"):
        value = payload[name]
        if not (isinstance(value, str) and 0 < len(value) <= MAX_ID and value.isprintable()):
            refuse(f"'{name}' is 1-{MAX_ID} printable characters, as the form's field list gives it")
    filled = payload["filled_at"]
    problem = timestamp_problem(filled) if isinstance(filled, str) else "not a string"
    if problem:
        refuse(f"'filled_at' is an RFC 3339 time, like 2027-01-05T09:30:00Z ({problem})")
    values = payload["values"]
    if not isinstance(values, dict):
        refuse("'values' is an object: field path -> value")
    if len(json.dumps(values, ensure_ascii=False).encode()) > MAX_VALUES_BYTES:
        refuse(f"the answers are over {MAX_VALUES_BYTES} bytes")
    refs = _attachments(payload["attachments"], refuse)
    _files_listed(values, {ref.sha256: ref for ref in refs}, refuse)
    return refs


def _attachments(listed, refuse) -> tuple[AttachmentRef, ...]:
    if not isinstance(listed, list) or len(listed) > MAX_ATTACHMENTS:
        refuse(f"'attachments' is a list of at most {MAX_ATTACHMENTS}")
    refs = []
    for index, item in enumerate(listed):
        if problem := attachment_problem(item):
            refuse(f"attachments[{index}]: {problem}")
        refs.append(AttachmentRef(**item))
    if len({ref.sha256 for ref in refs}) != len(refs) or len({ref.id for ref in refs}) != len(refs):
        refuse("each file is listed once in 'attachments'")
    return tuple(refs)


def _files_listed(values: dict, by_sha: dict[str, AttachmentRef], refuse) -> None:
    """Every file a value names is listed in 'attachments' with its type and size, and nothing else is."""
    named = set()
    for path, value in values.items():
        if not (0 < len(path) <= MAX_PATH and path.isprintable()):
            refuse(f"a field path is 1-{MAX_PATH} printable characters, like group/name")
        if not is_file(value):
            continue
        ref = by_sha.get(value.get("sha256")) if set(value) == FILE_FIELDS else None
        if ref is None:
            refuse(f"field '{path}': a file is {{\"sha256\", \"type\", \"bytes\"}}, listed in 'attachments' "
                   "with the same hash")
        if (ref.type, ref.size) != (value["type"], value["bytes"]):
            refuse(f"field '{path}': its type and bytes are not those 'attachments' lists for its hash")
        named.add(ref.sha256)
    if named != set(by_sha):
        refuse("'attachments' lists only the files the values name")


def submission_body(payload: dict) -> dict:
    """The submission as the hub checks a phone's (hub/forms/submissions.py): the payload without the upload ids."""
    return {key: payload[key] for key in ("form_id", "version", "filled_at", "values")}
