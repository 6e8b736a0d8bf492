"""A summary shows what is current: a medicine, allergy or problem its author marked as entered in error
or refuted is left out, and a stopped medicine or an allergy no longer active says so after its name."""

from __future__ import annotations

from test_wire_ips_real_shapes import SNOMED, _bundle

from wire.ips import plain


def _medicine(id_, name, status):
    return {"resourceType": "MedicationStatement", "id": id_, "status": status, "subject": {"reference": "Patient/pat"},
            "medicationCodeableConcept": {"text": name}, "dosage": [{"text": "1 tablet daily"}]}


def _allergy(id_, name, clinical=None, verification=None):
    allergy = {"resourceType": "AllergyIntolerance", "id": id_, "patient": {"reference": "Patient/pat"},
               "code": {"coding": [{"system": SNOMED, "code": "1"}], "text": name}}
    if clinical:
        allergy["clinicalStatus"] = {"coding": [{"code": clinical}]}
    if verification:
        allergy["verificationStatus"] = {"coding": [{"code": verification}]}
    return allergy


def _problem(id_, name, verification):
    return {"resourceType": "Condition", "id": id_, "subject": {"reference": "Patient/pat"}, "code": {"text": name},
            "verificationStatus": {"coding": [{"code": verification}]}}


def test_what_was_entered_in_error_or_refuted_is_not_shown_and_what_stopped_says_so():
    summary = plain(_bundle(
        medicines=[_medicine("m1", "Sertraline 50 mg", "active"), _medicine("m2", "Warfarin 5 mg", "entered-in-error"),
                   _medicine("m3", "Amoxicillin 500 mg", "completed"), _medicine("m4", "Codeine 30 mg", "stopped")],
        allergies=[_allergy("a1", "Penicillin", "active"), _allergy("a2", "Latex", verification="refuted"),
                   _allergy("a3", "Peanut", "resolved")],
        problems=[_problem("p1", "Asthma", "confirmed"), _problem("p2", "Epilepsy", "entered-in-error")]))

    assert [m["name"] for m in summary["medicines"]] == [
        "Sertraline 50 mg", "Amoxicillin 500 mg (finished)", "Codeine 30 mg (stopped)"]
    assert [a["what"] for a in summary["allergies"]] == ["Penicillin", "Peanut (no longer active)"]
    assert [p["what"] for p in summary["problems"]] == ["Asthma"]
