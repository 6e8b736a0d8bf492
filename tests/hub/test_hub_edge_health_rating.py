"""The red/amber/green rules (hub/fleet/rating.py), pure: each rule on its own, and worst first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from healthkit import sample_report

from hub.fleet import rating
from wire.records import timestamp

NOW = datetime.now(UTC)


def at(**delta) -> str:
    """A time this far from NOW, the moment every rating here is made at."""
    return timestamp(NOW + timedelta(**delta))


def rate(report=None, received_at: str | None = "now", backlog=(), enrolled_at: str | None = None, revoked=False):
    return rating.rate(revoked=revoked, enrolled_at=enrolled_at or at(days=-30),
                       received_at=at() if received_at == "now" else received_at, report=report,
                       backlog=list(backlog), now=NOW, silent_after_s=900)


def alarm(code: str) -> dict:
    return {"code": code, "since": at(hours=-1), "message": "m", "what_to_do": "w"}


def test_a_healthy_edge_is_green():
    assert rate(sample_report()) == rating.Rating(rating.GREEN)


def test_an_edge_silent_past_the_threshold_is_red_and_one_never_heard_from_too():
    assert rate(sample_report(), received_at=at(minutes=-16)).reasons == ("silent for 16 min",)
    never = rate(None, received_at=None)
    assert never.colour == rating.RED and never.reasons[0].endswith("no report since it enrolled")
    assert rate(None, received_at=None, enrolled_at=at(minutes=-1)) == rating.Rating(rating.AMBER, ("no report yet",))


@pytest.mark.parametrize("code, colour", [("crl_expiring", "red"), ("edge_cert_expiring", "red"),
                                          ("quota_reached", "red"), ("relay_commit_failed", "red"),
                                          ("clock_skew", "amber"), ("hub_unreachable", "amber")])
def test_alarms_rate_red_or_amber_by_code(code, colour):
    assert rate(sample_report(alarms=[alarm(code)])) == rating.Rating(colour, (f"alarm {code}",))


@pytest.mark.parametrize("days, colour", [(-1, "red"), (2, "red"), (5, "amber"), (13, "green")])
def test_a_certificate_or_crl_running_out(days, colour):
    report = sample_report(certificates={"edge_client": at(days=20), "server": at(days=80), "tablet_ca": None,
                                         "crl": at(days=days)})
    assert rate(report).colour == colour


@pytest.mark.parametrize("free, colour", [(0.02, "red"), (0.10, "amber"), (0.5, "green")])
def test_free_disk(free, colour):
    total = 100 * 2**30
    assert rate(sample_report(disk={"free_bytes": int(total * free), "total_bytes": total})).colour == colour


def test_an_old_or_growing_backlog_and_a_drifting_clock_are_amber():
    old = sample_report(records=5, outbox={"records": 5, "bytes": 500, "oldest": at(hours=-2), "batches": 1})
    assert rate(old).reasons == ("5 records waiting, the oldest for 2 h 0 min",)
    assert rate(sample_report(), backlog=[1, 5, 9, 20]).reasons == (
        "backlog growing at each of the last 3 reports (1 to 20)",)
    assert rate(sample_report(), backlog=[1, 5, 5, 20]).colour == rating.GREEN
    assert rate(sample_report(clock_skew_s=-120.0)).reasons == ("clock -120 s off the hub's",)


def test_red_reasons_come_before_amber_ones():
    report = sample_report(alarms=[alarm("clock_skew"), alarm("crl_expiring")])
    assert rate(report).reasons == ("alarm crl_expiring", "alarm clock_skew")


def test_worst_first_then_by_name_revoked_last():
    rated = [("b", rating.Rating(rating.GREEN)), ("z", rating.Rating(rating.RED)), ("a", rating.Rating(rating.REVOKED)),
             ("c", rating.Rating(rating.AMBER)), ("y", rating.Rating(rating.RED))]
    assert [name for name, _ in rating.worst_first(rated)] == ["y", "z", "c", "b", "a"]
    assert rate(sample_report(), revoked=True).colour == rating.REVOKED


def test_ages_read_as_people_say_them():
    assert [rating.age((NOW - timedelta(seconds=s)).isoformat(), NOW) for s in (40, 300, 7500, 200000)] == [
        "40 s", "5 min", "2 h 5 min", "2 d 7 h"]
