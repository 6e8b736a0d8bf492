"""The release health summary's builder (wire/ips_build.py): a valid IPS document bundle whose continuity fields
sit in standard FHIR R4 resources, the same facts making the same bundle, and facts that cannot be used named."""

from __future__ import annotations

import copy
import importlib.util
import re

import pytest

from wire.ips import CONTINUITY_SYSTEM, IPS_TYPE, PERSON_ID_SYSTEM, REQUIRED_SECTIONS, SECTION_ALERTS
from wire.ips_build import EXAMPLE_FACTS, FactsError, appointments_bundle, release_summary

MADE_AT = "2026-12-14T10:00:00+00:00"


@pytest.fixture(scope="module")
def bundle():
    return release_summary(EXAMPLE_FACTS, "p-123", MADE_AT)


def _resources(bundle, kind):
    return [entry["resource"] for entry in bundle["entry"] if entry["resource"]["resourceType"] == kind]


def _references(value):
    if isinstance(value, dict):
        if isinstance(value.get("reference"), str):
            yield value["reference"]
        for item in value.values():
            yield from _references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)


def test_the_release_summary_is_a_valid_r4_ips_document(bundle):
    from fhir.resources.R4B.bundle import Bundle

    Bundle.model_validate(bundle)  # raises naming the element when the structure is wrong
    assert bundle["type"] == "document" and bundle["timestamp"] == MADE_AT and bundle["identifier"]["value"]
    composition = bundle["entry"][0]["resource"]
    assert composition["resourceType"] == "Composition"
    assert {(c["system"], c["code"]) for c in composition["type"]["coding"]} == {IPS_TYPE}
    sections = {section["code"]["coding"][0]["code"]: section for section in composition["section"]}
    for code in REQUIRED_SECTIONS:
        assert sections[code].get("entry") or sections[code].get("emptyReason")
    assert all(entry["fullUrl"].startswith("urn:uuid:") for entry in bundle["entry"])
    urls = {entry["fullUrl"] for entry in bundle["entry"]}
    assert set(_references(bundle)) <= urls, "every reference resolves inside the bundle"
    (patient,) = _resources(bundle, "Patient")
    assert patient["identifier"] == [{"system": PERSON_ID_SYSTEM, "value": "p-123"}]


def test_every_continuity_field_sits_in_its_standard_resource(bundle):
    dispenses = _resources(bundle, "MedicationDispense")
    assert any(d.get("daysSupply", {}).get("value") == 28 for d in dispenses)
    assert any(d.get("quantity", {}).get("code") == "{kit}" and d["quantity"]["value"] == 2 for d in dispenses)
    requests = _resources(bundle, "MedicationRequest")
    assert any(r.get("dispenseRequest", {}).get("performer", {}).get("display") == "Boots, 12 High Street"
               for r in requests)
    assert any(r.get("requester", {}).get("display") == "Dr Priya Patel" for r in requests)
    (next_depot,) = _resources(bundle, "ServiceRequest")
    assert next_depot["occurrenceDateTime"] == "2026-12-29"
    routes = {a["dosage"].get("route", {}).get("coding", [{}])[0].get("code")
              for a in _resources(bundle, "MedicationAdministration")}
    assert "34206005" in routes, "the depot is a subcutaneous administration"
    (training,) = _resources(bundle, "Procedure")
    assert training["code"]["coding"][0] == {"system": CONTINUITY_SYSTEM, "code": "naloxone-training",
                                             "display": "Training to use naloxone"}
    (task,) = _resources(bundle, "Task")
    assert task["status"] == "accepted" and task["owner"]["display"] == "Hyde Park Surgery"
    (patient,) = _resources(bundle, "Patient")
    assert patient["generalPractitioner"][0]["display"] == "Hyde Park Surgery"
    composition = bundle["entry"][0]["resource"]
    alerts = [s for s in composition["section"] if s["code"]["coding"][0]["code"] == SECTION_ALERTS]
    assert alerts and alerts[0]["entry"][0]["reference"] in {e["fullUrl"] for e in bundle["entry"]
                                                             if e["resource"]["resourceType"] == "Flag"}
    assert composition["event"][0]["period"]["end"] == "2026-12-14"


def test_the_same_facts_make_the_same_bundle_and_another_moment_another(bundle):
    assert release_summary(EXAMPLE_FACTS, "p-123", MADE_AT) == bundle
    other = release_summary(EXAMPLE_FACTS, "p-123", "2026-12-14T11:00:00+00:00")
    assert other["identifier"] != bundle["identifier"]


def test_unknown_allergies_and_none_known_are_told_apart():
    facts = {"patient": {"name": "Jo"}, "author": {"organisation": "HMP Leeds Healthcare"}, "allergies": []}
    sections = {s["code"]["coding"][0]["code"]: s
                for s in release_summary(facts, "p-1", MADE_AT)["entry"][0]["resource"]["section"]}
    assert sections["48765-2"]["emptyReason"]["coding"][0]["code"] == "nilknown"
    assert sections["11450-4"]["emptyReason"]["coding"][0]["code"] == "unavailable"
    assert sections["10160-0"]["emptyReason"]["coding"][0]["code"] == "nilknown"


@pytest.mark.parametrize(("change", "says"), [
    ({"patient": {}}, "the person's name ('name') is missing"),
    ({"author": {}}, "say who made the summary"),
    ({"ost": {**EXAMPLE_FACTS["ost"], "drug": "heroin"}}, "must be one of methadone, buprenorphine"),
    ({"gp": {"practice": "X", "status": "maybe"}}, "must be one of requested, accepted, completed"),
    ({"naloxone": {"kits": -1}}, "'kits') must be a number, 0 or more"),
    ({"appointments": [{"start": "2026-12-18T14:00:00"}]}, "needs its offset"),
    ({"allergies": [{"what": "Nuts", "severity": "awful"}]}, "must be mild, moderate or severe"),
])
def test_facts_that_cannot_be_used_are_named(change, says):
    facts = {**copy.deepcopy(EXAMPLE_FACTS), **change}
    with pytest.raises(FactsError, match=re.escape(says)):
        release_summary(facts, "p-1", MADE_AT)


def test_an_appointments_bundle_is_valid_and_names_the_person():
    from fhir.resources.R4B.bundle import Bundle

    bundle = appointments_bundle([{"start": "2026-12-18T14:00:00+00:00", "what": "Blood test",
                                   "where": "Hyde Park Surgery", "with": "Nurse Bell"}], "p-123")
    Bundle.model_validate(bundle)
    (patient,) = _resources(bundle, "Patient")
    assert patient["identifier"][0]["value"] == "p-123"
    (appointment,) = _resources(bundle, "Appointment")
    assert appointment["end"] == "2026-12-18T14:30:00+00:00"


@pytest.mark.skipif(importlib.util.find_spec("hub.medical.checks") is None, reason="hub/medical/checks.py not here yet")
def test_the_hubs_checks_accept_the_release_summary(bundle):
    from hub.medical.checks import appointments_problems, summary_problems

    assert summary_problems(bundle, "p-123") == []
    assert appointments_problems(appointments_bundle([{"start": "2026-12-18T14:00:00+00:00"}], "p-123"), "p-123") == []
