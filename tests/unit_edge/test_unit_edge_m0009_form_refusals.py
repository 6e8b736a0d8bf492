"""Migration m0009: today's saved store (real rows from an earlier release), brought to version 8, gets the empty
edge_form_refusal table and keeps every row of every other table; the table is the one its model describes. A
refusal the hub sends is then kept once with one down message for the learner's tablet, even sent again."""

from __future__ import annotations

import json
import sqlite3

from storekit import TODAY, every_row, kept, load_dump, modelled_shape, table_shape, version_of

from edge import migrations, store
from edge.downlink.tables import DownMessage
from edge.forms import pull
from edge.forms import tables as form_tables
from wire import schema

REFUSAL = {"id": "5f0c2b9e-7d41-4e0a-9b6c-2a8e1f3d4c5b", "device": "tab-1", "learner": "L-0042",
           "form_id": "interview_feedback", "version": "2027010101", "code": "bad_value",
           "reason": "field 'employer': an answer is required", "refused_at": "2026-12-08T09:00:00.000Z"}


def test_a_saved_store_at_version_8_gets_the_form_refusals_table_empty_and_keeps_every_row(tmp_path):
    path = load_dump(TODAY, tmp_path / "edge.db")
    connection = sqlite3.connect(path, isolation_level=None)
    schema.migrate(connection, schema.Schema("edge store", tuple(m for m in migrations.migrations() if m.number <= 8)))
    connection.close()
    assert version_of(path) == 8
    before = every_row(path)
    assert "edge_form_refusal" not in before

    store.open_store(str(path)).close()

    after = every_row(path)
    assert version_of(path) >= 9
    for table in before:
        kept(before, after, table)
    assert after["edge_form_refusal"]["rows"] == []
    assert table_shape(path, "edge_form_refusal") == modelled_shape(
        form_tables.MODELS, "edge_form_refusal", tmp_path / "fresh.db")


def test_a_migrated_store_keeps_a_refusal_once_with_one_down_message_for_the_tablet(tmp_path):
    path = load_dump(TODAY, tmp_path / "edge.db")
    store.open_store(str(path))
    try:
        assert pull.keep_refusals([REFUSAL]) == 1
        assert pull.keep_refusals([REFUSAL]) == 0  # the hub sent it again (no ack heard): nothing twice
        [row] = form_tables.EdgeFormRefusal.select()
        assert (row.learner, row.reason) == ("L-0042", REFUSAL["reason"])
        [message] = DownMessage.select().where(DownMessage.message_id == REFUSAL["id"])
        body = json.loads(message.body)
        assert (body["type"], body["reason"], body["learner"]) == ("form_refused", REFUSAL["reason"], "L-0042")
    finally:
        store.db.close()
