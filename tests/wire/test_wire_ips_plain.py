"""An IPS in plain words (wire/ips.plain): a release summary reads back with every continuity field as staff gave
it, the reduced-tolerance warning is always there with opioid substitution or naloxone, and any valid IPS (the HL7
examples, a minimal one with emptyReason sections) is read without guessing what it does not say."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from wire.ips import TOLERANCE_WARNING, plain, when
from wire.ips_build import EXAMPLE_FACTS, appointments_bundle, release_summary

MADE_AT = "2026-12-14T10:00:00+00:00"
HL7_EXAMPLES = sorted((Path(__file__).parents[1] / "hub" / "data" / "ips").glob("*.json"))
KEYS = {"patient", "made", "release_date", "medicines", "ost", "naloxone", "warnings", "gp", "allergies",
        "allergies_none", "problems", "problems_none", "appointments"}


def _summary(**change):
    return release_summary({**copy.deepcopy(EXAMPLE_FACTS), **change}, "p-123", MADE_AT)


def test_a_release_summary_reads_back_with_every_continuity_field_as_given():
    seen = plain(_summary(), today="2026-12-14")
    assert seen["patient"] == {"name": "Sam Carter", "born": "2 April 1990"}
    assert seen["made"] == {"at": "14 December 2026 at 10:00", "by": "Dr Ann Jones",
                            "organisation": "HMP Leeds Healthcare"}
    assert seen["release_date"] == "14 December 2026"
    assert seen["medicines"] == [
        {"name": "Sertraline 50 mg tablets", "dose": "50 mg once a day", "last_given": "14 December 2026 at 08:05",
         "days_supplied": "28", "prescription_issued": "Yes, 13 December 2026, by Dr Ann Jones"},
        {"name": "Omeprazole 20 mg capsules", "dose": "20 mg in the morning",
         "last_given": "13 December 2026 at 08:00", "days_supplied": "None", "prescription_issued": "No"},
    ]
    assert seen["ost"] == {
        "drug": "Buprenorphine", "form": "Sublingual tablet", "daily_dose": "16 mg once a day",
        "last_supervised_dose": "14 December 2026 at 08:30", "dosed_on_release_day": "Yes",
        "depot": {"product": "Buvidal 64 mg monthly prolonged-release injection", "dose": "64 mg",
                  "given": "1 December 2026", "next_due": "29 December 2026"},
        "prescriber": "Dr Priya Patel", "pharmacy": "Boots, 12 High Street",
        "first_dose_appointment": "15 December 2026 at 10:00, Boots, 12 High Street, Dr Priya Patel"}
    assert seen["naloxone"] == {"kits": "2", "training_given": "Yes, 10 December 2026",
                                "when": "14 December 2026 at 09:00"}
    assert seen["warnings"] == [TOLERANCE_WARNING]
    assert seen["gp"] == {"practice": "Hyde Park Surgery",
                          "status": "Accepted by the practice: registration under way"}
    assert seen["allergies"] == [{"what": "Penicillin", "reaction": "Rash", "severity": "Moderate"}]
    assert seen["problems"] == [{"what": "Depression", "since": "1 May 2019", "status": "Active"}]
    assert seen["allergies_none"] == seen["problems_none"] == ""
    assert [item["what"] for item in seen["appointments"]] == ["First buprenorphine dose after release", "Blood test"]


def test_a_dose_given_the_evening_before_in_uk_time_is_not_a_dose_on_release_day():
    ost = {**EXAMPLE_FACTS["ost"], "last_supervised_dose": "2026-06-13T23:30:00+00:00"}  # 00:30 on the 14th, BST
    assert plain(_summary(ost=ost, release_date="2026-06-14"))["ost"]["dosed_on_release_day"] == "Yes"
    ost["last_supervised_dose"] = "2026-06-13T22:30:00+00:00"  # 23:30 on the 13th, BST
    assert plain(_summary(ost=ost, release_date="2026-06-14"))["ost"]["dosed_on_release_day"] == "No"


def test_the_tolerance_warning_shows_with_naloxone_alone_even_without_the_flag():
    bundle = _summary(ost=None)
    bundle["entry"] = [entry for entry in bundle["entry"] if entry["resource"]["resourceType"] != "Flag"]
    composition = bundle["entry"][0]["resource"]
    composition["section"] = [s for s in composition["section"] if s["code"]["coding"][0]["code"] != "104605-1"]
    seen = plain(bundle)
    assert seen["ost"] is None and seen["naloxone"]["kits"] == "2"
    assert seen["warnings"] == [TOLERANCE_WARNING]


def test_no_tolerance_warning_without_opioid_substitution_or_naloxone():
    assert plain(_summary(ost=None, naloxone=None))["warnings"] == []


def test_a_minimal_ips_with_empty_sections_says_why_they_are_empty():
    facts = {"patient": {"name": "Jo Bloggs"}, "author": {"organisation": "HMP Leeds Healthcare"}, "allergies": []}
    seen = plain(release_summary(facts, "p-1", MADE_AT))
    assert seen["allergies"] == [] and seen["allergies_none"] == "Nil known"
    assert seen["problems"] == [] and seen["problems_none"] == "No information available"
    assert seen["medicines"] == [] and seen["ost"] is None and seen["naloxone"] is None and seen["gp"] is None
    assert seen["release_date"] == "" and seen["warnings"] == []


def test_appointments_come_soonest_first_and_past_ones_are_left_out():
    extra = appointments_bundle([
        {"start": "2026-12-20T09:00:00+00:00", "what": "Dentist", "where": "Leeds Dental"},
        {"start": "2026-12-01T09:00:00+00:00", "what": "Eye test"},
        {"start": "2026-12-16T11:00:00+00:00", "what": "Keyworker", "with": "Sue Hall"},
    ], "p-123")
    seen = plain(_summary(), extra, today="2026-12-16")
    assert [(item["what"], item["when"]) for item in seen["appointments"]] == [
        ("Keyworker", "16 December 2026 at 11:00"), ("Blood test", "18 December 2026 at 14:00"),
        ("Dentist", "20 December 2026 at 09:00")]
    assert seen["appointments"][2]["where"] == "Leeds Dental" and seen["appointments"][0]["with"] == "Sue Hall"


def test_dates_are_in_words_in_uk_time():
    assert when("2026-07-01T23:30:00Z") == "2 July 2026 at 00:30"
    assert when("2026-07-01") == "1 July 2026" and when("2015-03") == "March 2015" and when("2015") == "2015"
    assert when("soon") == "" and when(None) == ""


@pytest.mark.parametrize("path", HL7_EXAMPLES, ids=[path.name for path in HL7_EXAMPLES])
def test_the_ips_fixtures_read_without_inventing_release_facts(path):
    """tests/hub/data/ips holds the official HL7 examples and hand-made broken ones: none has release facts."""
    seen = plain(json.loads(path.read_text()))
    assert set(seen) == KEYS
    assert seen["release_date"] == "" and seen["ost"] is None and seen["naloxone"] is None
    assert all(medicine["days_supplied"] == "" and medicine["prescription_issued"] == ""
               for medicine in seen["medicines"])


@pytest.mark.parametrize("summary", [None, {}, {"resourceType": "Bundle", "entry": "x"},
                                     {"resourceType": "Bundle", "entry": [None, {"resource": {"resourceType": 3}},
                                                                          {"resource": {"resourceType": "Composition",
                                                                                        "section": "x",
                                                                                        "subject": 3}}]}])
def test_anything_else_reads_as_an_empty_summary(summary):
    seen = plain(summary)
    assert set(seen) == KEYS and seen["medicines"] == [] and seen["patient"] == {"name": "", "born": ""}


def test_a_summary_with_parts_cut_away_never_crashes():
    """Every resource of the full summary with each of its keys removed in turn, then set to a wrong type."""
    bundle = _summary()
    for index, entry in enumerate(bundle["entry"]):
        for key in list(entry["resource"]):
            for replacement in (None, 7, "x", [], {}):
                broken = copy.deepcopy(bundle)
                if replacement is None:
                    del broken["entry"][index]["resource"][key]
                else:
                    broken["entry"][index]["resource"][key] = replacement
                assert set(plain(broken, today="2026-12-14")) == KEYS
