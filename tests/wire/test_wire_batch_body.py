"""wire.batches reading a batch's body: bounded by the header's count, one record at a time, so a small
body cannot make the hub build a huge one (issue 17, point 1)."""

from __future__ import annotations

import json
import tracemalloc

import pytest
import zstandard

from edge.uplink.stages import Row, batch_json
from wire import batches
from wire.batches import BatchError, body_limit, iter_records
from wire.records import MAX_RECORD_BYTES, new_record

EMPTIES = b"[" + b"{}," * ((batches.MAX_BODY_BYTES - 3) // 3) + b"{}]"
"""The probe's body: 64 MiB of `[{},{},...]`, 22 million objects."""


@pytest.fixture(scope="module")
def empties_bomb() -> bytes:
    return zstandard.ZstdCompressor(level=19).compress(EMPTIES)


def refusal(body: bytes, count: int) -> str:
    with pytest.raises(BatchError) as caught:
        for _ in iter_records(body, count):
            pass
    assert caught.value.code == "bad_body"
    return caught.value.reason


def compressed(text: bytes) -> bytes:
    return zstandard.ZstdCompressor().compress(text)


def a_record(seq: int = 1, **payload) -> dict:
    return new_record("message", "L-1", seq, payload or {"text": "hello"}).to_dict() | {
        "device": "tab-1", "received": "2026-11-26T20:10:01.000Z"}


def peak_bytes(action) -> int:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_body_of_22_million_empty_objects_with_count_1_is_refused_having_built_one(empties_bomb):
    assert len(empties_bomb) < 8 * 1024 and len(EMPTIES) > 60 * 1024 * 1024
    reason = {}
    peak = peak_bytes(lambda: reason.setdefault("text", refusal(empties_bomb, 1)))

    assert reason["text"] == ("the header's count is 1, but the body holds more records: refused at record 2; "
                              "seal each batch with the count of records it holds")
    assert peak < 1024 * 1024, f"{peak} bytes held to refuse a {len(empties_bomb)}-byte body"


def test_the_record_after_the_count_is_refused_before_it_is_read():
    too_large = b'{"pad":"' + b"x" * (2 * batches.MAX_ITEM_BYTES) + b'"}'
    body = compressed(b"[" + json.dumps(a_record()).encode() + b"," + too_large + b"]")

    records = iter_records(body, 1)
    assert next(records)["learner"] == "L-1"
    with pytest.raises(BatchError, match="refused at record 2"):
        next(records)


def test_a_body_inflating_beyond_what_its_count_may_take_is_refused_there():
    body = compressed(b"[{}" + b" " * (2 * batches.MAX_ITEM_BYTES) + b"]")

    assert refusal(body, 1) == (f"body inflates beyond {body_limit(1)} bytes, the most its records may take; "
                                "seal each batch with the count of records it holds")


def test_a_body_inflating_beyond_64_mib_is_refused_whatever_its_count():
    body = zstandard.ZstdCompressor(level=19).compress(b"[{}" + b" " * batches.MAX_BODY_BYTES + b"]")

    assert body_limit(10_000) == batches.MAX_BODY_BYTES
    peak = peak_bytes(lambda: refusal(body, 10_000))
    assert peak < 1024 * 1024, f"{peak} bytes held to refuse a body over {batches.MAX_BODY_BYTES} bytes"


def test_a_body_compressed_with_a_window_larger_than_8_mib_is_refused_before_one_is_made():
    params = zstandard.ZstdCompressionParameters.from_level(19, window_log=26)
    body = zstandard.ZstdCompressor(compression_params=params).compress(b"[{}" + b" " * (64 * 1024 * 1024) + b"]")
    assert zstandard.get_frame_parameters(body).window_size == 64 * 1024 * 1024

    reason = {}
    peak = peak_bytes(lambda: reason.setdefault("text", refusal(body, 10_000)))
    assert "Frame requires too much memory" in reason["text"] and "zstd level 19 or lower" in reason["text"]
    assert peak < 1024 * 1024


@pytest.mark.parametrize("level", [batches.ZSTD_LEVEL, 19])
def test_a_large_body_compressed_as_the_edge_does_fits_the_window_the_hub_takes(level):
    text = json.dumps([a_record(seq, text="x" * 60_000) for seq in range(1, 1001)]).encode()  # 60 MB
    body = zstandard.ZstdCompressor(level=level).compress(text)

    assert zstandard.get_frame_parameters(body).window_size <= batches.MAX_WINDOW_BYTES
    assert sum(1 for _ in iter_records(body, 1000)) == 1000


def test_a_body_with_fewer_records_than_its_count_is_refused():
    body = compressed(json.dumps([a_record(1), a_record(2)]).encode())

    assert refusal(body, 3) == ("the header's count is 3, but the body holds 2 records; seal each batch with the "
                                "count of records it holds")


def test_a_record_larger_than_any_an_edge_sends_is_refused_before_the_rest_of_it_is_read():
    body = compressed(b'[{"pad":"' + b"x" * (batches.MAX_BODY_BYTES - 20) + b'"}]')

    peak = peak_bytes(lambda: refusal(body, 1000))
    assert peak < 1024 * 1024


@pytest.mark.parametrize("text, reason", [
    (b"", "body is not a JSON list of records"),
    (b'{"records": []}', "body is not a JSON list of records"),
    (b"[1]", "record 1 is not a JSON object: the body is a list of records"),
    (b"[{}, [{}]]", "record 2 is not a JSON object: the body is a list of records"),
    (b"[{} {}]", "body is not a JSON list: ',' or ']' expected after record 1"),
    (b'[{"a": }]', "record 1 is not JSON (the body ends inside it)"),
    (b'[{"a": 1}', "body is not a JSON list: ',' or ']' expected after record 1"),
    (b"[{}] []", "body is not JSON: something follows the list of records"),
    (b'[{"a": "\xff"}]', "body is not UTF-8 JSON"),
    (b'[{"a": ' + b"[" * 100_000 + b"]", "record 1 is nested too deeply to be a record"),
], ids=["empty", "object", "number", "list-in-list", "no-comma", "bad-json", "unclosed", "trailing", "not-utf8",
        "deep"])
def test_a_body_that_is_not_a_list_of_objects_is_refused_saying_where(text, reason):
    count = max(1, text.count(b"{"))
    assert refusal(compressed(text), count) == reason


def test_records_spanning_the_inflated_chunks_come_out_whole():
    records = [a_record(seq, text="é€😀" * 3_000) for seq in range(1, 6)]  # 36 KB each: chunks end inside them
    text = json.dumps(records, indent=2, ensure_ascii=False).encode()

    assert list(iter_records(compressed(text), 5)) == records
    assert batches.decode_body(compressed(b"[]"), 0) == []


def test_the_largest_record_an_edge_sends_fits_the_bound_of_its_count():
    """A tablet's largest record (MAX_RECORD_BYTES) with the longest device id, in the edge's batch text."""
    record = new_record("message", "L-1", 1, {"text": ""}).to_json()
    record = record.replace(b'"text":""', b'"text":"' + b"x" * (MAX_RECORD_BYTES - len(record)) + b'"')
    assert len(record) == MAX_RECORD_BYTES
    row = Row("id", "d" * batches.MAX_DEVICE_ID, "2026-11-26T20:10:01.123456789+01:00", record.decode())
    text = batch_json([row] * 3)

    assert len(text) <= body_limit(3)
    assert [r["device"] for r in iter_records(compressed(text), 3)] == [row.device] * 3
