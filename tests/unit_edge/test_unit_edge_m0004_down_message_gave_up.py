"""Migration m0004: a store at version 3 with down messages (delivered, waiting, one written 40 days ago) gets
down_message.gave_up, every row intact and none given up; the publisher's first sweep then gives up only the
old one, which the console shows as not confirmed after 40 days, and the table is the one the model describes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from storekit import modelled_shape, store_at, table_shape

from edge import migrations, store
from edge.downlink import messages, tables
from wire import schema
from wire.records import timestamp

INSERT = ("INSERT INTO down_message (id, device, message_id, body, created, sent, attempts, due, acked) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
SELECT = ("SELECT id, device, message_id, body, created, sent, attempts, due, acked, gave_up "
          "FROM down_message ORDER BY id")


def _row(number: int, created: datetime, acked: str | None, attempts: int) -> tuple:
    body = json.dumps({"type": "feedback", "id": f"m-{number}", "learner": "L-0042"})
    sent = timestamp(created + timedelta(seconds=1)) if attempts else None
    return (number, "tab-0001", f"m-{number}", body, timestamp(created), sent, attempts, timestamp(created), acked)


def test_down_messages_get_gave_up_empty_and_only_the_old_ones_are_given_up_after(tmp_path):
    now = datetime.now(UTC)
    connection = store_at(3, tmp_path / "edge.db")
    rows = [_row(1, now - timedelta(days=40), None, 30), _row(2, now - timedelta(days=2), timestamp(now), 1),
            _row(3, now - timedelta(hours=1), None, 0)]
    connection.executemany(INSERT, rows)

    schema.migrate(connection, migrations.edge_schema("edge.db"))

    assert connection.execute(SELECT).fetchall() == [
        (*row, None) for row in rows]
    connection.close()
    assert (table_shape(tmp_path / "edge.db", "down_message")
            == modelled_shape(tables.MODELS, "down_message", tmp_path / "fresh.db"))

    store.open_store(str(tmp_path / "edge.db"))
    try:
        assert messages.give_up(days=30) == 1
        assert [messages.delivery_of(f"m-{n}").state for n in (1, 2, 3)] == ["given_up", "delivered", "waiting"]
        assert messages.delivery_of("m-1").days == 40
        assert [row.id for row in messages.due(timestamp(), 100)] == [3]  # the waiting one
    finally:
        store.db.close()
