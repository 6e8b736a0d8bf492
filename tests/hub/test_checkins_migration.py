"""Migration 0020 (check-ins) on a saved hub with rows (tests/hub/data "today", brought to version 19, with a
released person added), on SQLite and PostgreSQL: every row stays, the five new tables match their models and
start empty, and once migrated a schedule, a nonce, a check-in, a credential and a reminder of the person's are
kept."""

from __future__ import annotations

from dumpkit import inserting, migrate, step_adds_tables

from hub import db
from hub.checkins.models import (
    MODELS,
    Checkin,
    CheckinCredential,
    CheckinNonce,
    CheckinReminder,
    CheckinSchedule,
)
from wire import schema

STEP = next(step for step in schema.load("hub.migrations") if step.name == "checkins")
PERSON = "P-8XXH-XDWK"
OLD_ROWS = (  # what a hub at version 19 holds of a released person
    "INSERT INTO person VALUES ('P-8XXH-XDWK', 'released', '2026-12-01', '2026-12-01T09:00:00.000Z', "
    "'2026-11-01T09:00:00.000Z', 'cli:root')",
)
NEW = tuple(model._meta.table_name for model in MODELS)
AT = "2026-12-07T09:00:00.000Z"


def test_a_saved_hub_keeps_its_rows_and_then_keeps_schedules_and_checkins(hub_db_url):
    assert STEP.number == 20
    before = step_adds_tables(hub_db_url, STEP, NEW, inserting(OLD_ROWS))
    assert [row[0] for row in before["person"]] == [PERSON]
    migrate(hub_db_url)
    db.bind(hub_db_url)
    with db.connected():
        CheckinSchedule.create(schedule_id="a" * 32, person=PERSON, every_days=7, starts_at=AT, window_hours=24,
                               lat=51.4816, lon=-3.1791, radius_m=200, set_by="olivia", set_at=AT)
        CheckinNonce.create(nonce="n" * 32, key_id="k" * 43, person=PERSON, issued_at=AT)
        Checkin.create(checkin_id="5f0c2b9e-7d41-4e0a-9b6c-2a8e1f3d4c5b", person=PERSON, key_id="k" * 43,
                       outcome="flagged", reasons='[{"code": "late", "text": "late"}]', document="{}", jws="a.b.c",
                       slot="a" * 32 + "/0", device_time=AT, received_at=AT, photo_sha256="b" * 64,
                       owner_confirmed=True)
        CheckinCredential.create(credential_id="Y3JlZA", key_id="k" * 43, person=PERSON, public_key="pk",
                                 sign_count=2 ** 40, registered_at=AT)  # over 32 bits: BIGINT
        CheckinReminder.create(schedule="a" * 32, slot=0, claimed_at=AT)
        kept = Checkin.get()
        assert (kept.person_id, kept.owner_confirmed, kept.outcome) == (PERSON, True, "flagged")
        assert CheckinSchedule.get().lat == 51.4816
        assert CheckinCredential.get().sign_count == 2 ** 40
    db.proxy.close()
