"""edge.intake.rules: which arrived messages become rows, which are acked again, which are refused."""

from __future__ import annotations

import json

import pytest

from edge.intake.rules import Arrived, Refusal, candidate_ids, triage
from wire import topics
from wire.records import MAX_RECORD_BYTES, MAX_SEQ_GAP, new_record

RECEIVED = "2026-11-26T20:10:01.000Z"
RETRY_S = 30.0


def arrived(device: str, payload: bytes, mid: int = 1) -> Arrived:
    return Arrived(topics.up(device), payload, mid, 1)


FORM = {"form_id": "canteen", "version": "1", "filled_at": "2026-12-08T01:00:00.000Z", "values": {"diet": "halal"},
        "attachments": []}
"""A form_submission's payload (wire.forms)."""


def record_bytes(seq: int = 1, kind: str = "message", learner: str = "L-0042", **payload) -> bytes:
    return new_record(kind, learner, seq, payload or {"text": "hello"}).to_json()


def run(messages, *, known=(), highest=None, room=10**9):
    return triage(messages, known=set(known), highest={} if highest is None else highest, room=room,
                  received=RECEIVED, quota_retry_s=RETRY_S)


def test_valid_records_become_rows_and_acks_per_device():
    a1, a2, b1 = record_bytes(1), record_bytes(2, "form_submission", **FORM), record_bytes(1, learner="L-7")

    out = run([arrived("tab-a", a1), arrived("tab-a", a2), arrived("tab-b", b1)])

    ids = [json.loads(raw)["id"] for raw in (a1, a2, b1)]
    assert [row["id"] for row in out.rows] == ids
    assert out.acks == {"tab-a": ids[:2], "tab-b": ids[2:]}
    assert out.refusals == []
    assert out.bytes_added == len(a1) + len(a2) + len(b1)


def test_row_holds_the_record_the_device_and_the_exact_bytes_received():
    raw = record_bytes(5, "form_submission", learner="L-0042", **{**FORM, "values": {"essay": "on liberty"}})

    (row,) = run([arrived("tab-a", raw)]).rows

    sent = json.loads(raw)
    assert row == {"id": sent["id"], "device": "tab-a", "seq": 5, "kind": "form_submission",
                   "priority": 1, "learner": "L-0042", "created": sent["created"], "received": RECEIVED,
                   "size": len(raw), "body": raw.decode()}


def test_record_already_committed_is_acked_again_but_not_stored_again():
    raw = record_bytes(3)
    record_id = json.loads(raw)["id"]
    highest = {"tab-a": 3}

    out = run([arrived("tab-a", raw)], known={record_id}, highest=highest)

    assert out.rows == []
    assert out.acks == {"tab-a": [record_id]}
    assert out.bytes_added == 0
    assert highest == {"tab-a": 3}


def test_record_sent_twice_in_one_batch_is_stored_once_and_acked_twice():
    raw = record_bytes(1)
    record_id = json.loads(raw)["id"]

    out = run([arrived("tab-a", raw, mid=1), arrived("tab-a", raw, mid=2)])

    assert [row["id"] for row in out.rows] == [record_id]
    assert out.acks == {"tab-a": [record_id, record_id]}
    assert out.bytes_added == len(raw)


ID = "8eddc989-ff88-49d2-803e-d6befdc989d4"
UNKNOWN_KIND = record_bytes().replace(b'"kind":"message"', b'"kind":"diary"')
YEAR_ONE = json.loads(record_bytes(kind="assignment_submission", assignment="essay-1", text="x", attachments=[]))
YEAR_ONE["created"] = "0001-01-01T00:00:00.000+01:00"  # acked by an older edge; broke the console's page
ODD_OFFSET = {**YEAR_ONE, "created": "2026-11-26T20:10:00.000+23:59"}
BAD = {
    "not-json": (b"hello", "not_json", None),
    "too-large": (b" " * (MAX_RECORD_BYTES + 1), "too_large", None),
    "bad-schema": (json.dumps({"v": 1, "id": ID}).encode(), "bad_schema", ID),
    "bad-id": (record_bytes().replace(b'"id":"', b'"id":"X'), "bad_schema", None),
    "unknown-kind": (UNKNOWN_KIND, "unknown_kind", json.loads(UNKNOWN_KIND)["id"]),
    "created-year-one": (json.dumps(YEAR_ONE).encode(), "bad_schema", YEAR_ONE["id"]),
    "created-offset-no-place-uses": (json.dumps(ODD_OFFSET).encode(), "bad_schema", ODD_OFFSET["id"]),
}


@pytest.mark.parametrize(("payload", "code", "record_id"), BAD.values(), ids=BAD.keys())
def test_bad_record_is_refused_with_its_code_to_the_device_of_the_topic(payload, code, record_id):
    out = run([arrived("tab-a", payload)])

    assert [(r.device, r.record_id, r.code, r.retry_after) for r in out.refusals] == [("tab-a", record_id, code, None)]
    assert out.refusals[0].reason
    assert out.rows == [] and out.acks == {}


def test_bad_record_does_not_stop_the_good_ones_around_it():
    good1, good2 = record_bytes(1), record_bytes(2)

    out = run([arrived("tab-a", good1), arrived("tab-a", b"{"), arrived("tab-a", good2)])

    assert len(out.rows) == 2
    assert [r.code for r in out.refusals] == ["not_json"]


def test_once_the_room_is_used_up_later_records_are_refused_for_quota_and_nothing_else():
    raws = [record_bytes(seq) for seq in range(1, 5)]
    highest: dict[str, int] = {}

    out = run([arrived("tab-a", raw) for raw in raws], highest=highest, room=len(raws[0]) + len(raws[1]))

    ids = [json.loads(raw)["id"] for raw in raws]
    assert [row["id"] for row in out.rows] == ids[:2]
    assert out.acks == {"tab-a": ids[:2]}
    assert out.refusals == [Refusal("tab-a", i, "quota_exceeded", out.refusals[0].reason, RETRY_S) for i in ids[2:]]
    assert out.quota_refused == 2
    assert out.bytes_added == len(raws[0]) + len(raws[1])
    assert highest == {"tab-a": 2}


def test_record_that_exactly_fills_the_room_is_accepted():
    raw = record_bytes(1)

    out = run([arrived("tab-a", raw)], room=len(raw))

    assert len(out.rows) == 1 and out.refusals == []


def test_no_room_at_all_refuses_every_new_record_but_still_acks_known_ones():
    known, new = record_bytes(1), record_bytes(2)
    known_id = json.loads(known)["id"]

    out = run([arrived("tab-a", known), arrived("tab-a", new)], known={known_id}, room=0)

    assert out.acks == {"tab-a": [known_id]}
    assert [r.code for r in out.refusals] == ["quota_exceeded"]


def test_sequence_far_beyond_the_devices_highest_is_refused_and_highest_kept():
    raw = record_bytes(10 + MAX_SEQ_GAP + 1)
    highest = {"tab-a": 10}

    out = run([arrived("tab-a", raw)], highest=highest)

    assert [(r.code, r.record_id) for r in out.refusals] == [("seq_from_future", json.loads(raw)["id"])]
    assert out.rows == [] and highest == {"tab-a": 10}


def test_sequences_accepted_in_a_batch_raise_the_devices_highest_for_the_rest_of_the_batch():
    first, second = record_bytes(MAX_SEQ_GAP), record_bytes(2 * MAX_SEQ_GAP)
    other_device = record_bytes(MAX_SEQ_GAP + 1)
    highest: dict[str, int] = {}

    out = run([arrived("tab-a", first), arrived("tab-a", second), arrived("tab-b", other_device)],
              highest=highest)

    assert [row["seq"] for row in out.rows] == [MAX_SEQ_GAP, 2 * MAX_SEQ_GAP]
    assert [(r.device, r.code) for r in out.refusals] == [("tab-b", "seq_from_future")]
    assert highest == {"tab-a": 2 * MAX_SEQ_GAP}


def test_a_late_lower_sequence_does_not_lower_the_devices_highest():
    highest = {"tab-a": 50}

    out = run([arrived("tab-a", record_bytes(7))], highest=highest)

    assert len(out.rows) == 1 and highest == {"tab-a": 50}


@pytest.mark.parametrize("topic", [
    topics.down("tab-a"), "throughgate/v1/tab-a/status", "elsewhere/v1/tab-a/up", topics.up("TAB-A"),
    topics.up(""), "throughgate/v1/tab-a/up/x",
])
def test_messages_on_topics_that_are_not_a_valid_up_topic_are_ignored(topic):
    out = run([Arrived(topic, record_bytes(1), 1, 1), Arrived(topic, b"garbage", 2, 1)])

    assert (out.rows, out.acks, out.refusals, out.bytes_added) == ([], {}, [], 0)


def test_candidate_ids_are_read_from_compact_records_without_validating_them():
    raws = [record_bytes(1), record_bytes(2)]
    messages = [arrived("tab-a", raws[0]), arrived("tab-a", b"no id here"), arrived("tab-b", raws[1]),
                arrived("tab-a", b'{"id":"not-a-uuid"}')]

    ids = candidate_ids(messages)

    assert ids[:2] == [json.loads(raw)["id"] for raw in raws]
    assert len(ids) == 3


# Bugs: each test states the intended behaviour and fails today. ------------------------------

NOT_UTF8 = {
    "utf-16-with-bom": record_bytes().decode().encode("utf-16"),
    "utf-8-encoded-surrogate": record_bytes(text="X").replace(b'"X"', b'"\xed\xa0\x80"'),
    "number-too-long": record_bytes(text="X").replace(b'"X"', b"9" * 5000),
}


@pytest.mark.parametrize("payload", NOT_UTF8.values(), ids=NOT_UTF8.keys())
def test_record_that_is_not_strict_utf8_json_is_refused_not_raised(payload):
    out = run([arrived("tab-a", payload), arrived("tab-a", record_bytes(2))])

    assert [r.code for r in out.refusals] in (["not_json"], ["bad_schema"])
    assert len(out.rows) == 1
