"""The checks an uploaded health summary and health appointments pass before the hub stores them
(hub/medical/checks.py): a valid IPS is accepted; a broken one is refused with every reason, each
naming the resource and the path. Pure, no database: the fixtures under data/ips are our own, made to
the shape of HL7's IPS examples, and each refusal is made here by changing a copy."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from hub.medical import checks
from hub.medical.checks import CheckFailed, Problem
from wire.ips import PERSON_ID_SYSTEM

DATA = Path(__file__).parent / "data" / "ips"
PERSON = "person-7c1e"
SUMMARY = json.loads((DATA / "minimal-summary.json").read_text())
APPOINTMENTS = json.loads((DATA / "appointments.json").read_text())


def summary() -> dict:
    return copy.deepcopy(SUMMARY)


def appointments() -> dict:
    return copy.deepcopy(APPOINTMENTS)


def resource(bundle: dict, kind: str) -> dict:
    return next(entry["resource"] for entry in bundle["entry"] if entry["resource"]["resourceType"] == kind)


def section(bundle: dict, code: str) -> dict:
    return next(s for s in bundle["entry"][0]["resource"]["section"] if s["code"]["coding"][0]["code"] == code)


def refused(problems: list[Problem], resource_name: str, path: str, *words: str) -> Problem:
    """The one problem about that resource and path, whose reason says each of `words`."""
    found = [p for p in problems if p.resource == resource_name and p.path == path]
    assert found, f"nothing about {resource_name} {path} in {problems}"
    assert all(word in found[0].reason for word in words), found[0]
    return found[0]


COMPOSITION = "Composition/5e1f0a00-1b2c-4d3e-8f40-000000000001"
PATIENT = "Patient/5e1f0a00-1b2c-4d3e-8f40-000000000002"


# -- accepted -----------------------------------------------------------------------------------------

def test_a_valid_summary_is_accepted_for_the_person_it_is_uploaded_for():
    assert checks.summary_problems(summary(), PERSON) == []


def test_a_summary_whose_patient_carries_the_persons_id_is_accepted():
    bundle = summary()
    resource(bundle, "Patient")["identifier"] = [{"system": PERSON_ID_SYSTEM, "value": PERSON}]
    assert checks.summary_problems(bundle, PERSON) == []


def test_relative_references_resolve_against_restful_full_urls_and_by_type_and_id():
    restful, by_type_id = summary(), summary()
    urls = {e["fullUrl"]: f'{e["resource"]["resourceType"]}/{e["resource"]["id"]}' for e in restful["entry"]}
    text = json.dumps(restful)
    for urn, relative in urls.items():
        text = text.replace(f'"fullUrl": "{urn}"', f'"fullUrl": "https://fhir.example.org/r4/{relative}"')
        text = text.replace(f'"reference": "{urn}"', f'"reference": "{relative}"')
    restful = json.loads(text)
    for entry in by_type_id["entry"]:  # IPS 1.x examples: urn:uuid: fullUrls, "Type/id" references
        for _, value in _references(entry["resource"]):
            value["reference"] = urls[value["reference"]]
    assert checks.summary_problems(restful, PERSON) == []
    assert checks.summary_problems(by_type_id, PERSON) == []


def _references(value):
    if isinstance(value, dict):
        if "reference" in value:
            yield value["reference"], value
        for child in value.values():
            yield from _references(child)
    elif isinstance(value, list):
        for child in value:
            yield from _references(child)


# -- refused: our IPS rules ---------------------------------------------------------------------------

@pytest.mark.parametrize("code, title", [("10160-0", "Medication Summary"), ("48765-2", "Allergies and Intolerances"),
                                         ("11450-4", "Problem List")])
def test_a_summary_without_a_required_section_is_refused_naming_it(code, title):
    bundle = summary()
    composition = bundle["entry"][0]["resource"]
    composition["section"] = [s for s in composition["section"] if s["code"]["coding"][0]["code"] != code]
    refused(checks.summary_problems(bundle, PERSON), COMPOSITION, "Composition.section", title, code, "missing")


def test_a_section_coded_outside_loinc_is_refused_as_a_wrong_section_code():
    bundle = summary()
    section(bundle, "48765-2")["code"] = {"coding": [{"system": "http://snomed.info/sct", "code": "420134006"}]}
    problems = checks.summary_problems(bundle, PERSON)
    refused(problems, COMPOSITION, "Composition.section[1].code", "no LOINC code", "Allergies")
    refused(problems, COMPOSITION, "Composition.section", "Allergies and Intolerances", "missing")


def test_a_required_section_with_neither_entries_nor_an_empty_reason_is_refused():
    bundle = summary()
    del section(bundle, "10160-0")["entry"]
    refused(checks.summary_problems(bundle, PERSON), COMPOSITION, "Composition.section[2]", "ips-comp-1", "emptyReason")


def test_a_dangling_reference_is_refused_naming_the_resource_and_path():
    bundle = summary()
    resource(bundle, "MedicationStatement")["medicationReference"] = {"reference": "Medication/not-sent"}
    problems = checks.summary_problems(bundle, PERSON)
    refused(problems, "MedicationStatement/5e1f0a00-1b2c-4d3e-8f40-000000000007",
            "MedicationStatement.medicationReference", "Medication/not-sent", "names nothing")
    assert len(problems) == 1


def test_a_section_entry_of_the_wrong_resource_type_is_refused():
    bundle = summary()
    section(bundle, "48765-2")["entry"] = [{"reference": "urn:uuid:5e1f0a00-1b2c-4d3e-8f40-000000000005"}]
    refused(checks.summary_problems(bundle, PERSON), COMPOSITION, "Composition.section[1].entry[0]",
            "lists a Condition", "AllergyIntolerance")


def test_a_summary_of_another_person_is_refused():
    bundle = summary()
    resource(bundle, "Patient")["identifier"] = [{"system": PERSON_ID_SYSTEM, "value": "person-other"}]
    refused(checks.summary_problems(bundle, PERSON), PATIENT, "Patient.identifier[0]", "another person")


def test_a_resource_about_someone_other_than_the_patient_is_refused():
    bundle = summary()
    resource(bundle, "Condition")["subject"] = {"reference": "urn:uuid:5e1f0a00-1b2c-4d3e-8f40-000000000003"}
    refused(checks.summary_problems(bundle, PERSON), "Condition/5e1f0a00-1b2c-4d3e-8f40-000000000005",
            "Condition.subject", "someone other than", "another person's subject")


def test_a_bundle_that_is_not_a_document_is_refused():
    bundle = summary()
    bundle["type"] = "collection"
    refused(checks.summary_problems(bundle, PERSON), "Bundle", "Bundle.type", "document")


def test_a_composition_that_is_not_first_or_not_an_ips_is_refused():
    moved, other = summary(), summary()
    moved["entry"].append(moved["entry"].pop(0))
    refused(checks.summary_problems(moved, PERSON), "Bundle", "Bundle.entry[0].resource", "Composition first")
    other["entry"][0]["resource"]["type"]["coding"][0]["code"] = "34133-9"
    refused(checks.summary_problems(other, PERSON), COMPOSITION, "Composition.type", "60591-5")


def test_a_resource_that_is_not_an_appointment_or_summary_is_refused():
    assert "not a Bundle" in checks.summary_problems(resource(summary(), "Patient"), PERSON)[0].reason


# -- refused: structure (fhir.resources R4B) -----------------------------------------------------------

def test_structure_errors_name_the_element_in_fhir_words():
    bundle = summary()
    condition = resource(bundle, "Condition")
    condition["onsetDate"] = condition.pop("onsetDateTime")  # an element R4 does not have
    resource(bundle, "Patient")["birthDate"] = "02/04/1990"
    del resource(bundle, "MedicationStatement")["status"]
    problems = checks.summary_problems(bundle, PERSON)
    refused(problems, "Condition/5e1f0a00-1b2c-4d3e-8f40-000000000005", "Condition.onsetDate", "not an element")
    refused(problems, PATIENT, "Patient.birthDate", "date", "YYYY-MM-DD")
    refused(problems, "MedicationStatement/5e1f0a00-1b2c-4d3e-8f40-000000000007", "MedicationStatement.status",
            "required")


def test_a_resource_type_r4b_does_not_have_is_named_and_the_rest_still_checked():
    bundle = summary()
    bundle["entry"].append({"fullUrl": "urn:uuid:5e1f0a00-1b2c-4d3e-8f40-000000000099",
                            "resource": {"resourceType": "MedicinalProduct", "id": "mp"}})
    resource(bundle, "Patient")["birthDate"] = "1990-13-45"
    problems = checks.summary_problems(bundle, PERSON)
    refused(problems, "MedicinalProduct/mp", "MedicinalProduct", "not a FHIR R4B resource type")
    refused(problems, PATIENT, "Patient.birthDate", "date")


def test_every_problem_is_returned_up_to_fifty():
    bundle = summary()
    for n in range(80):
        resource(bundle, "Patient")[f"nickname{n}"] = "x"
    problems = checks.summary_problems(bundle, PERSON)
    assert len(problems) == checks.MAX_PROBLEMS == 50
    assert problems[-1].resource == "Bundle" and "31 more problems" in problems[-1].reason


# -- refused: invariants (fhirpathpy) -----------------------------------------------------------------

def _no_identifier(bundle):
    del bundle["identifier"]


def _two_compositions(bundle):
    extra = copy.deepcopy(bundle["entry"][0])
    extra["fullUrl"] = "urn:uuid:5e1f0a00-1b2c-4d3e-8f40-000000000098"
    bundle["entry"].append(extra)


def _empty_reason_with_entries(bundle):
    section(bundle, "11450-4")["emptyReason"] = {"text": "none known"}


def _nameless_name(bundle):
    resource(bundle, "Patient")["name"] = [{"use": "official"}]


def _abated_but_active(bundle):
    resource(bundle, "Condition")["abatementDateTime"] = "2024-01-01"


def _allergy_without_status(bundle):
    del resource(bundle, "AllergyIntolerance")["clinicalStatus"]


@pytest.mark.parametrize("change, where, key", [
    (_no_identifier, ("Bundle", "Bundle.identifier"), "bdl-9"),
    (_two_compositions, ("Bundle", "Bundle.entry"), "bdl-ips-1"),
    (_empty_reason_with_entries, (COMPOSITION, "Composition.section[0].emptyReason"), "cmp-2"),
    (_nameless_name, (PATIENT, "Patient.name[0]"), "ips-pat-1"),
    (_abated_but_active, ("Condition/5e1f0a00-1b2c-4d3e-8f40-000000000005", "Condition.clinicalStatus"), "con-4"),
    (_allergy_without_status, ("AllergyIntolerance/5e1f0a00-1b2c-4d3e-8f40-000000000006",
                               "AllergyIntolerance.clinicalStatus"), "ait-1"),
])
def test_the_invariants_that_matter_are_checked(change, where, key):
    bundle = summary()
    change(bundle)
    refused(checks.summary_problems(bundle, PERSON), *where, f"({key})")


# -- unreadable uploads ----------------------------------------------------------------------------------

def _unreadable(data: bytes) -> Problem:
    with pytest.raises(CheckFailed) as failed:
        checks.read_document(data)
    assert len(failed.value.problems) == 1 and failed.value.problems[0].resource == "document"
    return failed.value.problems[0]


def test_the_summary_is_read_from_utf8_json():
    assert checks.read_document(("\ufeff" + json.dumps(SUMMARY)).encode()) == SUMMARY


def test_xml_is_refused_saying_to_send_json_and_why():
    problem = _unreadable(b'<?xml version="1.0"?><Bundle xmlns="http://hl7.org/fhir"/>')
    assert "application/fhir+json" in problem.reason and "XML is not taken" in problem.reason


@pytest.mark.parametrize("data, words", [
    (b'{"resourceType": "Bundle", "type": ', "not JSON (line 1"),
    ('{"resourceType": "Bundle"}'.encode("utf-16"), "UTF-16"),
    (b'{"resourceType": "Bundle", "id": "caf\xe9"}', "not UTF-8"),
    (b'{"resourceType": "Bundle", "type": "document", "type": "collection"}', '"type" twice'),
    (b'{"resourceType": "Observation", "valueQuantity": {"value": NaN}}', "NaN"),
    (b'[{"resourceType": "Bundle"}]', "not a FHIR resource"),
    (b'{"type": "document"}', "not a FHIR resource"),
    (b'{"resourceType": "Bundle", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested too deeply"),
    (b'{"resourceType": "Bundle", "x": ' + b"[" * 100 + b"]" * 100 + b"}", "nested too deeply"),
    (b" " * (checks.MAX_DOCUMENT_BYTES + 1), "far smaller"),
    (json.dumps({"resourceType": "Bundle", "entry": [{}] * (checks.MAX_ENTRIES + 1)}).encode(), "not the whole record"),
])
def test_an_unreadable_upload_is_refused_saying_what_to_send(data, words):
    assert words in _unreadable(data).reason


# -- appointments ---------------------------------------------------------------------------------------

APPOINTMENT = "Appointment/5e1f0a00-1b2c-4d3e-8f40-0000000000a3"


def test_appointments_naming_the_persons_patient_are_accepted():
    assert checks.appointments_problems(appointments(), PERSON) == []


def test_one_appointment_whose_actor_carries_the_persons_id_is_accepted():
    alone = resource(appointments(), "Appointment")
    alone["participant"] = [{"actor": {"identifier": {"system": PERSON_ID_SYSTEM, "value": PERSON},
                                       "display": "Alex Example"}, "status": "accepted"},
                            {"actor": {"display": "Hyde Park Surgery"}, "status": "accepted"}]
    assert checks.appointments_problems(alone, PERSON) == []


def test_appointments_of_another_person_are_refused():
    by_patient, by_actor = appointments(), resource(appointments(), "Appointment")
    resource(by_patient, "Patient")["identifier"] = [{"system": PERSON_ID_SYSTEM, "value": "person-other"}]
    refused(checks.appointments_problems(by_patient, PERSON), "Patient/5e1f0a00-1b2c-4d3e-8f40-0000000000a1",
            "Patient.identifier[0]", "another person")
    by_actor["participant"] = [{"actor": {"identifier": {"system": PERSON_ID_SYSTEM, "value": "person-other"}},
                                "status": "accepted"}]
    refused(checks.appointments_problems(by_actor, PERSON), APPOINTMENT,
            "Appointment.participant[0].actor.identifier", "another person")


def test_an_appointment_without_the_person_is_refused():
    bundle = appointments()
    resource(bundle, "Appointment")["participant"].pop(0)
    refused(checks.appointments_problems(bundle, PERSON), APPOINTMENT, "Appointment.participant",
            "no participant is the person")


def test_appointment_times_and_status_are_checked():
    bundle = appointments()
    booked = resource(bundle, "Appointment")
    booked["status"] = "confirmed"
    booked["end"] = "2026-12-18T13:00:00+00:00"
    problems = checks.appointments_problems(bundle, PERSON)
    refused(problems, APPOINTMENT, "Appointment.status", '"confirmed"', "booked")
    refused(problems, APPOINTMENT, "Appointment.end", "ends before it starts")
    del booked["end"]
    booked["status"] = "booked"
    refused(checks.appointments_problems(bundle, PERSON), APPOINTMENT, "Appointment.end", "app-2")


def test_an_appointments_upload_carrying_other_health_data_or_dangling_references_is_refused():
    bundle = appointments()
    bundle["entry"].append({"fullUrl": "urn:uuid:5e1f0a00-1b2c-4d3e-8f40-0000000000a9",
                            "resource": copy.deepcopy(resource(SUMMARY, "Condition"))})
    resource(bundle, "Appointment")["participant"][1]["actor"]["reference"] = "Location/elsewhere"
    problems = checks.appointments_problems(bundle, PERSON)
    refused(problems, "Condition/5e1f0a00-1b2c-4d3e-8f40-000000000005", "Condition", "not a Condition")
    refused(problems, APPOINTMENT, "Appointment.participant[1].actor", "Location/elsewhere", "names nothing")


def test_a_summary_sent_as_appointments_is_refused():
    problems = checks.appointments_problems(summary(), PERSON)
    refused(problems, "Bundle", "Bundle.entry", "no Appointment")
