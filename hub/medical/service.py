"""A person's health records at the hub: uploads checked and sealed, reads audited, who may read, the
person's choice to carry a summary, and erasure. Every read of health contents, by any route, goes
through `read`, which appends a health_read row the person sees on their phone.

Uploads are sealed with the person's own data key (hub/medical/keys.py); contents exist in clear only in
memory, for the request that reads them. The newest upload of each kind is the current one: a new
summary supersedes the previous one (kept 30 days, then deleted: hub/medical/retention.py), and the
same bundle uploaded again is stored once (found by its keyed digest, without opening anything).
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import asdict, dataclass

from flask import current_app

from hub import db
from hub.medical import checks, keys, retention, shares
from hub.medical.models import (
    APPOINTMENTS,
    RECORD_KINDS,
    SUMMARY,
    VIAS,
    HealthChoice,
    HealthRead,
    HealthRecord,
    HealthWorkerShare,
)
from hub.people import service as people
from hub.refusals import Refused
from hub.staff import accounts
from hub.sync import feed
from hub.workers.models import Caseload
from wire.ips import PERSON_ID_SYSTEM
from wire.records import timestamp

FEED_KIND = "health"
"""The person's feed: an upload ({"record", "uploaded_at"}), their choice ({"carried"}), an erasure or a
summary past its keeping time ({"erased": true}); never contents. The phone fetches its summary anew."""
HEALTH_CARE = "health_care"
REFUSED_CODES = {SUMMARY: "not_an_ips", APPOINTMENTS: "not_appointments"}
MAX_READS = 500


class HealthRefused(Refused):
    """An upload refused by the checks (422): nothing was stored; `problems` name each resource and path."""

    def __init__(self, kind: str, problems: list):
        self.problems = list(problems)
        what = "an International Patient Summary" if kind == SUMMARY else "a bundle of FHIR Appointments"
        super().__init__(422, REFUSED_CODES.get(kind, "not_an_ips"),
                         f"this is not {what} the hub can keep for this person ({len(self.problems)} problem"
                         f"{'' if len(self.problems) == 1 else 's'}): correct each one named and upload it again; "
                         "nothing was stored", problems=[asdict(problem) for problem in self.problems])


@dataclass(frozen=True)
class Imported:
    record_id: str
    created: bool
    """False: the same bundle is already this person's current one (nothing new stored)."""
    resources: int


@dataclass(frozen=True)
class Meta:
    record_id: str
    uploaded_at: str
    uploaded_by: str
    uploaded_role: str
    resources: int
    via: str = ""
    kind: str = SUMMARY


@dataclass(frozen=True)
class Opened:
    summary: dict | None
    appointments: dict | None
    meta: Meta | None
    """The summary's (the appointments' when there is no summary)."""


def _instance() -> str:
    return current_app.instance_path


def _meta(row: HealthRecord) -> Meta:
    return Meta(row.record_id, row.uploaded_at, row.uploaded_by, row.uploaded_role, row.resources, row.via, row.kind)


def _current(person_id: str, kind: str) -> HealthRecord | None:
    return (HealthRecord.select().where((HealthRecord.person == person_id) & (HealthRecord.kind == kind)
                                        & HealthRecord.superseded_at.is_null())
            .order_by(HealthRecord.uploaded_at.desc(), HealthRecord.record_id.desc()).first())


def parse(data: bytes, kind: str) -> dict:
    """An uploaded document (JSON bytes) as a dict, or HealthRefused naming why it cannot be read."""
    try:
        return checks.read_document(data)
    except checks.CheckFailed as exc:
        raise HealthRefused(kind, exc.problems) from None


def problems(bundle: dict, kind: str, person_id: str) -> list:
    if kind == SUMMARY:
        return checks.summary_problems(bundle, person_id)
    return checks.appointments_problems(bundle, person_id)


def stamped(bundle: dict, person_id: str) -> dict:
    """A copy of the bundle whose Patient carries the hub's person id (PERSON_ID_SYSTEM), as the checks
    allow a summary without it to be accepted for the person it is uploaded for."""
    found = copy.deepcopy(bundle)
    for entry in found.get("entry") or []:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict) and resource.get("resourceType") == "Patient":
            identifiers = resource.setdefault("identifier", [])
            if not any(isinstance(i, dict) and i.get("system") == PERSON_ID_SYSTEM for i in identifiers):
                identifiers.append({"system": PERSON_ID_SYSTEM, "value": person_id})
    return found


def import_bundle(person_id: str, bundle: dict, kind: str, by: str, role: str, via: str) -> Imported:
    """Check, seal and keep an upload as the person's current summary (or appointments). Refused: 404
    unknown_person, 409 not_carried (the person said no), HealthRefused 422 (the checks' problems)."""
    if kind not in RECORD_KINDS or via not in VIAS:
        raise ValueError(f"kind is one of {RECORD_KINDS}, via one of {VIAS}")
    person = people.find(person_id)
    if not choice(person.person_id):
        raise Refused(409, "not_carried", f"{person.person_id} chose not to carry a health summary: nothing is kept "
                      "for them. Ask them; they can change it on their phone")
    found = problems(bundle, kind, person.person_id)
    if found:
        raise HealthRefused(kind, found)
    document = stamped(bundle, person.person_id)
    resources = len(document.get("entry") or [])
    with db.proxy.atomic():
        key = keys.data_key(_instance(), person.person_id, make=True)
        digest = keys.digest(key, document)
        current = _current(person.person_id, kind)
        if current is not None and current.digest == digest:
            return Imported(current.record_id, False, current.resources)
        now, record_id = timestamp(), str(uuid.uuid4())
        for old in HealthRecord.select().where((HealthRecord.person == person.person_id) & (HealthRecord.kind == kind)
                                               & HealthRecord.superseded_at.is_null()):
            HealthRecord.update(superseded_at=now, keep_until=retention.superseded_until(old.keep_until, now)).where(
                HealthRecord.record_id == old.record_id).execute()
        HealthRecord.create(record_id=record_id, person=person.person_id, kind=kind,
                            sealed=keys.seal_record(key, record_id, person.person_id, kind, document), digest=digest,
                            resources=resources, uploaded_at=now, uploaded_by=by[:80], uploaded_role=role[:32],
                            via=via, keep_until=retention.keep_until(kind, now, document))
        feed.append(person.person_id, FEED_KIND, record_id, {"record": record_id, "uploaded_at": now})
    return Imported(record_id, True, resources)


def summary_meta(person_id: str) -> Meta | None:
    """That a summary exists, who uploaded it and when: no contents, so no read is recorded."""
    row = _current(person_id, SUMMARY)
    return None if row is None else _meta(row)


def appointments_meta(person_id: str) -> Meta | None:
    row = _current(person_id, APPOINTMENTS)
    return None if row is None else _meta(row)


def read(person_id: str, who: str, role: str, purpose: str, via: str, what: str) -> Opened | None:
    """The person's current summary and appointments, opened, with a health_read row appended (who, role,
    why, how, what, when); None (and no row) when there is nothing to read. The caller has checked that
    `who` may read (may_read, the person's own phone, a working share)."""
    if via not in VIAS:
        raise ValueError(f"via is one of {VIAS}")
    if not str(purpose or "").strip():
        raise Refused(400, "no_purpose", "say why you are reading this person's health summary")
    person = people.find(person_id)
    summary, appointments = _current(person.person_id, SUMMARY), _current(person.person_id, APPOINTMENTS)
    key = keys.data_key(_instance(), person.person_id) if summary or appointments else None
    if key is None:
        return None
    opened = {row.kind: keys.open_record(key, row.record_id, person.person_id, row.kind, row.sealed)
              for row in (summary, appointments) if row is not None}
    first = summary or appointments
    HealthRead.create(person=person.person_id, who=who[:80], role=role[:32], purpose=purpose.strip()[:200], via=via,
                      what=what[:40], record=first.record_id, at=timestamp())
    return Opened(opened.get(SUMMARY), opened.get(APPOINTMENTS), _meta(first))


def reads(person_id: str, after: int = 0, limit: int = 100) -> list[HealthRead]:
    """Who read the person's health record, oldest first, after the row id `after`."""
    return list(HealthRead.select().where((HealthRead.person == person_id) & (HealthRead.id > after))
                .order_by(HealthRead.id).limit(max(1, min(limit, MAX_READS))))


def in_caseload(worker: str, person_id: str) -> bool:
    return Caseload.select().where((Caseload.worker == worker) & (Caseload.person == person_id)).exists()


def may_read(account: accounts.Account, person_id: str) -> bool:
    """Health care staff with the person in their own caseload; or a worker whose caseload holds the
    person and whom the person let read it (share_with_worker). Nobody else, managers included."""
    if account.console != accounts.WORKER or not in_caseload(account.name, person_id):
        return False
    if account.role == HEALTH_CARE:
        return True
    return HealthWorkerShare.select().where((HealthWorkerShare.person == person_id)
                                            & (HealthWorkerShare.worker == account.name)).exists()


def choice(person_id: str) -> bool:
    """Whether the person carries a health summary (no answer yet counts as yes: staff ask before uploading)."""
    row = HealthChoice.get_or_none(HealthChoice.person == person_id)
    return True if row is None else bool(row.carried)


def set_choice(person_id: str, carried: bool, by: str) -> None:
    """Record the person's choice. Not carried: their records and key are erased, their share links stop,
    their workers' permissions go, and their phone is told (feed kind "health", {"carried": false})."""
    person = people.find(person_id)
    now = timestamp()
    with db.proxy.atomic():
        HealthChoice.insert(person=person.person_id, carried=carried, changed_at=now, changed_by=by[:80]).on_conflict(
            conflict_target=[HealthChoice.person],
            update={HealthChoice.carried: carried, HealthChoice.changed_at: now, HealthChoice.changed_by: by[:80]},
        ).execute()
        if not carried:
            _erase(person.person_id)
            shares.revoke_all(person.person_id)
            HealthWorkerShare.delete().where(HealthWorkerShare.person == person.person_id).execute()
        feed.append(person.person_id, FEED_KIND, "choice", {"carried": bool(carried)})


def _erase(person_id: str) -> int:
    records = HealthRecord.delete().where(HealthRecord.person == person_id).execute()
    keys.forget(person_id)
    return records


def erase(person_id: str, by: str) -> int:
    """Delete the person's health records and their key, and stop their share links: how many records
    were deleted. Who read them stays recorded."""
    person = people.find(person_id)
    with db.proxy.atomic():
        erased = _erase(person.person_id)
        shares.revoke_all(person.person_id)  # a link made before must not open a summary uploaded after
        feed.append(person.person_id, FEED_KIND, "erased", {"erased": True})  # their phone deletes its copy
    return erased


def share_with_worker(person_id: str, worker: str, shared: bool) -> None:
    """The person lets one of their own workers read their summary (or stops letting them)."""
    person = people.find(person_id)
    name = str(worker or "").strip().lower()[:64]
    if not in_caseload(name, person.person_id):
        raise Refused(404, "unknown_worker", f"{worker!r} is not one of your workers: you can share your health "
                      "summary only with a worker who works with you")
    if shared:
        HealthWorkerShare.insert(person=person.person_id, worker=name, shared_at=timestamp()).on_conflict_ignore(
        ).execute()
    else:
        HealthWorkerShare.delete().where((HealthWorkerShare.person == person.person_id)
                                         & (HealthWorkerShare.worker == name)).execute()


def shared_with(person_id: str) -> list[str]:
    return [row.worker for row in HealthWorkerShare.select().where(HealthWorkerShare.person == person_id)
            .order_by(HealthWorkerShare.worker)]
