"""Migration m0003: a store at version 2 with down messages in console_down_message (some sent, some not) moves
them to down_message with every row intact, each unacknowledged and due at once (so every tablet gets what it
may have missed), and with the later migrations the result is the table the model describes."""

from __future__ import annotations

import json

from storekit import modelled_shape, store_at, table_shape

from edge import migrations
from edge.downlink import tables
from wire import schema

FEEDBACK = {"type": "feedback", "id": "0b6f1c7e-3a43-4c38-9a55-2f6f2b0e9d11", "learner": "L-0042", "grade": "Merit"}
AWARD = {"type": "award", "id": "5e2d8a90-6b1f-4d0e-8c3a-7a9b1c2d3e4f", "learner": "L-0042", "badge": "Reader"}


def test_down_messages_move_to_down_message_with_their_rows(tmp_path):
    connection = store_at(2, tmp_path / "edge.db")
    rows = [(1, "tab-0001", json.dumps(FEEDBACK), "2026-11-27T01:10:00.000Z", "2026-11-27T01:10:01.000Z"),
            (2, "tab-0002", json.dumps(AWARD), "2026-11-27T01:12:00.000Z", None)]
    connection.executemany("INSERT INTO console_down_message (id, device, body, created, sent) VALUES (?, ?, ?, ?, ?)",
                           rows)

    schema.migrate(connection, schema.Schema("edge store", migrations.migrations()[:3]))

    moved = connection.execute("SELECT id, device, message_id, body, created, sent, attempts, due, acked "
                               "FROM down_message ORDER BY id").fetchall()
    assert moved == [
        (1, "tab-0001", FEEDBACK["id"], rows[0][2], rows[0][3], rows[0][4], 1, rows[0][3], None),
        (2, "tab-0002", AWARD["id"], rows[1][2], rows[1][3], None, 0, rows[1][3], None)]
    assert connection.execute("SELECT name FROM sqlite_master WHERE name LIKE 'console_down_message%'").fetchall() == []
    schema.migrate(connection, migrations.edge_schema("edge.db"))  # and the later ones: the model's table
    connection.close()

    assert (table_shape(tmp_path / "edge.db", "down_message")
            == modelled_shape(tables.MODELS, "down_message", tmp_path / "fresh.db"))
