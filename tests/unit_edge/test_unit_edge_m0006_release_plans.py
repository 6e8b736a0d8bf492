"""Migration m0006: today's saved store (real rows from an earlier release), brought to version 5, gets the empty
learner_plan_field table and keeps every row of every other table; the table is the one its model describes, and a
learner already there can then have a release plan written, its record queued for the hub."""

from __future__ import annotations

import sqlite3

from storekit import TODAY, every_row, kept, load_dump, modelled_shape, table_shape, version_of

from edge import migrations, store
from edge.plans import service
from edge.plans import tables as plan_tables
from wire import schema

NEW = "learner_plan_field"


def test_a_saved_store_at_version_5_gets_the_plan_table_empty_and_keeps_every_row(tmp_path):
    path = load_dump(TODAY, tmp_path / "edge.db")
    connection = sqlite3.connect(path, isolation_level=None)
    schema.migrate(connection, schema.Schema("edge store", tuple(m for m in migrations.migrations() if m.number <= 5)))
    connection.close()
    assert version_of(path) == 5
    before = every_row(path)
    assert NEW not in before

    store.open_store(str(path)).close()

    after = every_row(path)
    assert version_of(path) >= 6
    for table in before:
        kept(before, after, table)
    assert after[NEW]["rows"] == []
    assert table_shape(path, NEW) == modelled_shape(plan_tables.MODELS, NEW, tmp_path / "fresh.db")


def test_a_learner_of_a_migrated_store_gets_a_plan_and_its_record_for_the_hub(tmp_path):
    path = load_dump(TODAY, tmp_path / "edge.db")
    store.open_store(str(path))
    try:
        assert service.edit("L-0042", "release", "date", "2027-03-14", "manager1") is True
        assert service.edit("L-0042", "release", "date", "2027-03-14", "manager1") is False  # the same: nothing
        assert service.plan("L-0042")["release"]["release_date"] == "2027-03-14"
        [row] = plan_tables.LearnerPlanField.select()
        assert store.Received.get(store.Received.id == row.record).kind == "release_plan"
    finally:
        store.db.close()
