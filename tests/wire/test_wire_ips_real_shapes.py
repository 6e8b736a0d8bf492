"""wire/ips.plain on the shapes real summaries take (the IPS viewers' connectathon samples from Epic, the
NHS, Australia, New Zealand, Denmark, the Netherlands...): each fixture here is our own, small, made to the
shape one of them has, and plain() shows what a clinician expects from it: medicines with their dose,
allergies, problems, without dropping one it cannot name in words."""

from __future__ import annotations

import copy

from wire.ips import plain
from wire.ips_build import EXAMPLE_FACTS, appointments_bundle, release_summary

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
BASE = "https://fhir.example.org/R4"


def _bundle(medicines=(), allergies=(), problems=(), extra=(), sections=None, full_url=None) -> dict:
    """An IPS document: a Composition listing `medicines`, `allergies` and `problems` (resources, each
    with an id) in their sections, and a Patient; `full_url` makes each entry's fullUrl (urn:uuid by default)."""
    full_url = full_url or (lambda r: f"urn:uuid:00000000-0000-4000-8000-{abs(hash(r['id'])) % 10**12:012d}")
    patient = {"resourceType": "Patient", "id": "pat", "name": [{"family": "Carter", "given": ["Sam"]}]}
    resources = [patient, *medicines, *allergies, *problems, *extra]
    urls = {id(r): full_url(r) for r in resources}

    def section(code, items):
        return {"title": code, "code": {"coding": [{"system": LOINC, "code": code}]},
                "entry": [{"reference": urls[id(r)]} for r in items]}

    composition = {"resourceType": "Composition", "id": "comp", "status": "final",
                   "type": {"coding": [{"system": LOINC, "code": "60591-5"}]},
                   "subject": {"reference": urls[id(patient)]}, "date": "2026-12-01", "title": "Summary",
                   "section": sections if sections is not None else [
                       section("10160-0", medicines), section("48765-2", allergies), section("11450-4", problems)]}
    return {"resourceType": "Bundle", "type": "document",
            "entry": [{"fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000000", "resource": composition}]
            + [{"fullUrl": urls[id(r)], "resource": r} for r in resources]}


def _statement(id_, dosage=None, **medication) -> dict:
    return {"resourceType": "MedicationStatement", "id": id_, "status": "active",
            "subject": {"reference": "Patient/pat"}, **medication, **({"dosage": dosage} if dosage else {})}


def test_a_medicine_in_a_contained_medication_is_named_with_its_dose_text():
    """AU PS: MedicationStatement.medicationReference "#metformin" to a contained Medication."""
    statement = _statement("ms1", [{"text": "500mg twice daily"}], medicationReference={"reference": "#metformin"},
                           contained=[{"resourceType": "Medication", "id": "metformin",
                                       "code": {"coding": [{"system": SNOMED, "code": "109081006",
                                                            "display": "Metformin"}]}}])
    assert plain(_bundle([statement]))["medicines"][0] | {} == {
        "name": "Metformin", "dose": "500mg twice daily", "last_given": "", "days_supplied": "",
        "prescription_issued": ""}


def test_a_medicine_given_as_a_codeable_concept_or_only_by_its_ingredients_is_named():
    coded = _statement("ms1", medicationCodeableConcept={"text": "Anastrozole 1 mg tablet"})
    ingredients = _statement("ms2", medicationReference={"reference": "Medication/mix"})
    mix = {"resourceType": "Medication", "id": "mix", "ingredient": [
        {"itemCodeableConcept": {"coding": [{"system": SNOMED, "code": "372687004", "display": "Amoxicillin"}]}},
        {"itemCodeableConcept": {"text": "Clavulanic acid"}}]}
    away = _statement("ms3", medicationReference={"reference": "Medication/elsewhere", "display": "Prednisone tablet"})
    names = [m["name"] for m in plain(_bundle([coded, ingredients, away], extra=[mix]))["medicines"]]
    assert names == ["Anastrozole 1 mg tablet", "Amoxicillin + Clavulanic acid", "Prednisone tablet"]


def test_a_dose_without_text_reads_from_its_quantity_range_timing_need_or_route():
    def dose(dosage):
        statement = _statement("ms1", [dosage], medicationCodeableConcept={"text": "Something"})
        return plain(_bundle([statement]))["medicines"][0]["dose"]

    twice = {"frequency": 2, "period": 1, "periodUnit": "d"}
    assert dose({"doseAndRate": [{"doseQuantity": {"value": 500, "unit": "mg"}}],
                 "timing": {"repeat": twice}}) == "500 mg twice a day"
    assert dose({"doseAndRate": [{"doseRange": {"low": {"value": 1, "unit": "tablet"},
                                                "high": {"value": 2, "unit": "tablet"}}}],
                 "timing": {"repeat": {"frequency": 1, "period": 8, "periodUnit": "h"}}}) \
        == "1 to 2 tablet every 8 hours"
    assert dose({"timing": {"repeat": twice}}) == "Twice a day"
    assert dose({"asNeededBoolean": True}) == "When needed"
    assert dose({"route": {"coding": [{"system": "http://standardterms.edqm.eu", "code": "20053000",
                                       "display": "Oral use"}]}}) == "Oral use"
    assert dose({"doseAndRate": [{"doseQuantity": {"value": 15, "unit": "mg"}}],
                 "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "wk"}}}) == "15 mg once a week"


def test_an_allergy_with_only_code_text_and_one_with_only_a_code_are_both_shown():
    text_only = {"resourceType": "AllergyIntolerance", "id": "a1", "patient": {"reference": "Patient/pat"},
                 "code": {"text": "Penicillin"}, "criticality": "high"}
    code_only = {"resourceType": "AllergyIntolerance", "id": "a2", "patient": {"reference": "Patient/pat"},
                 "code": {"coding": [{"system": SNOMED, "code": "418770003"}]}}
    assert plain(_bundle(allergies=[text_only, code_only]))["allergies"] == [
        {"what": "Penicillin", "reaction": "", "severity": "High risk"},
        {"what": "SNOMED CT 418770003", "reaction": "", "severity": ""}]


def test_a_condition_with_an_onset_string_shows_it_as_since():
    condition = {"resourceType": "Condition", "id": "c1", "subject": {"reference": "Patient/pat"},
                 "code": {"text": "Asthma"}, "onsetString": "childhood",
                 "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                                                "code": "active"}]}}
    assert plain(_bundle(problems=[condition]))["problems"] == [{"what": "Asthma", "since": "childhood",
                                                                 "status": "Active"}]


def test_sections_with_an_empty_reason_say_why_they_are_empty():
    def empty(code, reason):
        return {"title": code, "code": {"coding": [{"system": LOINC, "code": code}]},
                "emptyReason": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/list-empty-reason",
                                            "code": reason, "display": reason.capitalize()}]}}
    seen = plain(_bundle(sections=[empty("10160-0", "unavailable"), empty("48765-2", "nilknown"),
                                   empty("11450-4", "notasked")]))
    assert (seen["medicines"], seen["allergies"], seen["problems"]) == ([], [], [])
    assert (seen["allergies_none"], seen["problems_none"]) == ("Nilknown", "Notasked")


def test_entries_named_by_absolute_urls_relative_or_versioned_references_are_found():
    """Epic and HAPI bundles: fullUrl https://server/fhir/Condition/1, sections referencing it relatively,
    absolutely, or with a _history version."""
    conditions = [{"resourceType": "Condition", "id": str(n), "subject": {"reference": "Patient/pat"},
                   "code": {"text": f"Problem {n}"}} for n in (1, 2, 3)]
    bundle = _bundle(problems=conditions, full_url=lambda r: f"{BASE}/{r['resourceType']}/{r['id']}")
    problems_section = bundle["entry"][0]["resource"]["section"][2]
    problems_section["entry"] = [{"reference": "Condition/1"}, {"reference": f"{BASE}/Condition/2"},
                                 {"reference": f"{BASE}/Condition/3/_history/4"}]
    seen = plain(bundle)
    assert [p["what"] for p in seen["problems"]] == ["Problem 1", "Problem 2", "Problem 3"]
    assert seen["patient"]["name"] == "Sam Carter"


def test_an_appointment_in_both_the_summary_and_the_appointments_upload_is_shown_once():
    summary = release_summary(copy.deepcopy(EXAMPLE_FACTS), "p-123", "2026-12-14T10:00:00+00:00")
    in_summary = [e["resource"] for e in summary["entry"] if e["resource"]["resourceType"] == "Appointment"]
    assert in_summary, "the example release summary carries its first-dose appointment"
    again = appointments_bundle([{"what": in_summary[0].get("description", ""), "start": in_summary[0]["start"]}],
                                "p-123")
    seen = plain(summary, again, today="2026-12-14")
    assert len([a for a in seen["appointments"] if a["what"] == in_summary[0].get("description")]) == 1
    # the same identifier from two systems, with different ids and words
    same = copy.deepcopy(in_summary[0]) | {"id": "other-id", "description": "Methadone appointment",
                                           "identifier": [{"system": "https://gp.example/appt", "value": "A1"}]}
    in_summary[0]["identifier"] = [{"system": "https://gp.example/appt", "value": "A1"}]
    upload = {"resourceType": "Bundle", "type": "collection", "entry": [{"fullUrl": "urn:uuid:x", "resource": same}]}
    assert len(plain(summary, upload, today="2026-12-14")["appointments"]) == len(seen["appointments"])


def test_days_supplied_reads_none_only_when_no_supply_went_out_on_release():
    """docs/health.md: in a release summary "None" is the wording for no MedicationDispense; a dispense that
    does not say its days supply leaves the field empty, never "None"."""
    summary = release_summary(copy.deepcopy(EXAMPLE_FACTS), "p-123", "2026-12-14T10:00:00+00:00")
    before = {m["name"]: m["days_supplied"] for m in plain(summary)["medicines"]}
    assert "None" in before.values() and any(v not in ("", "None") for v in before.values())
    for entry in summary["entry"]:
        entry["resource"].pop("daysSupply", None)
    after = {m["name"]: m["days_supplied"] for m in plain(summary)["medicines"]}
    assert {name: ("" if days not in ("", "None") else days) for name, days in before.items()} == after
