"""Migration 0013 (release plans) on a saved hub with rows (tests/hub/data "today", brought to version
12, with a person due for release, their learner id, feed and caseload as version 12 holds them), on
SQLite and PostgreSQL: every row stays, the new table matches the model and starts empty, and the
person's plan then takes an edit, starting from the release date they already had."""

from __future__ import annotations

from dumpkit import inserting, migrate, step_adds_tables

from hub import db
from hub.app import create_app
from hub.plans import service
from hub.sync import feed
from wire import plans, schema

STEP = next(step for step in schema.load("hub.migrations") if step.name == "release_plans")
NEW = ("plan_field",)
PERSON = "P-8XXH-XDWK"
OLD_ROWS = (  # what a hub before release plans holds of a person due for release
    "INSERT INTO person (person_id, status, release_date, released_at, created_at, created_by) VALUES "
    "('P-8XXH-XDWK', 'in_custody', '2027-03-14', NULL, '2026-11-01T09:00:00.000Z', 'cli:root')",
    "INSERT INTO person_learner (edge_id, learner, person_id, linked_at) VALUES ('edge-1', 'L-0042', "
    "'P-8XXH-XDWK', '2026-11-01T09:00:00.000Z')",
    "INSERT INTO person_change (person_id, kind, item_id, body, at) VALUES ('P-8XXH-XDWK', 'message', "
    "'d6b536b6-0383-46d1-992a-718fa624a715', '{\"text\":\"Hello\"}', '2026-12-01T09:00:00.000Z')",
    "INSERT INTO caseload (worker, person_id, added_at, added_by) VALUES ('olivia', 'P-8XXH-XDWK', "
    "'2026-12-01T09:00:00.000Z', 'cli:root')",
)


def test_a_saved_hub_keeps_its_rows_and_then_keeps_release_plans(hub_db_url, instance):
    before = step_adds_tables(hub_db_url, STEP, NEW, inserting(OLD_ROWS))
    assert before["person"] and before["person_change"] and before["caseload"]
    migrate(hub_db_url)
    create_app({"DATABASE_URL": hub_db_url}, instance_path=instance)
    with db.connected():
        shown = service.plan(PERSON)
        assert shown["release"]["release_date"] == "2027-03-14"
        assert service.apply(PERSON, plans.check_edit("release", "date", "2027-03-21", "2026-12-02T09:00:00.000Z",
                                                      "olivia", "2026-11-01T09:00:00.000Z"))
        assert service.people.find(PERSON).release_date == "2027-03-21"
        assert [(c["kind"], c["id"]) for c in feed.page(PERSON, 1)[0]] == [("plan", "release")]
