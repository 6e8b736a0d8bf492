"""Form submissions from people's phones, and the workers' view of them.

A phone sends a filled form as a `form_submission` change of its sync (hub/sync/changes.py), its files
uploaded first through the phones' resumable uploads (hub/sync/uploads.py):

    {"id": a UUID (the submission's id), "kind": "form_submission",
     "body": {"form_id", "version", "filled_at": RFC 3339 (the phone's clock),
              "values": {field path: value}}}   values as hub/forms/fields.py says

The change's id is the submission's id: the same submission sent again is stored once, the same id with
other content is refused as a conflict (the sync's rule). A bad value is refused `bad_value` with the field
named; a file not all on the hub yet `attachment_incomplete` (upload the rest, send the same id again);
nothing is stored until all of it is right.

`export` writes ODK Central's "CSV with media" layout (its submissions.csv.zip): `<form id>.csv` and the
files under `media/`; docs/forms.md shows the columns.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime

from hub.forms import fields as checks
from hub.forms import service
from hub.forms.models import FormAttachment, FormSubmission, FormVersion
from hub.models import Record
from hub.refusals import Refused
from hub.sync import sealed
from hub.sync.models import PhoneChange, PhoneUpload
from wire import media
from wire.records import timestamp, timestamp_problem

MAX_VALUES_BYTES = 60 * 1024


def _uploaded(person_id: str, path: str, ref: dict) -> PhoneUpload:
    row = PhoneUpload.get_or_none((PhoneUpload.person == person_id) & (PhoneUpload.sha256 == ref["sha256"]))
    if row is None or row.completed_at is None:
        raise Refused(409, "attachment_incomplete", f"the file for field '{path}' ({ref['sha256']}) is not all on "
                      f"the hub yet: ask GET /v1/phone/uploads/{ref['sha256']} how much it holds, upload the rest, "
                      "then send this submission again with the same id")
    if row.media_type != ref["type"] or row.bytes != ref["bytes"]:
        raise Refused(400, "bad_value", f"field '{path}': the file was uploaded as {row.media_type} of {row.bytes} "
                      "bytes: send the submission with those", field=path)
    return row


def receive(person_id: str, submission_id: str, body: dict, pixels, today: date | None = None,
            uploaded=_uploaded) -> FormSubmission:
    """Check and store one submission (inside the sync's transaction). `pixels(person_id, sha256)` gives a
    stored photo's (width, height), or None where it is not a picture that can be read. `uploaded(person_id,
    path, ref)` refuses a file not all at the hub (a phone's upload; a tablet's: hub/forms/from_edges.py)."""
    form = FormVersion.get_or_none((FormVersion.form_id == str(body.get("form_id"))[:64])
                                   & (FormVersion.version == str(body.get("version"))[:64]))
    if form is None:
        raise Refused(404, "unknown_form", f"form {body.get('form_id')!r} version {body.get('version')!r} is not "
                      "published at the hub: sync to get the forms as they are now")
    filled = body.get("filled_at")
    problem = timestamp_problem(filled) if isinstance(filled, str) else "missing"
    if problem:
        raise Refused(400, "bad_change", f"'filled_at' must be an RFC 3339 time, like 2027-01-05T09:30:00Z ({problem})")
    if len(json.dumps(body.get("values"), ensure_ascii=False)) > MAX_VALUES_BYTES:
        raise Refused(400, "bad_change", f"the answers are over {MAX_VALUES_BYTES} bytes: send long text as a file")
    document = service.document(form)
    by_path = {f["path"]: f for f in document["fields"]}
    try:
        checked = checks.check(document["fields"], body.get("values"), today or datetime.now(UTC).date())
    except checks.FieldRefused as exc:
        raise Refused(400, "bad_value", str(exc), field=exc.path) from None
    for path, ref in checked.attachments.items():
        uploaded(person_id, path, ref)
        if by_path[path].get("max_pixels") or by_path[path]["type"] in ("image", "signature"):
            size = pixels(person_id, ref["sha256"])
            if size is None:
                raise Refused(400, "bad_value", f"field '{path}': the file is not a picture the hub can read: take "
                              "the photo again", field=path)
            if reason := checks.too_many_pixels(by_path[path], *size):
                raise Refused(400, "bad_value", f"field '{path}': {reason}", field=path)
    row = FormSubmission.create(submission_id=submission_id, person=person_id, form_id=form.form_id,
                                version=form.version, values=json.dumps(checked.values, ensure_ascii=False),
                                flags=json.dumps(checked.flags), filled_at=filled, received_at=timestamp())
    for path, ref in checked.attachments.items():
        FormAttachment.create(submission=submission_id, path=path, sha256=ref["sha256"], media_type=ref["type"],
                              bytes=ref["bytes"])
    return row


def pixels_reader(store):
    """`pixels` for `receive`: a stored photo's size, read from its sealed file (hub/sync/uploads.py Store)."""
    def pixels(person_id: str, sha256: str):
        from PIL import Image, UnidentifiedImageError  # fpdf2's dependency; only when a photo arrives

        data = b"".join(sealed.read(store.blob(person_id, sha256), store.key, sha256))
        try:
            with Image.open(io.BytesIO(data)) as image:
                return image.size
        except (UnidentifiedImageError, OSError, ValueError):
            return None

    return pixels


@dataclass(frozen=True)
class Shown:
    row: FormSubmission
    values: dict
    flags: dict
    attachments: list[FormAttachment]


def _shown(rows: list[FormSubmission]) -> list[Shown]:
    files: dict[str, list[FormAttachment]] = {}
    ids = [row.submission_id for row in rows]
    for start in range(0, len(ids), 500):
        for found in FormAttachment.select().where(FormAttachment.submission.in_(ids[start:start + 500])):
            files.setdefault(found.submission_id, []).append(found)
    return [Shown(row, json.loads(row.values), json.loads(row.flags), files.get(row.submission_id, []))
            for row in rows]


def of_form(form_id: str, person_ids: list[str] | None, limit: int | None = None) -> list[Shown]:
    """The form's submissions (of these people only, where given), newest first (the first `limit`)."""
    query = FormSubmission.select().where(FormSubmission.form_id == form_id)
    if person_ids is not None:
        query = query.where(FormSubmission.person.in_(person_ids or [""]))
    query = query.order_by(FormSubmission.received_at.desc(), FormSubmission.submission_id)
    return _shown(list(query.limit(limit) if limit else query))


def one(form_id: str, submission_id: str, person_ids: list[str] | None) -> Shown | None:
    row = FormSubmission.get_or_none((FormSubmission.submission_id == str(submission_id)[:64])
                                     & (FormSubmission.form_id == form_id))
    if row is None or (person_ids is not None and row.person_id not in person_ids):
        return None
    return _shown([row])[0]


GEO_PARTS = (("lat", "Latitude"), ("lon", "Longitude"), ("altitude", "Altitude"), ("accuracy", "Accuracy"))
TRAILING = ("meta-instanceID", "KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected",
            "Status", "ReviewState", "DeviceID", "Edits", "FormVersion", "Flags")
"""ODK Central's columns after the form's (Flags is the hub's own: doubtful values, like a mock location)."""


def _columns(form_id: str) -> list[dict]:
    """The fields of every version of the form, the latest's order first (as Central with deleted fields)."""
    seen: dict[str, dict] = {}
    for row in reversed(service.versions(form_id)):
        for field in service.document(row)["fields"]:
            if field["type"] not in checks.NO_VALUE:
                seen.setdefault(field["path"], field)
    return list(seen.values())


def media_name(attachment: FormAttachment) -> str:
    return f"{attachment.sha256[:32]}{media.SUFFIXES.get(attachment.media_type, '')}"


def header(form_id: str) -> list[str]:
    names = ["SubmissionDate"]
    for field in _columns(form_id):
        column = field["path"].replace("/", "-")
        names += [f"{column}-{part}" for _key, part in GEO_PARTS] if field["type"] == "geopoint" else [column]
    return [*names, *TRAILING]


def _cells(shown: Shown, columns: list[dict], devices: dict[str, str]) -> list[str]:
    files = {a.path: a for a in shown.attachments}
    cells = [shown.row.received_at]
    for field in columns:
        value = shown.values.get(field["path"])
        if field["type"] == "geopoint":
            cells += ["" if not value or value.get(key) is None else str(value[key]) for key, _part in GEO_PARTS]
        elif field["type"] in checks.ATTACHED:
            cells.append(media_name(files[field["path"]]) if field["path"] in files else "")
        elif isinstance(value, list):
            cells.append(" ".join(value))
        else:
            cells.append("" if value is None else str(value))
    key = f"uuid:{shown.row.submission_id}"
    flags = "; ".join(f"{path}: {' '.join(found)}" for path, found in sorted(shown.flags.items()))
    return [*cells, key, key, shown.row.person_id, "", str(len(shown.attachments)), str(len(shown.attachments)),
            "", "", devices.get(shown.row.submission_id, ""), "0", shown.row.version, flags]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""How a cell a spreadsheet reads as a formula starts (OWASP, CSV injection)."""


def as_text(cell: str) -> str:
    """A cell as a spreadsheet shows it, never as a formula: one starting like a formula (`=HYPERLINK(...)`, a
    person's answer) gets a leading apostrophe; a number (-3.5) stays as it is."""
    if not cell.startswith(FORMULA_STARTS):
        return cell
    try:
        float(cell)
    except ValueError:
        return "'" + cell
    return cell


def export(form_id: str, person_ids: list[str] | None, store, out) -> int:
    """Write the form's submissions (these people's, where given) as ODK Central's CSV-with-media zip to the
    binary file `out`; the number of submissions."""
    service.find(form_id)
    shown = of_form(form_id, person_ids)
    columns = _columns(form_id)
    ids = [s.row.submission_id for s in shown]
    devices = {}
    for start in range(0, len(ids), 500):
        devices.update({row.change_id: row.key_id for row in PhoneChange.select(PhoneChange.change_id,
                                                                                  PhoneChange.key_id)
                        .where(PhoneChange.change_id.in_(ids[start:start + 500]))})
        devices.update({row.id: f"{row.edge_id}/{row.device}" for row in Record.select(  # a tablet's, via its edge
            Record.id, Record.edge, Record.device).where(Record.id.in_(ids[start:start + 500]))})
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")  # so an answer's own CR or LF is quoted, never a new row
    writer.writerow(map(as_text, header(form_id)))
    for item in shown:
        writer.writerow(map(as_text, _cells(item, columns, devices)))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{form_id}.csv", text.getvalue())
        written = set()
        for item in shown:
            for attachment in item.attachments:
                name = f"media/{media_name(attachment)}"
                path = store.blob(item.row.person_id, attachment.sha256)
                if name in written or not path.exists():
                    continue
                written.add(name)
                with archive.open(name, "w") as member:
                    for piece in sealed.read(path, store.key, attachment.sha256):
                        member.write(piece)
    return len(shown)


def attachment(form_id: str, submission_id: str, sha256: str, person_ids: list[str] | None):
    """(the submission, its attachment with this SHA-256), or None."""
    found = one(form_id, submission_id, person_ids)
    if found is None:
        return None
    row = next((a for a in found.attachments if a.sha256 == sha256), None)
    return (found, row) if row is not None else None
