"""Health bundles for the hub's health tests: a small valid International Patient Summary (FHIR R4 IPS)
and a bundle of FHIR Appointments, built here so the tests read what they upload. Release summaries
with every continuity field come from wire.ips_build (tests/wire)."""

from __future__ import annotations

MEDICINE = "Sertraline"


def summary(person_id: str | None = None, medicine: str = MEDICINE, made_at: str = "2026-12-07T09:00:00Z") -> dict:
    """An IPS document: Composition (IPS type, the three required sections), Patient (with the hub's
    person id when given), a MedicationStatement naming `medicine`, a Condition, no known allergies."""
    patient = {"resourceType": "Patient", "id": "pat", "name": [{"family": "Jones", "given": ["Sam"]}],
               "birthDate": "1990-04-02"}
    if person_id:
        patient["identifier"] = [{"system": "https://throughgate.org/fhir/sid/person-id", "value": person_id}]
    subject = {"reference": "urn:uuid:00000000-0000-4000-8000-000000000002"}
    return {
        "resourceType": "Bundle", "type": "document", "timestamp": made_at,
        "identifier": {"system": "urn:ietf:rfc:3986", "value": "urn:uuid:00000000-0000-4000-8000-0000000000b1"},
        "entry": [
            {"fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000001", "resource": {
                "resourceType": "Composition", "id": "comp", "status": "final",
                "type": {"coding": [{"system": "http://loinc.org", "code": "60591-5",
                                     "display": "Patient summary Document"}]},
                "subject": subject, "date": made_at,
                "author": [{"reference": "urn:uuid:00000000-0000-4000-8000-000000000005"}],
                "title": "Patient Summary",
                "section": [
                    {"title": "Medication", "code": {"coding": [{"system": "http://loinc.org", "code": "10160-0"}]},
                     "entry": [{"reference": "urn:uuid:00000000-0000-4000-8000-000000000003"}]},
                    {"title": "Allergies", "code": {"coding": [{"system": "http://loinc.org", "code": "48765-2"}]},
                     "entry": [{"reference": "urn:uuid:00000000-0000-4000-8000-000000000006"}]},
                    {"title": "Problems", "code": {"coding": [{"system": "http://loinc.org", "code": "11450-4"}]},
                     "entry": [{"reference": "urn:uuid:00000000-0000-4000-8000-000000000004"}]},
                ]}},
            {"fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000002", "resource": patient},
            {"fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000003", "resource": {
                "resourceType": "MedicationStatement", "id": "med", "status": "active",
                "medicationCodeableConcept": {"text": medicine}, "subject": subject,
                "dosage": [{"text": "50 mg once a day"}]}},
            {"fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000004", "resource": {
                "resourceType": "Condition", "id": "cond", "subject": subject,
                "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                                               "code": "active"}]},
                "code": {"text": "Depression"}}},
            {"fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000005", "resource": {
                "resourceType": "Organization", "id": "org", "name": "HMP Example health care"}},
            {"fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000006", "resource": {
                "resourceType": "AllergyIntolerance", "id": "allergy", "patient": subject,
                "clinicalStatus": {"coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                    "code": "active"}]},
                "code": {"coding": [{"system": "http://hl7.org/fhir/uv/ips/CodeSystem/absent-unknown-uv-ips",
                                     "code": "no-allergy-info", "display": "No information about allergies"}]}}},
        ],
    }


def appointments(person_id: str, start: str = "2026-12-20T10:00:00Z", end: str = "2026-12-20T10:30:00Z") -> dict:
    """A collection bundle with the person and one booked health appointment."""
    patient = {"resourceType": "Patient", "id": "pat",
               "identifier": [{"system": "https://throughgate.org/fhir/sid/person-id", "value": person_id}]}
    return {"resourceType": "Bundle", "type": "collection", "entry": [
        {"fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000012", "resource": patient},
        {"fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000013", "resource": {
            "resourceType": "Appointment", "id": "appt", "status": "booked", "description": "Methadone review",
            "start": start, "end": end, "participant": [
                {"actor": {"reference": "urn:uuid:00000000-0000-4000-8000-000000000012"}, "status": "accepted"}]}},
    ]}


def without_section(bundle: dict, code: str) -> dict:
    """The bundle with the Composition's section of this LOINC code taken out (a refusal to provoke)."""
    composition = bundle["entry"][0]["resource"]
    composition["section"] = [section for section in composition["section"]
                              if section["code"]["coding"][0]["code"] != code]
    return bundle
