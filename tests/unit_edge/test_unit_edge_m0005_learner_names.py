"""Migration m0005: today's saved store (real rows from an earlier release), brought to version 4, gets the empty
learner_name table and keeps every row of every other table; the table is the one the model describes, and the
learners already there (in classes, with records) can then be given names that the console reads."""

from __future__ import annotations

import sqlite3

from storekit import TODAY, every_row, kept, load_dump, modelled_shape, table_shape, version_of

from edge import migrations, store
from edge.console import learning
from edge.learners import names, tables
from wire import schema


def test_a_saved_store_at_version_4_gets_an_empty_learner_name_table_and_keeps_every_row(tmp_path):
    path = load_dump(TODAY, tmp_path / "edge.db")
    connection = sqlite3.connect(path, isolation_level=None)
    schema.migrate(connection, schema.Schema("edge store", tuple(m for m in migrations.migrations() if m.number <= 4)))
    connection.close()
    assert version_of(path) == 4
    before = every_row(path)
    assert "learner_name" not in before

    store.open_store(str(path)).close()

    after = every_row(path)
    assert version_of(path) >= 5
    for table in before:
        kept(before, after, table)
    assert after["learner_name"]["rows"] == []
    assert table_shape(path, "learner_name") == modelled_shape(tables.MODELS, "learner_name", tmp_path / "fresh.db")


def test_the_learners_of_a_migrated_store_can_be_named_and_the_console_reads_their_names(tmp_path):
    path = load_dump(TODAY, tmp_path / "edge.db")
    store.open_store(str(path))
    try:
        everyone = learning.known_learners(learning.Scope(everyone=True))
        assert "L-0042" in everyone
        names.set_name("L-0042", "Ada Lovelace", "a1234bc", by="manager1")
        assert names.names_of(everyone) == {"L-0042": "Ada Lovelace"}
        assert names.get("L-0042").prison_number == "A1234BC"
        assert names.get("L-0042").updated_by == "manager1"
    finally:
        store.db.close()
