"""Migration 0008 (workers' caseloads, the record of every read of a person's data) on a saved hub
with rows (tests/hub/data "today", brought to version 7), on SQLite and PostgreSQL: every row stays,
the two new tables match the models and start empty, and a person is then put in a worker's caseload
and their reads are recorded."""

from __future__ import annotations

from dumpkit import migrate, step_adds_tables

from hub import db
from hub.app import create_app
from hub.people import service as people
from hub.staff import accounts
from hub.workers import caseload
from wire import schema

STEP = next(step for step in schema.load("hub.migrations") if step.name == "caseloads")
NEW = ("caseload", "person_read")


def test_a_saved_hub_keeps_its_rows_and_then_knows_caseloads_and_reads(hub_db_url, instance):
    step_adds_tables(hub_db_url, STEP, NEW)
    migrate(hub_db_url)
    create_app({"DATABASE_URL": hub_db_url}, instance_path=instance)
    with db.connected():
        accounts.add("olivia", accounts.WORKER, "offender_manager", "Olivia", "test", 1, "Cardiff")
        person = people.add("test")
        caseload.add("olivia", person.person_id, "test")
        caseload.record_reads("olivia", [person.person_id], "person")
        assert [p.person_id for p in caseload.people_of(accounts.find("olivia"))] == [person.person_id]
        assert [(r.worker, r.what) for r in caseload.reads_of(person.person_id)] == [("olivia", "person")]
