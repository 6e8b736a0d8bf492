"""edge.downlink.messages on a real store: what is due (at most PER_TABLET per tablet, oldest first), the back-off
after the broker took one, a tablet's acknowledgement (its own messages only), "listening" making its messages
due at once, and where each stands for the console."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from edge import store
from edge.downlink import messages
from edge.downlink.tables import DownMessage
from wire.records import timestamp


@pytest.fixture
def edge_store(tmp_path):
    store.open_store(str(tmp_path / "edge.db"))
    yield
    store.db.close()


def _add(device: str, count: int = 1) -> list[str]:
    ids = []
    with store.writing():
        for _ in range(count):
            ids.append(str(uuid.uuid4()))
            messages.add(device, {"type": "feedback", "id": ids[-1], "learner": "L-1"})
    return ids


def _later(seconds: float) -> str:
    return timestamp(datetime.now(UTC) + timedelta(seconds=seconds))


def test_a_message_without_a_tablet_is_not_kept_and_one_without_an_id_is_refused(edge_store):
    with store.writing():
        assert messages.add(None, {"type": "feedback", "id": "x"}) is None
        with pytest.raises(ValueError, match="needs an 'id'"):
            messages.add("tab-0001", {"type": "feedback"})
    assert DownMessage.select().count() == 0


def test_at_most_per_tablet_messages_are_due_for_one_tablet_oldest_first(edge_store):
    busy = _add("tab-0001", 5)
    other = _add("tab-0002", 1)
    due = messages.due(_later(1), limit=100, per_tablet=3)
    assert [DownMessage.get_by_id(row.id).message_id for row in due] == [*busy[:3], *other]
    with store.writing():
        messages.acknowledge("tab-0001", busy[:1])
    due = messages.due(_later(1), limit=100, per_tablet=3)
    assert [DownMessage.get_by_id(row.id).message_id for row in due if row.device == "tab-0001"] == busy[1:4]


def test_once_the_broker_took_a_message_it_waits_before_going_again_unless_the_tablet_listens(edge_store):
    (message_id,) = _add("tab-0001")
    row_id = DownMessage.get(DownMessage.message_id == message_id).id
    with store.writing():
        messages.mark_sent([row_id])
    row = DownMessage.get_by_id(row_id)
    assert row.attempts == 1 and row.sent and messages.due(_later(1), 100) == []
    assert [r.id for r in messages.due(_later(61), 100)] == [row_id]  # a minute later, again
    assert (messages.resend_after(1), messages.resend_after(2), messages.resend_after(9)) == (60, 120, 3600)
    with store.writing():
        assert messages.apply_acks({"tab-0001": [[]]}) == {"tab-0001": 1}  # listening: due now
    assert [r.id for r in messages.due(_later(0.5), 100)] == [row_id]


def test_an_acknowledgement_changes_only_the_tablets_own_unacknowledged_messages(edge_store):
    (mine,) = _add("tab-0001")
    (theirs,) = _add("tab-0002")
    with store.writing():
        waiting = messages.apply_acks({"tab-0001": [[theirs, str(uuid.uuid4())]]})
    assert waiting == {"tab-0001": 1}
    assert messages.delivery_of(theirs).state == messages.delivery_of(mine).state == "waiting"
    with store.writing():
        assert messages.apply_acks({"tab-0001": [[mine], [mine]]}) == {"tab-0001": 0}  # a repeat changes nothing
    delivered = messages.delivery_of(mine)
    assert delivered.delivered and delivered.device == "tab-0001" and delivered.since <= timestamp()
    assert messages.summary().waiting == 1 and messages.summary().delivered == 1
    assert [row.message_id for row, _ in messages.listing("waiting")] == [theirs]
    assert [row.kind for row, _ in messages.listing("delivered")] == ["feedback"]
