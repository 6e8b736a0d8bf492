"""Migration 0015 (the names of people in caseloads, sealed) on a saved hub with rows (tests/hub/data
"today", brought to version 14), on SQLite and PostgreSQL: every row stays, the new table matches its
model and starts empty, and a name is then kept for a person in a caseload."""

from __future__ import annotations

from dumpkit import migrate, step_adds_tables

from hub import db
from hub.app import create_app
from hub.people import service as people
from hub.staff import accounts
from hub.workers import caseload, names
from hub.workers.models import PersonName
from wire import schema

STEP = next(step for step in schema.load("hub.migrations") if step.name == "person_names")


def test_a_saved_hub_keeps_its_rows_and_then_keeps_names_for_caseload_people(hub_db_url, instance):
    step_adds_tables(hub_db_url, STEP, ("person_name",))
    migrate(hub_db_url)
    app = create_app({"DATABASE_URL": hub_db_url}, instance_path=instance)
    with app.app_context(), db.connected():
        accounts.add("olivia", accounts.WORKER, "offender_manager", "Olivia", "test", 1, "Cardiff")
        person = people.add("test")
        caseload.add("olivia", person.person_id, "test")
        names.set_names(person.person_id, names.normal("Sam Jones", "A1234BC"), "test")
        assert names.names_of([person.person_id])[person.person_id].prison_number == "A1234BC"
        assert "Sam" not in PersonName.get().sealed
