"""Names and case references at the hub, only for the people in a worker's caseload.

The hub knows a person by a pseudonymous id (P-…). A worker needs to know who that is: their name,
prison number and probation case reference (CRN). The hub keeps these only while the person is in at
least one worker's caseload, sealed as one Fernet token with the hub's console key (console-secrets.key
in the instance folder, not in the database: hub/staff/sealing.py), so a copy of the database alone
does not say who anyone is. Setting them for a person in no caseload is refused; taking a person out of
the last caseload that holds them deletes them (hub/workers/caseload.py `remove`).

Pages that show them already record the read (hub/workers/caseload.py `record_reads`).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass

from flask import current_app

from hub import db
from hub.refusals import Refused
from hub.staff import sealing
from hub.workers.models import Caseload, PersonName
from wire.records import timestamp

MAX_NAME = 100
_REFERENCE = re.compile(r"[A-Z0-9][A-Z0-9/-]{0,19}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Names:
    name: str
    prison_number: str = ""
    case_reference: str = ""

    def label(self, person_id: str) -> str:
        return f"{self.name} ({person_id})"


def problem(name: str, prison_number: str, case_reference: str) -> str | None:
    """Why these cannot be kept as they are (what to type instead); None when they can."""
    if not name.strip():
        return "type the person's name"
    if len(name) > MAX_NAME:
        return f"type a name of at most {MAX_NAME} characters"
    if _CONTROL.search(name):
        return "type the name as plain text, on one line"
    for label, value in (("prison number", prison_number), ("case reference", case_reference)):
        if value and not _REFERENCE.fullmatch(value):
            return (f"type the {label} as letters and digits, up to 20 (like A1234BC for a prison number, "
                    "X123456 for a probation case reference), or leave it empty")
    return None


def normal(name: str, prison_number: str = "", case_reference: str = "") -> Names:
    """The names as kept (spaces trimmed, references in capitals), or Refused with what to type."""
    found = Names(" ".join(name.split()), prison_number.strip().upper(), case_reference.strip().upper())
    reason = problem(found.name, found.prison_number, found.case_reference)
    if reason:
        raise Refused(400, "bad_names", reason)
    return found


def _in_a_caseload(person_id: str) -> bool:
    return Caseload.select().where(Caseload.person == person_id).exists()


def set_names(person_id: str, names: Names, by: str) -> None:
    """Keep (or replace) the person's names; refused unless some worker's caseload holds them."""
    sealed = sealing.seal(current_app.instance_path, json.dumps(asdict(names)).encode())
    with db.proxy.atomic():
        if not _in_a_caseload(person_id):
            raise Refused(409, "not_in_a_caseload", f"the hub keeps names only for people in a worker's caseload: "
                          f"`throughgate hub workers caseload add WORKER {person_id}` first")
        row = {"sealed": sealed, "set_at": timestamp(), "set_by": by[:80]}
        if not PersonName.update(row).where(PersonName.person == person_id).execute():
            PersonName.insert(person=person_id, **row).execute()


def _opened(row: PersonName) -> Names:
    try:
        return Names(**json.loads(sealing.unseal(current_app.instance_path, row.sealed)))
    except sealing.SealError:
        raise Refused(500, "names_unreadable", f"this hub cannot open the names it keeps: "
                      f"{sealing.key_path(current_app.instance_path)} is not the key they were sealed with (every "
                      "hub process needs the same file): restore that file") from None


def names_of(person_ids: list[str]) -> dict[str, Names]:
    """The kept names of these people (those with none are left out)."""
    if not person_ids:
        return {}
    return {row.person_id: _opened(row) for row in PersonName.select().where(PersonName.person.in_(person_ids))}


def forget_unless_in_a_caseload(person_id: str) -> bool:
    """Delete the person's names when no caseload holds them any more; whether they were deleted."""
    if _in_a_caseload(person_id):
        return False
    return PersonName.delete().where(PersonName.person == person_id).execute() == 1
