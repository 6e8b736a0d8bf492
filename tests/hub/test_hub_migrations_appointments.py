"""Migration 0009 (appointments, their changes, calendar feeds) on a saved hub with rows (tests/hub/data
"today", brought to version 8, with a released person, their feed, a phone's change and a caseload
added as version 8 holds them), on SQLite and PostgreSQL: every row stays, the three new tables match
the models and start empty, and the person then gets an appointment in their feed."""

from __future__ import annotations

from dumpkit import inserting, migrate, step_adds_tables

from hub import db
from hub.app import create_app
from hub.appointments import service as appointments
from hub.staff import accounts
from hub.sync import feed
from wire import schema

STEP = next(step for step in schema.load("hub.migrations") if step.name == "appointments")
NEW = ("appointment", "appointment_change", "calendar_feed")
PERSON = "P-8XXH-XDWK"
OLD_ROWS = (  # what a hub at version 8 holds of a released person
    "INSERT INTO person VALUES ('P-8XXH-XDWK', 'released', '2026-12-01', '2026-12-01T09:00:00.000Z', "
    "'2026-11-01T09:00:00.000Z', 'cli:root')",
    "INSERT INTO person_learner VALUES ('edge-1', 'L-0042', 'P-8XXH-XDWK', '2026-11-01T09:00:00.000Z')",
    "INSERT INTO person_change (person_id, kind, item_id, body, at) VALUES ('P-8XXH-XDWK', 'message', "
    "'d6b536b6-0383-46d1-992a-718fa624a715', '{\"text\":\"Hello\"}', '2026-12-01T09:00:00.000Z')",
    "INSERT INTO phone_change VALUES ('65731d6c-c811-4182-9f23-875bfab24efd', 'P-8XXH-XDWK', 'message', "
    "'00', 'key-1', '2026-12-01T09:00:00.000Z')",
    "INSERT INTO caseload VALUES ('olivia', 'P-8XXH-XDWK', '2026-12-01T09:00:00.000Z', 'cli:root')",
)


def test_a_saved_hub_keeps_its_rows_and_then_keeps_appointments(hub_db_url, instance):
    before = step_adds_tables(hub_db_url, STEP, NEW, inserting(OLD_ROWS))
    assert before["person"] and before["person_change"] and before["caseload"]
    migrate(hub_db_url)
    create_app({"DATABASE_URL": hub_db_url}, instance_path=instance)
    with db.connected():
        accounts.add("olivia", accounts.WORKER, "offender_manager", "Olivia", "test", 1)
        made = appointments.create(PERSON, "olivia", "in_person", "2027-01-11T10:00Z", 30, "Cardiff office", "test")
        assert [c["id"] for c in feed.page(PERSON, 1)[0]] == [made.appointment_id]
