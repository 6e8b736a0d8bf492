"""The release plan's merge rule (wire/plans.py), with the examples of docs/phone-sync.md "Conflicts":
last writer wins per field by the writer's time, the losing value is kept with who and when unless the
writer had seen what they replaced, any order gives the same winner, and an edit merged twice is once."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from wire import plans
from wire.plans import Edit, Field, PlanError, Written, check_edit, merge


def _merge_all(edits) -> Field | None:
    field = None
    for edit in edits:
        field = merge(field, edit)
    return field


def test_the_later_writer_wins_and_the_earlier_value_is_kept_when_neither_saw_the_other():
    # the docs' example: Olivia at the hub and Sam at the edge both change the accommodation's owner
    olivia = Edit("accommodation", "owner", "Olivia (housing)", "2027-01-05T10:00:00.000Z", "olivia")
    sam = Edit("accommodation", "owner", "Cardiff council", "2027-01-05T10:05:00.000Z", "sam (hmp-north)")
    field = merge(merge(None, olivia), sam)
    assert field.current == Written("Cardiff council", "2027-01-05T10:05:00.000Z", "sam (hmp-north)")
    assert field.losing == (Written("Olivia (housing)", "2027-01-05T10:00:00.000Z", "olivia"),)


def test_an_edit_that_arrives_late_but_was_written_earlier_loses_and_is_kept():
    olivia = Edit("gp", "status", "done", "2027-01-05T10:00:00.000Z", "olivia")
    sam = Edit("gp", "status", "in_progress", "2027-01-05T09:00:00.000Z", "sam (hmp-north)")
    field = merge(merge(None, olivia), sam)
    assert field.current.value == "done"
    assert [w.value for w in field.losing] == ["in_progress"]


def test_a_writer_who_saw_the_value_replaces_it_without_a_conflict():
    first = Edit("id", "notes", "Birth certificate ordered", "2027-01-05T10:00:00.000Z", "olivia")
    second = Edit("id", "notes", "Birth certificate arrived", "2027-01-06T10:00:00.000Z", "olivia",
                  base="2027-01-05T10:00:00.000Z")
    field = merge(merge(None, first), second)
    assert field.current.value == "Birth certificate arrived" and field.losing == ()


def test_fields_merge_apart_so_two_writers_of_different_fields_both_win():
    owner = merge(None, Edit("family", "owner", "Family worker", "2027-01-05T10:00:00.000Z", "olivia"))
    status = merge(None, Edit("family", "status", "in_progress", "2027-01-05T09:00:00.000Z", "sam"))
    assert (owner.current.value, status.current.value) == ("Family worker", "in_progress")


def test_any_order_gives_the_same_winner_and_the_same_edit_twice_changes_nothing():
    edits = [Edit("money_benefits", "notes", text, at, by) for text, at, by in (
        ("Universal Credit claim made", "2027-01-05T10:00:00.000Z", "olivia"),
        ("Advance payment asked for", "2027-01-05T11:00:00+01:00", "sam"),  # 10:00 UTC: a tie, broken by name
        ("Claim started", "2027-01-04T10:00:00.000Z", "alex"))]
    winners = {_merge_all(order).current for order in itertools.permutations(edits)}
    assert winners == {Written("Advance payment asked for", "2027-01-05T11:00:00+01:00", "sam")}
    once = _merge_all(edits)
    assert _merge_all([*edits, *edits]) == once
    assert {w.value for w in once.losing} == {"Universal Credit claim made", "Claim started"}


def test_only_the_newest_losing_values_are_kept():
    field = None
    for minute in range(plans.KEEP_LOSING + 3):
        field = merge(field, Edit("gp", "notes", f"note {minute}", f"2027-01-05T10:{minute:02d}:00Z", f"w{minute}"))
    assert len(field.losing) == plans.KEEP_LOSING
    assert field.losing[0].value == f"note {plans.KEEP_LOSING + 1}"


@pytest.mark.parametrize(("args", "code"), [
    (("housing", "owner", "x"), "bad_pathway"),
    (("gp", "colour", "x"), "bad_field"),
    (("gp", "status", "finished"), "bad_value"),
    (("release", "date", "14/03/2027"), "bad_value"),
    (("gp", "notes", "x" * (plans.MAX_NOTES + 1)), "bad_value"),
])
def test_an_edit_a_plan_cannot_take_is_refused_saying_what_to_send(args, code):
    with pytest.raises(PlanError) as refused:
        check_edit(*args, "2027-01-05T10:00:00.000Z", "olivia")
    assert refused.value.code == code


def test_a_release_date_may_be_cleared_and_a_time_must_be_rfc_3339():
    assert check_edit("release", "date", "", "2027-01-05T10:00:00.000Z", "olivia").value == ""
    with pytest.raises(PlanError, match="RFC 3339"):
        check_edit("gp", "owner", "x", "yesterday", "olivia")


def test_the_countdown_says_the_days_to_release_in_plain_words():
    today = date(2027, 1, 5)
    assert plans.countdown("2027-01-17", today) == "Release in 12 days (2027-01-17)."
    assert plans.countdown("2027-01-06", today) == "Release tomorrow (2027-01-06)."
    assert plans.countdown("2027-01-05", today) == "Release today (2027-01-05)."
    assert plans.countdown("2027-01-04", today) == "The release date was 1 day ago (2027-01-04)."
    assert plans.countdown(None, today) == "No release date set yet."


def test_an_item_for_the_devices_has_both_languages_and_the_losing_values():
    field = merge(merge(None, Edit("gp", "owner", "A", "2027-01-05T10:00:00.000Z", "olivia")),
                  Edit("gp", "owner", "B", "2027-01-05T11:00:00.000Z", "sam"))
    body = plans.item_body("gp", {"owner": field})
    assert (body["label"], body["label_cy"], body["owner"], body["status"]) == (
        "GP registration", "Cofrestru gyda meddyg teulu", "B", "not_started")
    assert body["also"] == [{"field": "owner", "value": "A", "at": "2027-01-05T10:00:00.000Z", "by": "olivia"}]
