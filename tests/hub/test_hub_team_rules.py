"""The pure rules of team messages (hub/teams/rules.py): the promised reply time as typed and shown,
how long a person waited, and the manager's flag from (received, answered, promise, now)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub.teams import rules

NOW = datetime(2027, 1, 11, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(("typed", "minutes"), [("4h", 240), ("90m", 90), ("1d", 1440), ("1d 4h", 1680),
                                                ("2H", 120), (" 30m ", 30)])
def test_a_promise_is_typed_in_minutes_hours_or_days(typed, minutes):
    assert rules.promise_minutes(typed) == minutes


@pytest.mark.parametrize("typed", ["", "4", "4 hours", "3y", "0m", "15d", "4h and more", "-1h"])
def test_a_promise_that_is_not_a_time_or_out_of_range_is_refused_saying_how(typed):
    with pytest.raises(rules.RuleError, match=r"4h|14 days"):
        rules.promise_minutes(typed)


@pytest.mark.parametrize(("minutes", "shown"), [(0, "0 min"), (35, "35 min"), (240, "4 h"), (1440, "1 d"),
                                                (1565, "1 d 2 h 5 min")])
def test_a_duration_reads_as_days_hours_and_minutes(minutes, shown):
    assert rules.duration_text(minutes) == shown


def test_an_unanswered_message_is_flagged_only_once_past_the_promise():
    assert not rules.flagged("2027-01-11T10:00:00.000Z", None, 240, NOW)  # exactly 4 h: still within
    assert rules.flagged("2027-01-11T09:59:00.000Z", None, 240, NOW)
    assert not rules.flagged("2027-01-11T13:00:00.000Z", None, 240, NOW)


def test_an_answered_message_is_never_flagged_even_if_the_answer_was_late():
    assert not rules.flagged("2027-01-10T09:00:00.000Z", "2027-01-10T10:00:00.000Z", 240, NOW)
    assert not rules.flagged("2027-01-10T09:00:00.000Z", "2027-01-11T10:00:00.000Z", 240, NOW)


def test_the_wait_runs_until_the_answer_or_until_now():
    assert rules.waited_minutes("2027-01-11T09:00:00.000Z", None, NOW) == 300
    assert rules.waited_minutes("2027-01-11T09:00:00.000Z", "2027-01-11T09:45:30.000Z", NOW) == 45
    assert rules.waited_minutes("2027-01-11T15:00:00.000Z", None, NOW) == 0  # a clock ahead: never negative


@pytest.mark.parametrize("name", ["x", "team:Cardiff", "a" * 60])
def test_a_team_name_too_short_too_long_or_looking_like_an_address_is_refused(name):
    with pytest.raises(rules.RuleError, match="2 to 59 characters"):
        rules.check_name(name)


def test_a_team_name_keeps_its_words_with_single_spaces():
    assert rules.check_name("  Cardiff   probation office ") == "Cardiff probation office"
