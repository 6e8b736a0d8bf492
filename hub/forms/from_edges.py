"""Forms filled in on tablets inside, through the edge: the `form_submission` records of an edge's batches
(wire/forms.py), stored as form submissions like a phone's, so workers see them in /work/forms and the export.

A record is applied when all of this holds, and waits among the stored records until it does:

- its learner id is linked to a person at that edge (`hub people link`, PersonLearner);
- every file it names is at the hub: the edge forwards a submission's files after the batch that holds it
  (edge/attachments/uplink.py; hub/attachments/grants.py lets it upload the files a form submission names).

Then it is checked by the same rules as a phone's (hub/forms/submissions.py `receive`: fields.py, logic.py, the
photos' pixels), its files sealed into the person's folder as a phone's are (so the console's downloads and the
export read them the same way), and stored under the record's id: a batch or record that comes again stores
nothing twice. Tried when the batch is stored, when one of its files completes at the hub, when the learner is
linked (within a request; from the command line the edge's next GET /v1/edge/forms applies it), and at each of
the edge's forms pulls (`waiting`).

A refusal (a bad answer, a form not published, a payload the hub cannot read) is not stored as a submission;
it leaves one entry in the audit trail, action `form submission refused`, with the edge, the learner and the
reason (`throughgate hub audit export`), a warning in the hub's log, and one row in form_refusal (the record, the
edge, tablet and learner, the form and the reason naming the field), which the edge's next forms pull takes back
to the tablet and to prison staff until the edge acknowledges it (hub/forms/edge_api.py).
"""

from __future__ import annotations

import json
import logging

from flask import current_app, has_app_context

from hub import db
from hub.attachments.models import StoredAttachment
from hub.attachments.service import Store as EdgeFiles
from hub.audit.models import AuditEntry
from hub.forms import submissions
from hub.forms.models import FormRefusal, FormSubmission
from hub.models import Record
from hub.people.models import PersonLearner
from hub.refusals import Refused
from hub.sync import sealed
from hub.sync.uploads import Store as PersonFiles
from wire import forms
from wire.records import RecordError

log = logging.getLogger(__name__)

REFUSED = "form submission refused"
"""The audit trail's action for a tablet's submission the hub refused."""
PIECE = 64 * sealed.SEGMENT
SWEEP = 100
"""Waiting records tried at one forms pull."""


def _stores() -> tuple[PersonFiles, EdgeFiles] | None:
    """The hub's files (its settings), within a request or an app context; None without one."""
    if not has_app_context():
        return None
    config = current_app.config
    return PersonFiles(config["ATTACHMENTS_DIR"], config["ATTACHMENTS_KEY_FILE"]), EdgeFiles(config["ATTACHMENTS_DIR"])


def from_batch(edge_id: str, rows: list[dict]) -> int:
    """Apply the form submissions among a batch's rows (inside its transaction); how many were stored."""
    return sum(_safely(edge_id, row["learner"], row["id"], row["payload"], row.get("device", "")) == "stored"
               for row in rows if row["kind"] == forms.KIND)


def _waiting(where) -> list[Record]:
    applied = FormSubmission.select(FormSubmission.submission_id)
    return list(Record.select().where(where & (Record.kind == forms.KIND) & Record.id.not_in(applied))
                .order_by(Record.arrival).limit(SWEEP))


def pending_for(edge_id: str, learner: str) -> int:
    """Apply what this learner filled in before they were linked to a person."""
    return sum(_safely(edge_id, row.learner, row.id, row.payload, row.device) == "stored"
               for row in _waiting((Record.edge == edge_id) & (Record.learner == learner)))


def with_file(sha256: str) -> int:
    """A file completed at the hub: apply the waiting submissions that name it."""
    rows = _waiting(Record.payload.contains(sha256))
    return sum(_safely(row.edge_id, row.learner, row.id, row.payload, row.device) == "stored" for row in rows)


def waiting(edge_id: str) -> int:
    """Apply this edge's submissions still waiting whose learner is linked (and not refused before)."""
    refused = AuditEntry.select(AuditEntry.target).where(AuditEntry.action == REFUSED)
    linked = PersonLearner.select(PersonLearner.learner).where(PersonLearner.edge_id == edge_id)
    rows = _waiting((Record.edge == edge_id) & Record.learner.in_(linked) & Record.id.not_in(refused))
    return sum(_safely(edge_id, row.learner, row.id, row.payload, row.device) == "stored" for row in rows)


def _safely(edge_id: str, learner: str, record_id: str, payload_json: str, device: str = "") -> str:
    """apply() in a savepoint of its own, where a failure nobody foresaw (a file the hub cannot read, say) leaves
    the record waiting, logged, and never fails what called it: a batch's ingest, a file's upload, a pull."""
    try:
        with db.proxy.atomic():
            return apply(edge_id, learner, record_id, payload_json, device)
    except Exception:
        log.exception("form submission %s from edge %s not applied: it is tried again later", record_id, edge_id)
        return "waiting"


def apply(edge_id: str, learner: str, record_id: str, payload_json: str, device: str = "") -> str:
    """"stored" (now or before), "waiting" (no person linked, or a file not at the hub yet) or "refused"."""
    if FormSubmission.get_or_none(FormSubmission.submission_id == record_id) is not None:
        return "stored"
    try:
        payload = json.loads(payload_json)
    except ValueError:
        payload = None
    try:
        if payload is None:
            raise ValueError("not JSON")
        forms.check(payload, record_id)
    except (ValueError, RecordError) as exc:
        return _refuse(edge_id, learner, record_id, "bad_record", getattr(exc, "reason", "not JSON"), payload, device)
    link = PersonLearner.get_or_none((PersonLearner.edge_id == edge_id) & (PersonLearner.learner == learner))
    if link is None:
        log.info("form submission %s from edge %s waits: its learner is not linked to a person yet "
                 "(`throughgate hub people link`)", record_id, edge_id)
        return "waiting"
    stores = _stores()
    if stores is None:
        log.info("form submission %s from edge %s waits for the edge's next forms pull", record_id, edge_id)
        return "waiting"
    person_files, edge_files = stores

    def uploaded(person_id: str, path: str, ref: dict) -> None:
        stored = StoredAttachment.get_or_none(StoredAttachment.sha256 == ref["sha256"])
        if stored is None or not edge_files.blob(ref["sha256"]).is_file():
            raise Refused(409, "attachment_incomplete", f"the file for field '{path}' is not at the hub yet")
        if (stored.size, stored.type) != (ref["bytes"], ref["type"]):
            raise Refused(400, "bad_value", f"field '{path}': the file came as {stored.type} of {stored.size} bytes")
        _seal_for(person_files, edge_files, person_id, ref["sha256"], stored.size)

    try:
        with db.proxy.atomic():
            submissions.receive(link.person_id, record_id, forms.submission_body(payload),
                                submissions.pixels_reader(person_files), uploaded=uploaded)
    except Refused as exc:
        if exc.code == "attachment_incomplete":
            log.info("form submission %s from edge %s waits for its files", record_id, edge_id)
            return "waiting"
        return _refuse(edge_id, learner, record_id, exc.code, exc.reason, payload, device)
    log.info("form submission %s from edge %s stored for a person", record_id, edge_id)
    return "stored"


def _seal_for(person_files: PersonFiles, edge_files: EdgeFiles, person_id: str, sha256: str, size: int) -> None:
    """The edge's copy of the file, sealed into the person's folder (where a phone's upload lands)."""
    final = person_files.blob(person_id, sha256)
    if final.exists():
        return
    final.parent.mkdir(parents=True, exist_ok=True)
    spare = final.with_name(f"{sha256}.tablet.new")
    spare.unlink(missing_ok=True)
    key = person_files.key
    with open(edge_files.blob(sha256), "rb") as source:
        first = 0
        while piece := source.read(PIECE):
            sealed.append(spare, key, sha256, first, piece, size)
            first += len(piece)
    spare.chmod(0o600)
    spare.replace(final)


def _refuse(edge_id: str, learner: str, record_id: str, code: str, reason: str, payload=None,
            device: str = "") -> str:
    from hub.audit import trail  # (which uses hub.ingest, which uses this module)
    from wire.records import timestamp

    payload = payload if isinstance(payload, dict) else {}
    if not device:
        row = Record.get_or_none(Record.id == record_id)
        device = row.device if row is not None else ""
    FormRefusal.insert(record_id=record_id, edge_id=edge_id, device=device[:64], learner=learner[:64],
                       form_id=str(payload.get("form_id") or "")[:64], version=str(payload.get("version") or "")[:64],
                       code=code[:40], reason=reason, refused_at=timestamp()).on_conflict_ignore().execute()

    log.warning("form submission %s from edge %s refused: %s: %s", record_id, edge_id, code, reason)
    if not AuditEntry.select().where((AuditEntry.action == REFUSED) & (AuditEntry.target == record_id)).exists():
        trail.append(trail.Actor(f"edge {edge_id}"[:80], "edge", "batch"), REFUSED, record_id, code,
                     {"edge": edge_id, "learner": learner, "reason": reason})
    return "refused"
