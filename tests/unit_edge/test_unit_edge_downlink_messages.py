"""edge.downlink.messages on a real store: what is due (at most PER_TABLET in flight per tablet, oldest-due first,
so none starves), the back-off after the broker took one, a tablet's acknowledgement (its own messages only),
"listening" making due what was not sent in the quiet window, nothing for a revoked tablet, giving up after the
maximum age, and where each stands for the console."""

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


def _ids(rows) -> list[str]:
    return [DownMessage.get_by_id(row.id).message_id for row in rows]


def _send_round(now: datetime, per_tablet: int = 20) -> list[str]:
    """What the publisher does at `now`: publish what is due, and the broker takes it."""
    rows = messages.due(timestamp(now), limit=1000, per_tablet=per_tablet)
    with store.writing():
        messages.mark_sent([row.id for row in rows], moment=now)
    return _ids(rows)


def test_at_most_per_tablet_messages_are_in_flight_to_one_tablet_oldest_first(edge_store):
    busy = _add("tab-0001", 5)
    other = _add("tab-0002", 1)
    due = messages.due(_later(1), limit=100, per_tablet=3)
    assert _ids(due) == [*busy[:3], *other]
    with store.writing():
        messages.mark_sent([row.id for row in due])  # three in flight to tab-0001: none more this round
    assert _ids(messages.due(_later(1), limit=100, per_tablet=3)) == []
    with store.writing():
        messages.acknowledge("tab-0001", busy[:1])  # one confirmed: room for one more
    assert _ids(messages.due(_later(1), limit=100, per_tablet=3)) == busy[3:4]


def test_a_tablet_that_never_acknowledges_still_gets_every_message_in_turn(edge_store):
    written = _add("tab-0001", 25)
    start = datetime.now(UTC) + timedelta(seconds=1)
    first = _send_round(start)
    assert first == written[:20]  # the cap: 20 in flight
    assert _send_round(start + timedelta(seconds=30)) == []  # none due again yet, none more in flight
    second = _send_round(start + timedelta(seconds=61))  # the first 20 due again: the 5 never sent go first
    assert second[:5] == written[20:] and len(second) == 20
    assert {row.message_id for row in DownMessage.select().where(DownMessage.attempts == 0)} == set()
    for hour in range(1, 5):
        _send_round(start + timedelta(hours=hour))
    attempts = [row.attempts for row in DownMessage.select()]
    assert min(attempts) >= 2 and max(attempts) - min(attempts) <= 2  # everyone in turn, none starved


def test_nothing_goes_to_a_revoked_tablet_and_the_console_says_so(edge_store):
    (lost,) = _add("tab-0001")
    (kept,) = _add("tab-0002")
    with store.writing():
        store.Tablet.create(device="tab-0001", status="revoked", enrolled=timestamp(), revoked=timestamp())
    assert _ids(messages.due(_later(1), 100)) == [kept]
    assert messages.delivery_of(lost).state == "revoked"
    assert messages.summary().waiting == 1 and messages.summary().undelivered == 1
    assert [row.message_id for row, _ in messages.listing("undelivered")] == [lost]


def test_a_message_not_confirmed_after_the_give_up_age_stops_and_shows_after_how_many_days(edge_store):
    old, new = _add("tab-0001", 2)
    with store.writing():
        DownMessage.update(created=timestamp(datetime.now(UTC) - timedelta(days=31))).where(
            DownMessage.message_id == old).execute()
    assert messages.give_up(days=30) == 1 and messages.give_up(days=30) == 0
    assert _ids(messages.due(_later(1), 100)) == [new]
    gone = messages.delivery_of(old)
    assert gone.state == "given_up" and gone.days == 31 and not gone.delivered
    assert messages.summary() == messages.Summary(1, DownMessage.get(DownMessage.message_id == new).created, 0, 1)
    with store.writing():
        messages.acknowledge("tab-0001", [old])  # the tablet confirms it after all: delivered
    assert messages.delivery_of(old).delivered


def test_once_the_broker_took_a_message_it_waits_before_going_again_unless_the_tablet_listens(edge_store):
    (message_id,) = _add("tab-0001")
    row_id = DownMessage.get(DownMessage.message_id == message_id).id
    with store.writing():
        messages.mark_sent([row_id])
    row = DownMessage.get_by_id(row_id)
    assert row.attempts == 1 and row.sent and messages.due(_later(1), 100) == []
    assert [r.id for r in messages.due(_later(61), 100)] == [row_id]  # a minute later, again
    assert (messages.resend_after(1), messages.resend_after(2), messages.resend_after(9)) == (60, 120, 3600)
    soon, later = _later(5), _later(31)
    assert not messages.changes({"tab-0001": [[]]}, soon, quiet_s=30)  # sent 5 s ago: listening changes nothing
    assert messages.apply_acks({"tab-0001": [[]]}, soon, quiet_s=30) == ({"tab-0001": 1}, 0)
    assert messages.changes({"tab-0001": [[]]}, later, quiet_s=30)
    with store.writing():
        assert messages.apply_acks({"tab-0001": [[], [], []]}, later, quiet_s=30) == ({"tab-0001": 1}, 1)
    assert [r.id for r in messages.due(later, 100)] == [row_id]
    assert not messages.changes({"tab-0001": [[]]}, later, quiet_s=30)  # due already: nothing more to do
    assert not messages.changes({"tab-0001": [[str(uuid.uuid4())]]}, later)  # an unknown id: nothing either


def test_an_acknowledgement_changes_only_the_tablets_own_unacknowledged_messages(edge_store):
    (mine,) = _add("tab-0001")
    (theirs,) = _add("tab-0002")
    with store.writing():
        waiting, changed = messages.apply_acks({"tab-0001": [[theirs, str(uuid.uuid4())]]})
    assert waiting == {"tab-0001": 1} and changed == 0
    assert messages.delivery_of(theirs).state == messages.delivery_of(mine).state == "waiting"
    with store.writing():
        assert messages.apply_acks({"tab-0001": [[mine], [mine]]}) == ({"tab-0001": 0}, 1)  # a repeat: nothing
    delivered = messages.delivery_of(mine)
    assert delivered.delivered and delivered.device == "tab-0001" and delivered.since <= timestamp()
    assert messages.summary().waiting == 1 and messages.summary().delivered == 1
    assert [row.message_id for row, _ in messages.listing("waiting")] == [theirs]
    assert [row.kind for row, _ in messages.listing("delivered")] == ["feedback"]
