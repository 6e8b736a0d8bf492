"""How the console shows times and sizes (edge.console.filters): pure functions, no app needed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from edge.console import filters


def test_a_timestamp_reads_as_day_month_year_and_minutes_keeping_the_exact_value():
    html = str(filters.when("2026-11-27T01:48:28.062Z"))
    assert html == ('<time datetime="2026-11-27T01:48:28.062Z" title="2026-11-27T01:48:28.062Z">'
                    "27 Nov 2026, 01:48</time>")


def test_a_timestamp_is_shown_in_the_zone_given():
    assert filters.readable_time("2026-07-01T23:30:00.000Z", timezone(timedelta(hours=1))) == "2 Jul 2026, 00:30"
    assert filters.readable_time("2026-07-01T09:05:00+02:00") == "1 Jul 2026, 07:05"


@pytest.mark.parametrize(("value", "shown"), [(None, "never"), ("", "never"), ("never", "never"),
                                             ("<b>soon</b>", "&lt;b&gt;soon&lt;/b&gt;")])
def test_no_timestamp_or_a_bad_one_is_shown_as_it_is_and_escaped(value, shown):
    assert str(filters.when(value)) == shown


@pytest.mark.parametrize(("count", "shown"), [(0, "0 bytes"), (1, "1 byte"), (1023, "1023 bytes"),
                                              (1024, "1 KiB"), (6855, "6.7 KiB"), (268435456, "256 MiB"),
                                              (1610612736, "1.5 GiB"), (None, "–")])
def test_byte_counts_read_in_binary_units(count, shown):
    assert filters.size(count) == shown


@pytest.mark.parametrize(("ago", "said"), [(timedelta(minutes=5), "under an hour"), (timedelta(hours=1), "1 hour"),
                                           (timedelta(hours=30), "30 hours"), (timedelta(days=12, hours=3), "12 days")])
def test_how_long_a_submission_has_waited_is_said_as_a_person_would(ago, said):
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    assert filters.waited((now - ago).isoformat().replace("+00:00", "Z"), now) == said
    assert filters.waited("not a time", now) == ""


@pytest.mark.parametrize(("reason", "said"), [("give a grade of 1-20 characters (e.g. B, Merit, 7/10)",
                                               "Give a grade of 1-20 characters (e.g. B, Merit, 7/10)"),
                                              ("device id: lower-case letters", "Device id: lower-case letters."),
                                              ("Done.", "Done."), ("", ""), (None, "")])
def test_a_reason_is_shown_as_a_sentence(reason, said):
    assert filters.sentence(reason) == said


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00.000+01:00", "9999-12-31T23:59:59.999-01:00",
                                   "0001-01-01T00:30:00Z", "9999-12-31T23:30:00Z"])
def test_a_time_at_the_ends_of_the_calendar_is_shown_as_it_is_rather_than_breaking_the_page(value):
    """An older edge accepted these from tablets; converting them overflows (a probe got a 500 so)."""
    far_east, far_west = timezone(timedelta(hours=14)), timezone(timedelta(hours=-12))
    for zone in (UTC, far_east, far_west):
        shown = filters.readable_time(value, zone)
        assert shown == value or shown[0].isdigit()
    assert str(filters.when("0001-01-01T00:00:00.000+01:00")) == "0001-01-01T00:00:00.000+01:00"
    assert isinstance(filters.waited(value, datetime(2026, 11, 27, tzinfo=UTC)), str)  # and did not raise
