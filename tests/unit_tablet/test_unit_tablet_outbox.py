"""tablet.outbox: a record is kept on disk until the edge acks it, and survives a restart."""

from __future__ import annotations

import pytest

from tablet.outbox import Outbox, record_json
from wire.records import RecordError, parse_record

FORM = {"form_id": "canteen", "version": "1", "filled_at": "2026-12-08T01:00:00.000Z", "values": {"diet": "halal"},
        "attachments": []}
"""A form_submission's payload (wire.forms)."""


@pytest.fixture
def path(tmp_path):
    return str(tmp_path / "outbox.sqlite")


@pytest.fixture
def outbox(path):
    box = Outbox(path)
    yield box
    box.close()


def reopened(box: Outbox) -> Outbox:
    """The tablet app restarts: the file is all that is left."""
    box.close()
    return Outbox(box.path)


def add_three(box: Outbox):
    return [box.add("message", "L-0042", {"text": f"note {n}"}) for n in range(3)]


def test_records_get_consecutive_sequence_numbers_from_one(outbox):
    first = outbox.add("message", "L-0042", {"text": "hi"})
    batch = outbox.add_many([("message", "L-0042", {"step": 1}), ("form_submission", "L-7", FORM)])
    last = outbox.add("message", "L-0042", {"text": "bye"})

    assert [first.seq, *(r.seq for r in batch), last.seq] == [1, 2, 3, 4]


def test_pending_offers_the_records_exactly_as_created_in_sequence_order(outbox):
    records = add_three(outbox)

    pending = outbox.pending(limit=10, exclude=set())

    assert [(p.id, p.seq) for p in pending] == [(r.id, r.seq) for r in records]
    assert [parse_record(p.body) for p in pending] == records
    assert record_json(pending[0].body)["payload"] == {"text": "note 0"}


def test_pending_respects_its_limit(outbox):
    records = add_three(outbox)

    assert [p.id for p in outbox.pending(limit=2, exclude=set())] == [r.id for r in records[:2]]


def test_pending_skips_excluded_ids_and_still_fills_the_limit(outbox):
    records = add_three(outbox) + add_three(outbox)
    in_flight = {records[0].id, records[1].id}

    pending = outbox.pending(limit=3, exclude=in_flight)

    assert [p.id for p in pending] == [r.id for r in records[2:5]]


def test_refused_add_does_not_use_up_a_sequence_number(outbox):
    outbox.add("message", "L-0042", {})
    with pytest.raises(RecordError):
        outbox.add("message", "not a learner id", {})
    with pytest.raises(RecordError):
        outbox.add_many([("message", "L-0042", {}), ("no_such_kind", "L-0042", {})])

    assert outbox.add("message", "L-0042", {}).seq == 2
    assert outbox.counts() == {"pending": 2, "acked": 0, "rejected": 0}


def test_acked_records_leave_pending_and_unacked_ones_stay(outbox):
    records = add_three(outbox)

    assert outbox.acked([records[0].id, records[2].id]) == 2

    assert [p.id for p in outbox.pending(10, set())] == [records[1].id]
    assert outbox.counts() == {"pending": 1, "acked": 2, "rejected": 0}


def test_ack_moves_only_pending_records(outbox):
    records = add_three(outbox)
    outbox.rejected(records[0].id, "unknown_kind: no")
    outbox.acked([records[1].id])

    moved = outbox.acked([records[0].id, records[1].id, "00000000-0000-4000-8000-000000000000"])

    assert moved == 0
    assert outbox.ids("rejected") == [records[0].id]
    assert outbox.ids("acked") == [records[1].id]


def test_rejected_record_is_kept_with_its_reason(outbox):
    records = add_three(outbox)

    outbox.rejected(records[1].id, "bad_schema: 'learner' must be 1-64 characters")

    assert outbox.rejections() == [(records[1].id, 2, "bad_schema: 'learner' must be 1-64 characters")]
    assert records[1].id not in {p.id for p in outbox.pending(10, set())}
    assert outbox.ids() == [r.id for r in records]


def test_rejecting_an_acked_record_changes_nothing(outbox):
    (record, *_) = add_three(outbox)
    outbox.acked([record.id])

    outbox.rejected(record.id, "too late")

    assert outbox.rejections() == []
    assert outbox.ids("acked") == [record.id]


def test_deferred_record_is_not_offered_until_its_time(outbox):
    records = add_three(outbox)

    outbox.defer(records[0].id, until=1000.0)

    assert [p.id for p in outbox.pending(10, set(), now=999.0)] == [r.id for r in records[1:]]
    assert [p.id for p in outbox.pending(10, set(), now=1000.0)] == [r.id for r in records]


def test_defer_without_an_id_holds_back_every_pending_record(outbox):
    records = add_three(outbox)
    outbox.acked([records[0].id])

    outbox.defer(None, until=1000.0)

    assert outbox.pending(10, set(), now=999.0) == []
    assert [p.id for p in outbox.pending(10, set(), now=1000.0)] == [r.id for r in records[1:]]


def test_records_and_their_states_survive_a_restart(outbox):
    records = add_three(outbox)
    outbox.acked([records[0].id])
    outbox.rejected(records[1].id, "unknown_kind: no")
    outbox.defer(records[2].id, until=1000.0)

    box = reopened(outbox)
    try:
        assert box.counts() == {"pending": 1, "acked": 1, "rejected": 1}
        assert box.rejections() == [(records[1].id, 2, "unknown_kind: no")]
        assert box.pending(10, set(), now=999.0) == []
        (pending,) = box.pending(10, set(), now=1000.0)
        assert parse_record(pending.body) == records[2]
        assert box.add("message", "L-0042", {}).seq == 4
    finally:
        box.close()


def test_record_never_acked_is_still_pending_after_many_restarts(outbox):
    (record,) = outbox.add_many([("message", "L-0042", {"text": "do not lose me"})])

    box = outbox
    for _ in range(3):
        box = reopened(box)
    try:
        assert [parse_record(p.body) for p in box.pending(10, set())] == [record]
    finally:
        box.close()


def test_counts_start_at_zero_for_every_state(outbox):
    assert outbox.counts() == {"pending": 0, "acked": 0, "rejected": 0}
