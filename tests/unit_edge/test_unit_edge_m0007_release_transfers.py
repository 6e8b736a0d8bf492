"""Migration m0007: today's saved store (real rows from an earlier release), brought to version 6, gets the empty
learner_release, transfer_in and transferred_record tables and keeps every row of every other table; each table is
the one its model describes, and a learner already there can then be released and shown as released."""

from __future__ import annotations

import sqlite3

from storekit import TODAY, every_row, kept, load_dump, modelled_shape, table_shape, version_of

from edge import migrations, store
from edge.release import service
from edge.release import tables as release_tables
from edge.transfers import tables as transfer_tables
from provisioning.tokens import digest
from wire import schema

NEW = {"learner_release": release_tables.MODELS, "transfer_in": transfer_tables.MODELS,
       "transferred_record": transfer_tables.MODELS}


def test_a_saved_store_at_version_6_gets_the_release_and_transfer_tables_empty_and_keeps_every_row(tmp_path):
    path = load_dump(TODAY, tmp_path / "edge.db")
    connection = sqlite3.connect(path, isolation_level=None)
    schema.migrate(connection, schema.Schema("edge store", tuple(m for m in migrations.migrations() if m.number <= 6)))
    connection.close()
    assert version_of(path) == 6
    before = every_row(path)
    assert not set(NEW) & set(before)

    store.open_store(str(path)).close()

    after = every_row(path)
    assert version_of(path) >= 7
    for table in before:
        kept(before, after, table)
    for table, models in NEW.items():
        assert after[table]["rows"] == []
        assert table_shape(path, table) == modelled_shape(models, table, tmp_path / f"fresh-{table}.db")


def test_a_learner_of_a_migrated_store_can_be_released_and_only_the_codes_digest_is_kept(tmp_path):
    path = load_dump(TODAY, tmp_path / "edge.db")
    store.open_store(str(path))
    try:
        made = service.release("L-0042", "manager1")
        assert service.latest("L-0042").code_sha256 == digest(made.code)
        assert store.Received.get(store.Received.id == made.record).kind == "release"
    finally:
        store.db.close()
    assert made.code not in "\n".join(sqlite3.connect(path).iterdump())
