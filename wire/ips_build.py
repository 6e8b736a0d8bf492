"""The release health summary as an IPS document bundle (HL7 FHIR R4), made from plain facts.

Prison health care knows on the day of release what a community prescriber needs on day one: each
medicine's last dose and how many days went out with the person, the opioid substitution dose and when it
was last supervised, the naloxone kits, the GP registration. `release_summary` puts each of those into the
standard FHIR resource that holds it (docs/health.md, "Mapping: the release summary in FHIR", has the
table), so any FHIR reader finds them, and wire/ips.plain shows them in words. Pure: the same facts, person
and moment give the same bundle, ids included (uuid5), so a re-upload is recognised as the same summary.
"""

from __future__ import annotations

import html
import uuid
from datetime import datetime, timedelta

from wire.ips import (
    BUPRENORPHINE,
    CONTINUITY_SYSTEM,
    IPS_TYPE,
    LOINC,
    METHADONE,
    NALOXONE,
    OPIOID_DEPENDENCE,
    PERSON_ID_SYSTEM,
    RELEASE_EVENT,
    SECTION_ALERTS,
    SECTION_ALLERGIES,
    SECTION_MEDICATIONS,
    SECTION_PLAN,
    SECTION_PROBLEMS,
    SECTION_PROCEDURES,
    SNOMED,
    TOLERANCE_WARNING,
    UCUM,
)

EDQM = "http://standardterms.edqm.eu"
"""EDQM Standard Terms: the dose forms IPS asks for (Medication.form)."""
FORMS = {"oral solution": ("10105000", "Oral solution"), "sublingual tablet": ("10318000", "Sublingual tablet"),
         "tablet": ("10219000", "Tablet"), "solution for injection": ("11201000", "Solution for injection"),
         "nasal spray": ("10808000", "Nasal spray, solution")}
ROUTES = {"oral solution": ("26643006", "Oral route"), "sublingual tablet": ("37839007", "Sublingual route"),
          "tablet": ("26643006", "Oral route")}
SUBCUTANEOUS = ("34206005", "Subcutaneous route")
OST_DRUGS = {"methadone": (METHADONE, "Methadone"), "buprenorphine": (BUPRENORPHINE, "Buprenorphine")}
EMPTY_REASON = "http://terminology.hl7.org/CodeSystem/list-empty-reason"
GP_STATUSES = ("requested", "accepted", "completed")
_NAMESPACE = uuid.UUID("6f1c2a52-0c4e-4c3b-9a53-3d0c1f6c5e10")


EXAMPLE_FACTS = {
    "patient": {"name": "Sam Carter", "born": "1990-04-02"},
    "author": {"name": "Dr Ann Jones", "organisation": "HMP Leeds Healthcare"},
    "release_date": "2026-12-14",
    "medicines": [
        {"name": "Sertraline 50 mg tablets", "dose": "50 mg once a day", "last_given": "2026-12-14T08:05:00+00:00",
         "days_supplied": 28, "prescription_issued": "2026-12-13", "prescriber": "Dr Ann Jones"},
        {"name": "Omeprazole 20 mg capsules", "dose": "20 mg in the morning",
         "last_given": "2026-12-13T08:00:00+00:00"},
    ],
    "ost": {"drug": "buprenorphine", "form": "sublingual tablet", "product": "Buprenorphine 8 mg sublingual tablets",
            "daily_dose_mg": 16, "last_supervised_dose": "2026-12-14T08:30:00+00:00",
            "depot": {"product": "Buvidal 64 mg monthly prolonged-release injection", "dose_mg": 64,
                      "given": "2026-12-01", "next_due": "2026-12-29"},
            "prescriber": "Dr Priya Patel", "pharmacy": "Boots, 12 High Street", "prescription_issued": "2026-12-11",
            "first_dose_appointment": {"start": "2026-12-15T10:00:00+00:00", "where": "Boots, 12 High Street",
                                       "with": "Dr Priya Patel", "minutes": 15}},
    "naloxone": {"kits": 2, "product": "Prenoxad 1 mg/mL injection", "handed_over": "2026-12-14T09:00:00+00:00",
                 "training": "2026-12-10"},
    "gp": {"practice": "Hyde Park Surgery", "status": "accepted"},
    "allergies": [{"what": "Penicillin", "reaction": "Rash", "severity": "moderate"}],
    "problems": [{"what": "Depression", "since": "2019-05-01", "status": "active"}],
    "appointments": [{"start": "2026-12-18T14:00:00+00:00", "what": "Blood test", "where": "Hyde Park Surgery",
                      "with": "Nurse Bell", "minutes": 20}],
}
"""A release summary's facts with every continuity field: the docs show it, `throughgate hub seed` uploads it
for a seeded person, and the tests read it back."""


class FactsError(ValueError):
    """The facts cannot make a summary; the message names the fact and what it must be."""


def _concept(text: str, system: str = "", code: str = "", display: str = "") -> dict:
    concept: dict = {"text": text}
    if system and code:
        concept["coding"] = [{"system": system, "code": code, "display": display or text}]
    return concept


def _mg(value) -> dict:
    return {"value": value, "unit": "mg", "system": UCUM, "code": "mg"}


def _div(lines: list[str]) -> dict:
    """A section's narrative: what a reader sees when it shows no resource (IPS asks for it)."""
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines if line)
    body = f"<ul>{items}</ul>" if items else "<p>None</p>"
    return {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{body}</div>'}


class _Document:
    """The entries of one bundle under construction, each with a stable urn:uuid."""

    def __init__(self, seed: str):
        self.seed = seed
        self.entries: list[dict] = []

    def add(self, resource: dict, label: str) -> dict:
        url = f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{self.seed}/{label}')}"
        resource = {"resourceType": resource["resourceType"], "id": url[9:], **resource}
        self.entries.append({"fullUrl": url, "resource": resource})
        return {"reference": url}


def _text(facts: dict, key: str, what: str, required: bool = False) -> str:
    value = facts.get(key)
    if value is None or value == "":
        if required:
            raise FactsError(f"{what} ({key!r}) is missing: give it as text")
        return ""
    if not isinstance(value, str):
        raise FactsError(f"{what} ({key!r}) must be text, not {type(value).__name__}")
    return value.strip()


def _number(facts: dict, key: str, what: str):
    value = facts.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise FactsError(f"{what} ({key!r}) must be a number, 0 or more")
    return value


def _party(document: _Document, kind: str, name: str, label: str) -> dict | None:
    if not name:
        return None
    return {**document.add({"resourceType": kind, "name": name if kind != "Practitioner" else [{"text": name}]},
                           label), "display": name}


def _medicine(document: _Document, patient: dict, facts: dict, index: int, release: str, made_at: str):
    """One medicine: a MedicationStatement whose derivedFrom holds what was given, supplied and prescribed."""
    name = _text(facts, "name", f"medicine {index + 1}'s name", required=True)
    dose = _text(facts, "dose", f"{name}'s dose")
    derived = []
    last = _text(facts, "last_given", f"{name}'s last dose given")
    if last:
        derived.append(document.add({
            "resourceType": "MedicationAdministration", "status": "completed",
            "medicationCodeableConcept": _concept(name), "subject": patient, "effectiveDateTime": last,
            **({"dosage": {"text": dose}} if dose else {})}, f"medicine/{index}/given"))
    days = _number(facts, "days_supplied", f"{name}'s days supplied")
    if days:
        derived.append(document.add({
            "resourceType": "MedicationDispense", "status": "completed", "medicationCodeableConcept": _concept(name),
            "subject": patient, "daysSupply": {"value": days, "unit": "days", "system": UCUM, "code": "d"},
            "whenHandedOver": release or made_at}, f"medicine/{index}/dispensed"))
    issued = _text(facts, "prescription_issued", f"{name}'s prescription date")
    if issued:
        request = {"resourceType": "MedicationRequest", "status": "active", "intent": "order",
                   "medicationCodeableConcept": _concept(name), "subject": patient, "authoredOn": issued}
        prescriber = _party(document, "Practitioner", _text(facts, "prescriber", f"{name}'s prescriber"),
                            f"medicine/{index}/prescriber")
        if prescriber:
            request["requester"] = prescriber
        if dose:
            request["dosageInstruction"] = [{"text": dose}]
        derived.append(document.add(request, f"medicine/{index}/prescribed"))
    statement = {"resourceType": "MedicationStatement", "status": "active",
                 "medicationCodeableConcept": _concept(name), "subject": patient,
                 "effectiveDateTime": _text(facts, "since", f"{name}'s start") or (release or made_at)[:10]}
    if dose:
        statement["dosage"] = [{"text": dose}]
    if derived:
        statement["derivedFrom"] = derived
    return document.add(statement, f"medicine/{index}"), f"{name}: {dose}".rstrip(": ")


def _appointment(document: _Document, patient: dict, facts: dict, label: str, what: str) -> dict:
    """A booked Appointment: the place is a Location, the clinician a Practitioner (FHIR R4's actors)."""
    start = _text(facts, "start", f"{what}'s start", required=True)
    try:
        begins = datetime.fromisoformat(start.replace("Z", "+00:00"))
    except ValueError:
        raise FactsError(f"{what}'s start ({start!r}) must be a date and time with its offset, "
                         "e.g. 2026-12-15T10:00:00+00:00") from None
    if begins.tzinfo is None:
        raise FactsError(f"{what}'s start ({start!r}) needs its offset, e.g. 2026-12-15T10:00:00+00:00")
    minutes = _number(facts, "minutes", f"{what}'s length in minutes") or 30
    participants = [{"actor": patient, "status": "accepted"}]
    where = _party(document, "Location", _text(facts, "where", f"{what}'s place"), f"{label}/where")
    if where:
        participants.append({"actor": where, "status": "accepted"})
    clinician = _party(document, "Practitioner", _text(facts, "with", f"{what}'s clinician"), f"{label}/with")
    if clinician:
        participants.append({"actor": clinician, "status": "accepted"})
    description = _text(facts, "what", f"{what}'s description") or what
    return document.add({
        "resourceType": "Appointment", "status": "booked", "description": description, "start": start,
        "end": (begins + timedelta(minutes=minutes)).isoformat(), "participant": participants}, label)


def _depot(document: _Document, patient: dict, depot, drug_name: str, substance: str):
    """A depot injection given (a MedicationAdministration, subcutaneous) and the next one due (a ServiceRequest)."""
    if not isinstance(depot, dict):
        raise FactsError("the depot ('depot') must be an object: product, dose_mg, given, next_due")
    product = _text(depot, "product", "the depot product", required=True)
    medication = document.add({
        "resourceType": "Medication", "code": _concept(product),
        "form": _concept("Prolonged-release solution for injection"),
        "ingredient": [{"itemCodeableConcept": _concept(drug_name, SNOMED, substance), "isActive": True}]},
        "ost/depot/medication")
    dose = _number(depot, "dose_mg", "the depot dose in mg")
    given = {"resourceType": "MedicationAdministration", "status": "completed", "medicationReference": medication,
             "subject": patient,
             "effectiveDateTime": _text(depot, "given", "the date the depot was given", required=True),
             "dosage": {"route": _concept(SUBCUTANEOUS[1], SNOMED, *SUBCUTANEOUS)}}
    if dose is not None:
        given["dosage"].update(text=f"{dose:g} mg", dose=_mg(dose))
    next_due = _text(depot, "next_due", "the date the next depot is due")
    due = document.add({
        "resourceType": "ServiceRequest", "status": "active", "intent": "plan",
        "code": _concept(f"Next depot injection: {product}"), "subject": patient,
        "occurrenceDateTime": next_due}, "ost/depot/next") if next_due else None
    return document.add(given, "ost/depot/given"), due


def _ost_prescription(document: _Document, patient: dict, facts: dict, medication: dict, daily_text: str):
    """The community prescription: requester the prescriber, dispenseRequest.performer the pharmacy."""
    prescriber = _party(document, "Practitioner", _text(facts, "prescriber", "the community prescriber"),
                        "ost/prescriber")
    pharmacy = _party(document, "Organization", _text(facts, "pharmacy", "the community pharmacy"), "ost/pharmacy")
    issued = _text(facts, "prescription_issued", "the date the OST prescription was issued")
    if not (prescriber or pharmacy or issued):
        return None
    request = {"resourceType": "MedicationRequest", "status": "active", "intent": "order" if issued else "plan",
               "medicationReference": medication, "subject": patient}
    if issued:
        request["authoredOn"] = issued
    if prescriber:
        request["requester"] = prescriber
    if pharmacy:
        request["dispenseRequest"] = {"performer": pharmacy}
    if daily_text:
        request["dosageInstruction"] = [{"text": daily_text}]
    return document.add(request, "ost/prescription")


def _ost(document: _Document, patient: dict, facts: dict, release: str, made_at: str):
    """Opioid substitution: a MedicationStatement (reason: opioid dependence) for the drug in its form, with
    the last supervised dose, the depot and its next due date, the community prescription and the first
    dosing appointment in its derivedFrom."""
    drug = _text(facts, "drug", "the opioid substitution drug", required=True).lower()
    if drug not in OST_DRUGS:
        raise FactsError(f"the opioid substitution drug ({drug!r}) must be one of {', '.join(OST_DRUGS)}")
    substance, drug_name = OST_DRUGS[drug]
    form_text = _text(facts, "form", "the opioid substitution form", required=True)
    form = FORMS.get(form_text.lower())
    product = _text(facts, "product", "the opioid substitution product") or f"{drug_name} {form_text.lower()}"
    medication = document.add({
        "resourceType": "Medication", "code": _concept(product),
        "form": _concept(form[1], EDQM, *form) if form else _concept(form_text),
        "ingredient": [{"itemCodeableConcept": _concept(drug_name, SNOMED, substance), "isActive": True}]},
        "ost/medication")
    daily = _number(facts, "daily_dose_mg", "the daily dose in mg")
    daily_text = f"{daily:g} mg once a day" if daily is not None else ""
    route = ROUTES.get(form_text.lower())
    derived = []
    last = _text(facts, "last_supervised_dose", "the last supervised dose's date and time")
    if last:
        dosage: dict = {"text": f"{daily:g} mg, supervised" if daily is not None else "supervised"}
        if daily is not None:
            dosage["dose"] = _mg(daily)
        if route:
            dosage["route"] = _concept(route[1], SNOMED, *route)
        derived.append(document.add({"resourceType": "MedicationAdministration", "status": "completed",
                                     "medicationReference": medication, "subject": patient,
                                     "effectiveDateTime": last, "dosage": dosage}, "ost/supervised"))
    plan = []
    if facts.get("depot"):
        given, due = _depot(document, patient, facts["depot"], drug_name, substance)
        derived.append(given)
        if due:
            derived.append(due)
            plan.append(due)
    prescription = _ost_prescription(document, patient, facts, medication, daily_text)
    if prescription:
        derived.append(prescription)
    first = facts.get("first_dose_appointment")
    if first:
        if not isinstance(first, dict):
            raise FactsError("the first dosing appointment must be an object: start, where, with, minutes")
        derived.append(_appointment(document, patient, first, "ost/first-dose", f"First {drug} dose after release"))
        plan.append(derived[-1])
    statement = {"resourceType": "MedicationStatement", "status": "active", "medicationReference": medication,
                 "subject": patient, "effectiveDateTime": (release or made_at)[:10],
                 "reasonCode": [_concept("Opioid dependence", SNOMED, OPIOID_DEPENDENCE)]}
    if daily is not None:
        statement["dosage"] = [{"text": daily_text, "doseAndRate": [{"doseQuantity": _mg(daily)}],
                                "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}}}]
    if derived:
        statement["derivedFrom"] = derived
    return document.add(statement, "ost"), f"{product}: {daily_text}".rstrip(": "), plan


def _naloxone(document: _Document, patient: dict, facts: dict, release: str, made_at: str):
    kits = _number(facts, "kits", "the naloxone kits supplied")
    product = _text(facts, "product", "the naloxone product") or "Naloxone take-home kit"
    medication = document.add({
        "resourceType": "Medication", "code": _concept(product),
        "ingredient": [{"itemCodeableConcept": _concept("Naloxone", SNOMED, NALOXONE), "isActive": True}]},
        "naloxone/medication")
    dispense = document.add({
        "resourceType": "MedicationDispense", "status": "completed", "medicationReference": medication,
        "subject": patient, "quantity": {"value": kits or 0, "unit": "kit", "system": UCUM, "code": "{kit}"},
        "whenHandedOver": _text(facts, "handed_over", "when the naloxone was handed over") or release or made_at},
        "naloxone/dispensed")
    statement = document.add({
        "resourceType": "MedicationStatement", "status": "active", "medicationReference": medication,
        "subject": patient, "effectiveDateTime": (release or made_at)[:10], "derivedFrom": [dispense],
        "dosage": [{"text": "Carry it. Use it on someone who has overdosed, then call 999."}]}, "naloxone")
    procedures = []
    trained = _text(facts, "training", "when naloxone training was given")
    if trained:
        procedures.append(document.add({
            "resourceType": "Procedure", "status": "completed",
            "code": _concept("Training to use naloxone", CONTINUITY_SYSTEM, "naloxone-training"),
            "subject": patient, "performedDateTime": trained}, "naloxone/training"))
    return statement, f"Naloxone: {kits or 0:g} kit(s)", procedures


def _gp_status(facts: dict) -> str:
    return _text(facts, "status", "the GP registration status") or "requested"


def _gp_task(document: _Document, patient: dict, facts: dict, practice: dict | None, made_at: str) -> dict:
    """GP registration: a Task whose status is the pre-registration status, owned by the practice."""
    status = _gp_status(facts)
    if status not in GP_STATUSES:
        raise FactsError(f"the GP registration status ({status!r}) must be one of {', '.join(GP_STATUSES)}")
    task = {"resourceType": "Task", "status": status, "intent": "order",
            "code": _concept("Register with a GP", CONTINUITY_SYSTEM, "gp-registration"),
            "for": patient, "authoredOn": made_at}
    if practice:
        task["owner"] = practice
    return document.add(task, "gp/registration")


def _plan_line(resource: dict, practice_name: str) -> str:
    """A Plan of Care activity in the section's narrative."""
    if resource["resourceType"] == "Appointment":
        return f"{resource['description']}: {resource['start']}"
    if resource["resourceType"] == "ServiceRequest":
        return f"{resource['code']['text']}: {resource['occurrenceDateTime']}"
    return f"GP registration with {practice_name or 'a practice'}: {resource['status']}"


def _section(title: str, code: str, entries: list[dict], lines: list[str], empty: tuple[str, str] = ("", "")):
    section = {"title": title, "code": _concept(title, LOINC, code), "text": _div(lines)}
    if entries:
        section["entry"] = entries
    elif empty[0]:
        section["emptyReason"] = _concept(empty[1], EMPTY_REASON, empty[0], empty[1])
    return section


def _listed(document, patient, items, kind, what) -> tuple[list[dict], list[str], tuple[str, str]]:
    """Allergies or problems: None means nobody asked (unavailable), [] means none known (nilknown)."""
    if items is None:
        return [], [], ("unavailable", "No information available")
    if not isinstance(items, list):
        raise FactsError(f"{what} must be a list of objects (or null when nobody knows)")
    entries, lines = [], []
    for index, item in enumerate(items):
        name = _text(item, "what", f"{what} {index + 1}", required=True)
        if kind == "AllergyIntolerance":
            resource = {"resourceType": kind, "clinicalStatus": _concept(
                "Active", "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active"),
                "code": _concept(name), "patient": patient}
            reaction = _text(item, "reaction", f"{name}'s reaction")
            severity = _text(item, "severity", f"{name}'s severity").lower()
            if severity and severity not in ("mild", "moderate", "severe"):
                raise FactsError(f"{name}'s severity ({severity!r}) must be mild, moderate or severe")
            if reaction:
                resource["reaction"] = [{"manifestation": [_concept(reaction)], **({"severity": severity}
                                                                                   if severity else {})}]
            lines.append(", ".join(part for part in (name, reaction, severity) if part))
        else:
            status = _text(item, "status", f"{name}'s status").lower() or "active"
            resource = {"resourceType": kind, "clinicalStatus": _concept(
                status.capitalize(), "http://terminology.hl7.org/CodeSystem/condition-clinical", status),
                "code": _concept(name), "subject": patient}
            since = _text(item, "since", f"{name}'s onset")
            if since:
                resource["onsetDateTime"] = since
            lines.append(", ".join(part for part in (name, since, status) if part))
        entries.append(document.add(resource, f"{kind}/{index}"))
    return entries, lines, ("nilknown", "Nil known")


def _medicines(document: _Document, patient: dict, facts: dict, release: str, made_at: str):
    """The Medication Summary's entries and lines, with what they add to the plan, procedures and alerts."""
    medicines, medicine_lines, plan, procedures, alerts = [], [], [], [], []
    for index, item in enumerate(facts.get("medicines") or []):
        reference, line = _medicine(document, patient, item, index, release, made_at)
        medicines.append(reference)
        medicine_lines.append(line)
    ost_facts, naloxone_facts = facts.get("ost"), facts.get("naloxone")
    if ost_facts:
        reference, line, ost_plan = _ost(document, patient, ost_facts, release, made_at)
        medicines.append(reference)
        medicine_lines.append(line)
        plan += ost_plan
    if naloxone_facts:
        reference, line, procedures = _naloxone(document, patient, naloxone_facts, release, made_at)
        medicines.append(reference)
        medicine_lines.append(line)
    if ost_facts or naloxone_facts:
        alerts.append(document.add({
            "resourceType": "Flag", "status": "active",
            "code": _concept(TOLERANCE_WARNING, CONTINUITY_SYSTEM, "reduced-tolerance", "Reduced opioid tolerance"),
            "subject": patient, **({"period": {"start": release}} if release else {})}, "alert/tolerance"))
    return medicines, medicine_lines, plan, procedures, alerts


def release_summary(facts: dict, person_id: str, made_at: str) -> dict:
    """The release summary for `person_id`, made at `made_at` (RFC 3339), as an IPS document bundle.

    `facts` (dates YYYY-MM-DD, moments RFC 3339 with an offset; every key optional unless marked):
        {"patient": {"name": "Sam Carter" (required), "born": "1990-04-02"},
         "author": {"name": "Dr Ann Jones", "organisation": "HMP Leeds Healthcare"},
         "release_date": "2026-12-14",
         "medicines": [{"name": "Sertraline 50 mg tablets" (required), "dose": "50 mg once a day",
                        "last_given": "2026-12-14T08:05:00+00:00", "days_supplied": 28,
                        "prescription_issued": "2026-12-13", "prescriber": "Dr Ann Jones", "since": "2026-03-01"}],
         "ost": {"drug": "methadone" | "buprenorphine" (required), "form": "oral solution" (required),
                 "product": "Methadone 1 mg/mL oral solution", "daily_dose_mg": 60,
                 "last_supervised_dose": "2026-12-14T08:30:00+00:00",
                 "depot": {"product": "Buvidal 128 mg" (required), "dose_mg": 128, "given": "2026-12-01" (required),
                           "next_due": "2026-12-29"},
                 "prescriber": "Dr Priya Patel", "pharmacy": "Boots, 12 High Street",
                 "prescription_issued": "2026-12-11",
                 "first_dose_appointment": {"start": "2026-12-15T10:00:00+00:00" (required), "where": "Boots, 12 High
                                            Street", "with": "Dr Priya Patel", "minutes": 15}},
         "naloxone": {"kits": 2, "product": "Prenoxad 1 mg/mL injection", "handed_over": "2026-12-14T09:00:00+00:00",
                      "training": "2026-12-10"},
         "gp": {"practice": "Hyde Park Surgery", "status": "requested" | "accepted" | "completed"},
         "allergies": [{"what": "Penicillin" (required), "reaction": "Rash", "severity": "mild|moderate|severe"}],
         "problems": [{"what": "Depression" (required), "since": "2019", "status": "active"}],
         "appointments": [{"start": "..." (required), "what": "Blood test", "where": "...", "with": "...",
                           "minutes": 20}]}
    `allergies` or `problems` null (or left out) means nobody knows (the section's emptyReason "unavailable");
    an empty list means none known ("nilknown"). A medicine with no prescription_issued reads "No" in
    wire/ips.plain, and one with no days_supplied "None": a release summary says so when none went out.
    Raises FactsError naming the fact that is wrong."""
    if not isinstance(facts, dict):
        raise FactsError("the facts must be an object")
    document = _Document(f"{person_id}/{made_at}")
    release = _text(facts, "release_date", "the release date")
    about = facts.get("patient") if isinstance(facts.get("patient"), dict) else {}
    gp_facts = facts.get("gp") if isinstance(facts.get("gp"), dict) else {}
    patient_resource = {"resourceType": "Patient", "identifier": [{"system": PERSON_ID_SYSTEM, "value": person_id}],
                        "name": [{"text": _text(about, "name", "the person's name", required=True)}]}
    if _text(about, "born", "the person's date of birth"):
        patient_resource["birthDate"] = about["born"]
    document.add({"resourceType": "Composition"}, "composition")  # first, as a document needs; filled in below
    practice_name = _text(gp_facts, "practice", "the GP practice")
    practice = _party(document, "Organization", practice_name, "gp/practice")
    if practice:
        patient_resource["generalPractitioner"] = [practice]
    patient = {"reference": document.add(patient_resource, "patient")["reference"]}

    author_facts = facts.get("author") if isinstance(facts.get("author"), dict) else {}
    author = _party(document, "Practitioner", _text(author_facts, "name", "the author's name"), "author")
    custodian = _party(document, "Organization", _text(author_facts, "organisation", "the author's organisation"),
                       "custodian")
    if author is None and custodian is None:
        raise FactsError("the author (author.name or author.organisation) is missing: say who made the summary")

    medicines, medicine_lines, plan, procedures, alerts = _medicines(document, patient, facts, release, made_at)
    for index, item in enumerate(facts.get("appointments") or []):
        plan.append(_appointment(document, patient, item, f"appointment/{index}", "Health appointment"))
    if gp_facts:
        plan.append(_gp_task(document, patient, gp_facts, practice, made_at))
    by_url = {entry["fullUrl"]: entry["resource"] for entry in document.entries}
    plan_lines = [_plan_line(by_url[reference["reference"]], practice_name) for reference in plan]
    allergies, allergy_lines, allergy_empty = _listed(document, patient, facts.get("allergies"),
                                                      "AllergyIntolerance", "allergy")
    problems, problem_lines, problem_empty = _listed(document, patient, facts.get("problems"), "Condition", "problem")
    sections = [
        _section("Medication Summary", SECTION_MEDICATIONS, medicines, medicine_lines,
                 ("nilknown", "No medicines")),
        _section("Allergies and Intolerances", SECTION_ALLERGIES, allergies, allergy_lines, allergy_empty),
        _section("Problem List", SECTION_PROBLEMS, problems, problem_lines, problem_empty),
    ]
    if procedures:
        sections.append(_section("History of Procedures", SECTION_PROCEDURES, procedures, ["Naloxone training given"]))
    if plan:
        care_plan = document.add({
            "resourceType": "CarePlan", "status": "active", "intent": "plan", "title": "Care on release",
            "subject": patient, "activity": [{"reference": reference} for reference in plan]}, "care-plan")
        sections.append(_section("Plan of Care", SECTION_PLAN, [care_plan], plan_lines))
    if alerts:
        sections.append(_section("Alerts", SECTION_ALERTS, alerts, [TOLERANCE_WARNING]))

    composition = document.entries[0]["resource"]
    composition.update({
        "status": "final", "type": _concept("Patient summary Document", IPS_TYPE[0], IPS_TYPE[1]),
        "subject": patient, "date": made_at, "author": [author or custodian],
        "title": "Release health summary", "confidentiality": "N", "section": sections})
    if custodian:
        composition["custodian"] = custodian
    if release:
        composition["event"] = [{"code": [_concept("Release from custody", CONTINUITY_SYSTEM, RELEASE_EVENT)],
                                 "period": {"end": release}}]
    return {"resourceType": "Bundle", "id": str(uuid.uuid5(_NAMESPACE, f"{person_id}/{made_at}/bundle")),
            "identifier": {"system": "urn:ietf:rfc:3986",
                           "value": f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{person_id}/{made_at}/identifier')}"},
            "type": "document", "timestamp": made_at, "entry": document.entries}


def appointments_bundle(items: list[dict], person_id: str, made_at: str = "") -> dict:
    """Health appointments as a `collection` Bundle: the Patient (with the person id) and one booked
    Appointment per item ({"start" (required), "what", "where", "with", "minutes"}), with their Locations and
    Practitioners."""
    document = _Document(f"{person_id}/appointments/{made_at}")
    patient = document.add({"resourceType": "Patient",
                            "identifier": [{"system": PERSON_ID_SYSTEM, "value": person_id}]}, "patient")
    for index, item in enumerate(items):
        _appointment(document, {"reference": patient["reference"]}, item, f"appointment/{index}",
                     "Health appointment")
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": document.entries}
    if made_at:
        bundle["timestamp"] = made_at
    return bundle
