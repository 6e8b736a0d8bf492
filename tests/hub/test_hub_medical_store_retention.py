"""Health data is deleted when its keeping time is over (hub/medical/retention.py, docs/health.md
"Retention"), with a clock the test moves: a current summary after a year, a replaced one after 30
days, health appointments 90 days after they end, dead share links after 30 days, reads after 6 years."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from ipskit import appointments, summary

from hub.medical import job, retention, service, shares
from hub.medical.models import HealthKey, HealthRead, HealthRecord, HealthShare
from hub.people import service as people
from hub.sync.models import PersonChange
from wire.records import timestamp

pytestmark = pytest.mark.parametrize("hub_db_url", ["sqlite"], indirect=True)
DAY = timedelta(days=1)


@pytest.fixture
def hub(app):
    with app.app_context():
        yield app


def _upload(person_id: str, bundle: dict, kind: str = "summary") -> str:
    return service.import_bundle(person_id, bundle, kind, "hana", "health_care", "console").record_id


def _kept() -> set[str]:
    return {row.record_id for row in HealthRecord.select()}


def test_each_kind_of_health_data_goes_when_its_time_is_over(hub):
    now = datetime.now(UTC)
    person = people.add("test").person_id
    first = _upload(person, summary(medicine="Sertraline"))
    current = _upload(person, summary(medicine="Mirtazapine"))  # replaces the first
    ends = now + 10 * DAY
    booked = _upload(person, appointments(person, timestamp(ends - timedelta(minutes=30)), timestamp(ends)),
                     "appointments")
    service.read(person, "hana", "health_care", "Direct care", "console", "summary")
    expired, _ = shares.make(person, "new GP", 7, now=now - 10 * DAY)  # expired 3 days ago
    revoked, _ = shares.make(person, "pharmacy", 30, now=now)
    shares.revoke(person, revoked.share_id, now=now)
    working, _ = shares.make(person, "dentist", 30, now=now)

    assert retention.purge(now + 26 * DAY) == retention.Due(0, 0, 0)
    assert retention.purge(now + 27 * DAY, dry_run=True) == retention.Due(0, 1, 0)  # dry run: counted, kept
    assert HealthShare.select().count() == 3
    assert retention.purge(now + 31 * DAY) == retention.Due(1, 2, 0)  # the replaced summary; two dead links
    assert _kept() == {current, booked}
    assert [row.share_id for row in HealthShare.select()] == [working.share_id]
    assert first not in _kept()

    assert retention.purge(ends + 89 * DAY) == retention.Due(0, 1, 0)  # the dentist's link, 30 days after it expired
    assert retention.purge(ends + 91 * DAY).records == 1  # appointments: 90 days after they ended
    assert _kept() == {current}
    assert retention.purge(now + 364 * DAY).records == 0
    assert retention.purge(now + 366 * DAY) == retention.Due(1, 0, 0)  # the current summary, a year on
    assert _kept() == set() and service.read(person, "hana", "health_care", "Direct care", "console", "x") is None
    assert HealthKey.select().count() == 1  # the key stays for the next upload; it opens nothing old
    told = [json.loads(c.body) for c in PersonChange.select().where(PersonChange.kind == "health")]
    assert told.count({"erased": True}) == 2  # the appointments, then the summary: the phone drops its copy

    assert HealthRead.select().count() == 1
    assert retention.purge(now + 6 * 365 * DAY).reads == 0
    assert retention.purge(now + (6 * 365 + 3) * DAY).reads == 1  # who read it: six years


def test_a_summary_uploaded_again_keeps_its_first_keeping_time_and_a_newer_one_replaces_it(hub):
    now = datetime.now(UTC)
    person = people.add("test").person_id
    first = _upload(person, summary())
    assert _upload(person, summary()) == first  # the same again: stored once, nothing moves
    keep = HealthRecord.get(HealthRecord.record_id == first).keep_until
    assert now + 364 * DAY < datetime.fromisoformat(keep) < now + 366 * DAY


def test_the_daily_job_purges_and_waits_a_day(hub):
    person = people.add("test").person_id
    _upload(person, summary())
    later = datetime.now(UTC) + 400 * DAY
    assert job.RetentionJob().run_once(later) == job.EVERY_S
    assert HealthRecord.select().count() == 0
