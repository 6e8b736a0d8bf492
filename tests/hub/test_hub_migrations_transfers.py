"""Migration 0014 (transfers between prisons) on a saved hub with rows (tests/hub/data "today", brought to version
13, with a person linked to the learner whose records edge-north sent), on SQLite and PostgreSQL: every row stays,
the new table matches the model and starts empty, and the person can then be transferred to edge-south, which is
offered the records they sent from edge-north before the upgrade."""

from __future__ import annotations

from dumpkit import inserting, migrate, step_adds_tables

from hub import db
from hub.app import create_app
from hub.people import transfers
from wire import schema

STEP = next(step for step in schema.load("hub.migrations") if step.name == "edge_release_transfers")
NEW = ("transfer",)
PERSON = "P-8XXH-XDWK"
OLD_ROWS = (  # what a hub before transfers holds of a person at edge-north
    "INSERT INTO person (person_id, status, release_date, released_at, created_at, created_by) VALUES "
    "('P-8XXH-XDWK', 'in_custody', '2027-03-14', NULL, '2026-11-01T09:00:00.000Z', 'cli:root')",
    "INSERT INTO person_learner (edge_id, learner, person_id, linked_at) VALUES ('edge-north', 'L-0042', "
    "'P-8XXH-XDWK', '2026-11-01T09:00:00.000Z')",
)


def test_a_saved_hub_keeps_its_rows_and_then_transfers_a_person_with_their_records(hub_db_url, instance):
    before = step_adds_tables(hub_db_url, STEP, NEW, inserting(OLD_ROWS))
    assert before["person_learner"] and before["record"]
    migrate(hub_db_url)
    create_app({"DATABASE_URL": hub_db_url}, instance_path=instance)
    with db.connected():
        made, new = transfers.transfer(PERSON, "edge-south", "L-0107", "cli:root")
        assert new and [t.transfer_id for t in transfers.waiting("edge-south")] == [made.transfer_id]
        page, _next = transfers.records(made, 0)
        sent = [row for row in before["record"] if "L-0042" in row and "edge-north" in row]
        assert page and {r["from_edge"] for r in page} == {"edge-north"} and len(page) <= len(sent)
