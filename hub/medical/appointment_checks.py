"""The checks a person's health appointments must pass before the hub stores them (issue 12).

An upload is a Bundle of any type carrying FHIR Appointments (and the Patient, Practitioner,
PractitionerRole, Location, Organization or HealthcareService they name), or one Appointment alone.
Checked: R4B structure (fhir.resources); the status from the R4 code list (fhir.resources does not
check codes); start and end both or neither (app-2), both unless proposed, cancelled or waitlist
(app-3), the end not before the start; at most one Patient (the person's); a participant whose actor
is this person: their Patient in the upload (whose person-id identifier, if any, is theirs), or an
actor carrying the identifier PERSON_ID_SYSTEM|person_id; any actor with another person's id refuses
the upload; every reference resolves inside the upload. Pure; hub.medical.checks.appointments_problems is the way in.
"""

from __future__ import annotations

from datetime import datetime

from hub.medical.fhir_bundle import (
    CONTAINED,
    Bundle,
    Entry,
    Problem,
    capped,
    dangling,
    listed,
    names_another_person,
    names_the_person,
    person_id_problems,
    structure,
)
from wire.ips import PERSON_ID_SYSTEM

STATUSES = ("proposed", "pending", "booked", "arrived", "fulfilled", "cancelled", "noshow", "entered-in-error",
            "checked-in", "waitlist")
UNTIMED = ("proposed", "cancelled", "waitlist")
COMPANIONS = ("HealthcareService", "Location", "Organization", "Patient", "Practitioner", "PractitionerRole")


def appointments_problems(upload: dict, person_id: str) -> list[Problem]:
    """Every reason the hub cannot store `upload` as `person_id`'s health appointments; [] means accept."""
    kind = upload.get("resourceType")
    if kind not in ("Bundle", "Appointment"):
        return [Problem("document", "", f"this is a {str(kind)[:40]}: send FHIR Appointments, one Appointment or "
                        "a Bundle of them")]
    bundle = Bundle(upload)
    problems = structure(upload, bundle)
    appointments = bundle.of_type("Appointment")
    if not appointments:
        problems.append(Problem("Bundle", "Bundle.entry", "the bundle holds no Appointment: send the person's "
                                "health appointments as FHIR Appointments"))
    for entry in bundle.entries:
        if entry.type not in (*COMPANIONS, "Appointment"):
            problems.append(Problem(entry.name, entry.type, "an appointments upload carries Appointments and "
                                    f"what they name ({', '.join(COMPANIONS)}), not a {entry.type}: send it "
                                    "in the summary, or leave it out"))
    patients = bundle.of_type("Patient")
    if len(patients) > 1:  # else a participant that is "a Patient" may be someone else's
        problems.append(Problem("Bundle", "Bundle.entry", f"the upload has {len(patients)} Patient resources: "
                                "appointments are uploaded for one person at a time; include only their Patient "
                                "and their appointments"))
    for patient in patients:
        problems += person_id_problems(patient, person_id)
    for entry in appointments:
        problems += _times(entry) + _participants(entry, bundle, person_id)
    problems += dangling(bundle)
    return capped(problems)


def _times(entry: Entry) -> list[Problem]:
    resource, problems = entry.resource, []
    status, start, end = resource.get("status"), resource.get("start"), resource.get("end")
    if status not in STATUSES:
        problems.append(Problem(entry.name, "Appointment.status", f'"{str(status)[:40]}" is not an appointment '
                                f"status: use one of {', '.join(STATUSES)}"))
    if (start is None) != (end is None):
        problems.append(Problem(entry.name, "Appointment.end" if end is None else "Appointment.start",
                                "(app-2) give both start and end, or neither"))
    elif start is None and status not in UNTIMED:
        problems.append(Problem(entry.name, "Appointment.start", "(app-3) an appointment needs its start and end: "
                                "add them (only a proposed, cancelled or waitlist one may leave them out)"))
    elif start is not None and _instant(start) and _instant(end) and _instant(end) < _instant(start):
        problems.append(Problem(entry.name, "Appointment.end", "the appointment ends before it starts: correct "
                                "start or end"))
    return problems


def _participants(entry: Entry, bundle: Bundle, person_id: str) -> list[Problem]:
    the_person, others = False, []
    for i, participant in enumerate(listed(entry.resource.get("participant"))):
        actor = participant.get("actor") if isinstance(participant, dict) else None
        if not isinstance(actor, dict):
            continue
        identifier, reference = actor.get("identifier"), actor.get("reference")
        if names_another_person(identifier, person_id):
            others.append(Problem(entry.name, f"Appointment.participant[{i}].actor.identifier", "this names "
                                  "another person (another person's id): send only this person's appointments"))
            continue
        target = bundle.resolve(reference, entry) if isinstance(reference, str) else None
        if (target not in (None, CONTAINED) and target.type == "Patient") or (
                reference is None and names_the_person(identifier, person_id)):
            the_person = True
    if the_person or others:
        return others
    return [Problem(entry.name, "Appointment.participant", "no participant is the person: add a participant "
                    "whose actor references their Patient in this upload, or carries the identifier "
                    f"{PERSON_ID_SYSTEM}|<person id>")]


def _instant(value) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None
