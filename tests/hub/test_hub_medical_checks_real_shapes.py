"""The summary checks (hub/medical/checks.py) on the shapes valid real summaries take, found by running the
checks over the IPS viewers' connectathon samples (Epic, NHS, Australia, New Zealand...): each test makes
that shape in a copy of our own fixture (data/ips/minimal-summary.json). What FHIR and the IPS allow is
accepted; what they forbid is still refused, with a reason that says what to correct."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from hub.medical import checks

DATA = Path(__file__).parent / "data" / "ips"
PERSON = "person-7c1e"
SUMMARY = json.loads((DATA / "minimal-summary.json").read_text())
PATIENT_URL = "urn:uuid:5e1f0a00-1b2c-4d3e-8f40-000000000002"


def summary() -> dict:
    return copy.deepcopy(SUMMARY)


def resource(bundle: dict, kind: str) -> dict:
    return next(entry["resource"] for entry in bundle["entry"] if entry["resource"]["resourceType"] == kind)


def reasons(bundle: dict) -> list[str]:
    return [f"{p.resource} {p.path}: {p.reason}" for p in checks.summary_problems(bundle, PERSON)]


def _with_immunization(bundle: dict, **occurrence) -> dict:
    immunization = {"resourceType": "Immunization", "id": "imm1", "status": "completed",
                    "vaccineCode": {"text": "M-M-R II"}, "patient": {"reference": PATIENT_URL}, **occurrence}
    bundle["entry"].append({"fullUrl": "urn:uuid:5e1f0a00-1b2c-4d3e-8f40-0000000000a1", "resource": immunization})
    section = next(s for s in bundle["entry"][0]["resource"]["section"] if s["code"]["coding"][0]["code"] == "11369-6")
    section["entry"] = [{"reference": "urn:uuid:5e1f0a00-1b2c-4d3e-8f40-0000000000a1"}]
    section.pop("emptyReason", None)
    return bundle


def test_an_immunization_whose_date_is_unknown_by_a_data_absent_reason_is_accepted():
    """AU PS and NZ PS: "_occurrenceDateTime" carries the data-absent-reason extension instead of a value."""
    absent = {"extension": [{"url": "http://hl7.org/fhir/StructureDefinition/data-absent-reason",
                             "valueCode": "unknown"}]}
    assert reasons(_with_immunization(summary(), _occurrenceDateTime=absent)) == []


def test_an_immunization_with_no_date_and_no_reason_is_still_refused():
    found = reasons(_with_immunization(summary()))
    assert len(found) == 1 and "occurrenceDateTime" in found[0], found


def test_a_local_section_coded_outside_loinc_with_nothing_clinical_in_it_is_accepted():
    """NZ PS adds an "Encounters" section coded v3-ActClass ENC, empty with an emptyReason."""
    bundle = summary()
    bundle["entry"][0]["resource"]["section"].append({
        "title": "Encounters", "code": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActClass",
                                                    "code": "ENC"}]},
        "text": {"status": "generated", "div": '<div xmlns="http://www.w3.org/1999/xhtml">No encounters</div>'},
        "emptyReason": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/list-empty-reason",
                                    "code": "nilknown"}]}})
    assert reasons(bundle) == []


def test_a_section_with_no_code_at_all_is_still_refused():
    bundle = summary()
    bundle["entry"][0]["resource"]["section"].append({"title": "Notes", "text": {
        "status": "generated", "div": '<div xmlns="http://www.w3.org/1999/xhtml">Notes</div>'}})
    assert any("no LOINC code" in reason for reason in reasons(bundle))


def test_references_to_an_encounter_or_clinician_on_the_senders_server_are_accepted():
    """Epic, NHS and US samples: Condition.encounter, asserter, MedicationStatement.informationSource and
    Patient.generalPractitioner name resources the bundle does not carry: FHIR allows it."""
    bundle = summary()
    condition = resource(bundle, "Condition")
    condition["encounter"] = {"reference": "Encounter/e-123"}
    condition["asserter"] = {"reference": "https://ehr.example.org/fhir/Practitioner/p-9", "display": "Dr Lee"}
    resource(bundle, "MedicationStatement")["informationSource"] = {"reference": "Practitioner/elsewhere"}
    resource(bundle, "Patient")["generalPractitioner"] = [{"reference": "Organization/gp-1"}]
    assert reasons(bundle) == []


def test_what_a_summary_shows_must_still_be_in_it():
    """The Composition's author, a resource's subject, a medicine's Medication and a contained "#id"."""
    bundle = summary()
    bundle["entry"][0]["resource"]["author"] = [{"reference": "Practitioner/not-sent"}]
    resource(bundle, "Condition")["subject"] = {"reference": "Patient/not-sent"}
    resource(bundle, "MedicationStatement")["medicationReference"] = {"reference": "#not-contained"}
    found = reasons(bundle)
    for where in ("Composition.author[0]", "Condition.subject", "MedicationStatement.medicationReference"):
        assert any(where in reason and "names nothing" in reason for reason in found), (where, found)


def test_a_medicine_in_a_contained_medication_is_accepted():
    bundle = summary()
    statement = resource(bundle, "MedicationStatement")
    statement["contained"] = [{"resourceType": "Medication", "id": "med", "code": {"text": "Metformin 500 mg"}}]
    statement["medicationReference"] = {"reference": "#med"}
    assert reasons(bundle) == []


def test_a_reference_whose_id_is_longer_than_fhir_allows_is_refused_saying_so():
    """Epic's connectathon bundles give Medications ids of over 100 characters; FHIR ids are at most 64."""
    bundle = summary()
    long_id = "e" + "Ab1." * 30
    resource(bundle, "Medication")["id"] = long_id
    resource(bundle, "MedicationStatement")["medicationReference"] = {"reference": f"Medication/{long_id}"}
    found = reasons(bundle)
    assert any("longer than the 64 characters" in reason for reason in found), found
