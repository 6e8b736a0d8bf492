"""Migration m0007: today's saved store (real rows from an earlier release), brought to version 6, gets the empty
learner_release, transfer_in and transferred_record tables and keeps every row of every other table; each table is
the one its model describes, and a learner already there can then be released and shown as released. What a learner
brought from another prison is kept once however often its page comes, and its feedback and badges go once to a
tablet bound to them later."""

from __future__ import annotations

import sqlite3

from storekit import TODAY, every_row, kept, load_dump, modelled_shape, table_shape, version_of

from edge import migrations, store
from edge.downlink.tables import DownMessage
from edge.release import service
from edge.release import tables as release_tables
from edge.transfers import pull
from edge.transfers import tables as transfer_tables
from edge.transfers import tablet as transferred
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


def test_a_tablet_bound_later_gets_the_feedback_and_badges_a_learner_brought_once(tmp_path):
    store.open_store(str(tmp_path / "edge.db"))
    try:
        rows = [{"id": "6f1c1f4e-3c1e-4d8e-9a4a-2b1d6f7e8a90", "kind": "award", "from_edge": "edge-north",
                 "from_learner": "L-0042", "created": "2026-12-01T10:00:00.000Z",
                 "payload": '{"badge": "Reader", "awarded": "2026-12-01T10:00:00.000Z"}'},
                {"id": "0b6d3b1e-5f43-4d5c-9a0e-6c1f4b7e2a10", "kind": "progress_statement", "from_edge": "edge-north",
                 "from_learner": "L-0042", "created": "2026-12-01T10:00:00.000Z",
                 "payload": '{"verb": {"id": "http://adlnet.gov/expapi/verbs/completed"}, "object": {"id": "x"}}'}]
        assert pull.store_page("5e0a9f3c-1d2b-4c3d-8e4f-5a6b7c8d9e0f", "L-0107", rows) == 2
        assert pull.store_page("5e0a9f3c-1d2b-4c3d-8e4f-5a6b7c8d9e0f", "L-0107", rows) == 0  # again: nothing new
        assert DownMessage.select().count() == 0  # no tablet here yet
        with store.writing():
            assert transferred.queue_for("tab-0107", "L-0107") == 1
            assert transferred.queue_for("tab-0107", "L-0107") == 0
        [queued] = DownMessage.select()
        assert (queued.device, queued.message_id) == ("tab-0107", rows[0]["id"])
        assert '"badge":"Reader"' in queued.body and '"learner":"L-0107"' in queued.body
    finally:
        store.db.close()
