"""The edge_report migration on a saved hub with rows (tests/hub/data "today"), on SQLite and PostgreSQL:
every row stays, the new table is there and empty, an edge's report is then stored, and the edges that
never reported are rated silent."""

from __future__ import annotations

from datetime import UTC, datetime

from dumpkit import catalogue, fresh_catalogue, load_dump, migrate, recorded, rows
from healthkit import sample_report
from hubkit import enrol_edge

from hub import db
from hub.app import create_app
from hub.fleet import service
from wire import schema

STEP = next(step for step in schema.load("hub.migrations") if step.name == "edge_report")


def report_table(found: dict) -> dict:
    """The edge_report table's part of a catalogue: its columns, indexes and constraints."""
    return {section: {name: value for name, value in entries.items() if "report" in name}
            for section, entries in found.items() if any("report" in name for name in entries)}


def test_a_saved_hub_gains_the_report_table_keeps_its_rows_and_then_stores_reports(hub_db_url, instance):
    models = fresh_catalogue(hub_db_url)
    load_dump(hub_db_url, "today")
    migrate(hub_db_url, upto=STEP.number - 1)
    before = rows(hub_db_url)
    assert "edge_report" not in before and before["edge"] and before["record"]

    lines = migrate(hub_db_url, upto=STEP.number)

    assert f"{db.hub_schema().title}: applied {STEP.label}" in lines
    after = rows(hub_db_url)
    assert {table: after[table] for table in before} == before and after["edge_report"] == []
    assert report_table(catalogue(hub_db_url)) == report_table(models) != {}
    assert recorded(hub_db_url) >= STEP.number
    migrate(hub_db_url)  # the rest of this release's steps, as `hub run` does
    app = create_app({"DATABASE_URL": hub_db_url}, instance_path=instance)
    with db.connected():
        edge = enrol_edge(app, "edge-east")
    answer = app.test_client().post("/v1/edge/health", json=sample_report("edge-east"), environ_base=edge.environ)
    assert answer.status_code == 200, answer.get_json()
    with db.connected():
        fleet = {h.edge_id: h.rating for h in service.overview(datetime.now(UTC), silent_after_s=60)}
    assert fleet["edge-east"].colour == "green"
    north = fleet["edge-north"]
    assert north.colour == "red" and north.reasons[0].endswith("no report since it enrolled")
    assert fleet["edge-west"].colour == "revoked"
