"""wire.records: what the edge accepts from a tablet, and the code and reason it refuses with."""

from __future__ import annotations

import json
import uuid

import pytest

from wire.records import (
    KINDS,
    MAX_RECORD_BYTES,
    MAX_SEQ_GAP,
    Record,
    RecordError,
    check_sequence,
    new_record,
    parse_record,
    valid_device_id,
)

RECORD_ID = "8eddc989-ff88-49d2-803e-d6befdc989d4"
FIELDS = ("v", "id", "kind", "learner", "created", "seq", "payload")


def record_dict(**changes) -> dict:
    data = {"v": 1, "id": RECORD_ID, "kind": "progress_statement", "learner": "L-0042",
            "created": "2026-11-26T20:10:00Z", "seq": 17, "payload": {"text": "read chapter 3"}}
    data.update(changes)
    return data


def encode(data) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


def refusal(raw: bytes) -> RecordError:
    with pytest.raises(RecordError) as caught:
        parse_record(raw)
    return caught.value


def test_valid_record_is_parsed_into_its_fields():
    record = parse_record(encode(record_dict()))

    assert record == Record(RECORD_ID, "progress_statement", "L-0042", "2026-11-26T20:10:00Z", 17,
                            {"text": "read chapter 3"})
    assert record.priority == KINDS["progress_statement"]


@pytest.mark.parametrize("created", ["2026-11-26T20:10:00Z", "2026-11-26T20:10:00.123+01:00",
                                     "2026-11-26T20:10:00-05:30", "2026-11-26T20:10:00+05:45",
                                     "2026-11-26T20:10:00+14:00", "2026-11-26T20:10:00-12:00",
                                     "1970-01-01T00:00:00.000Z", "2199-12-31T23:59:59.999Z"])
def test_created_with_a_time_zone_is_accepted(created):
    assert parse_record(encode(record_dict(created=created))).created == created


@pytest.mark.parametrize(("created", "says"), [
    ("0001-01-01T00:00:00.000+01:00", "outside 1970-2199: check the device's clock"),
    ("2026-11-26T20:10:00+23:59", "a UTC offset no place uses"),
])
def test_a_time_no_clock_could_show_is_refused_saying_what_is_wrong(created, says):
    assert says in refusal(encode(record_dict(created=created))).reason


def test_messages_travel_before_progress_statements():
    message = parse_record(encode(record_dict(kind="message")))
    progress = parse_record(encode(record_dict(kind="progress_statement")))

    assert message.priority < progress.priority


@pytest.mark.parametrize("raw", [
    b"",
    b"{",
    b"not json at all",
    b'{"v":1,"learner":"\xc3\x28"}',  # invalid UTF-8 inside a string
    b"\xff\xfe\xfd",
    b"[" * 60_000,  # under the size limit, deep enough to exhaust the parser's recursion
], ids=["empty", "truncated", "text", "invalid-utf8-in-string", "invalid-utf8", "deep-nesting"])
def test_bytes_that_are_not_utf8_json_are_refused_as_not_json(raw):
    err = refusal(raw)

    assert err.code == "not_json"
    assert err.record_id is None


@pytest.mark.parametrize("value", [[record_dict()], "a string", 17, None])
def test_json_that_is_not_an_object_is_refused_as_bad_schema(value):
    err = refusal(encode(value))

    assert err.code == "bad_schema"
    assert "JSON object" in err.reason


@pytest.mark.parametrize("field", FIELDS)
def test_record_missing_a_field_is_refused_naming_that_field(field):
    data = record_dict()
    del data[field]

    err = refusal(encode(data))

    assert err.code == "bad_schema"
    assert field in err.reason
    assert err.record_id == (None if field == "id" else RECORD_ID)


def test_record_with_an_unknown_field_is_refused_naming_that_field():
    err = refusal(encode(record_dict(device="tab-7")))

    assert (err.code, err.record_id) == ("bad_schema", RECORD_ID)
    assert "device" in err.reason


BAD_FIELDS = [
    ("v", 2), ("v", 0), ("v", True), ("v", 1.0), ("v", "1"),
    ("learner", ""), ("learner", "-L42"), ("learner", "L 42"), ("learner", "L" * 65), ("learner", 42),
    ("learner", "Łukasz"), ("learner", None),
    ("created", "2026-11-26T20:10:00"), ("created", "2026-11-26"), ("created", "yesterday"),
    ("created", 1764187800), ("created", "2026-11-26T20:10:00Z" + " " * 40),
    ("created", "0001-01-01T00:00:00.000+01:00"), ("created", "9999-12-31T23:59:59.999-01:00"),
    ("created", "1969-12-31T23:59:59.999Z"), ("created", "2200-01-01T00:00:00.000Z"),
    ("created", "2026-11-26T20:10:00+23:59"), ("created", "2026-11-26T20:10:00+14:30"),
    ("created", "2026-11-26T20:10:00+01:17"), ("created", "2026-02-30T20:10:00Z"),
    ("seq", 0), ("seq", -1), ("seq", 1.0), ("seq", 1.5), ("seq", True), ("seq", "1"), ("seq", None),
    ("seq", 2**53),
    ("payload", []), ("payload", "text"), ("payload", None), ("payload", 1),
    ("kind", 5), ("kind", None),
]


@pytest.mark.parametrize(("field", "value"), BAD_FIELDS, ids=[f"{f}={v!r}"[:40] for f, v in BAD_FIELDS])
def test_record_with_a_bad_field_is_refused_naming_the_field_and_carrying_its_id(field, value):
    err = refusal(encode(record_dict(**{field: value})))

    assert err.code == "bad_schema"
    assert f"'{field}'" in err.reason
    assert err.record_id == RECORD_ID


@pytest.mark.parametrize("bad_id", [
    RECORD_ID.upper(),
    RECORD_ID.replace("-", ""),
    "{" + RECORD_ID + "}",
    "urn:uuid:" + RECORD_ID,
    "not-a-uuid",
    "",
    42,
    None,
])
def test_record_with_a_non_canonical_id_is_refused_without_carrying_the_id(bad_id):
    err = refusal(encode(record_dict(id=bad_id)))

    assert err.code == "bad_schema"
    assert "'id'" in err.reason
    assert err.record_id is None


def test_record_of_an_unknown_kind_is_refused_as_unknown_kind_listing_the_known_kinds():
    err = refusal(encode(record_dict(kind="diary_entry")))

    assert (err.code, err.record_id) == ("unknown_kind", RECORD_ID)
    assert "diary_entry" in err.reason
    assert all(kind in err.reason for kind in KINDS)


def padded_to(size: int) -> bytes:
    """A valid record of exactly `size` bytes (padding in the payload)."""
    bare = len(encode(record_dict(payload={"pad": ""})))
    raw = encode(record_dict(payload={"pad": "x" * (size - bare)}))
    assert len(raw) == size
    return raw


def test_record_of_exactly_the_size_limit_is_accepted():
    assert parse_record(padded_to(MAX_RECORD_BYTES)).id == RECORD_ID


def test_record_one_byte_over_the_size_limit_is_refused_as_too_large():
    err = refusal(padded_to(MAX_RECORD_BYTES + 1))

    assert err.code == "too_large"
    assert str(MAX_RECORD_BYTES + 1) in err.reason and str(MAX_RECORD_BYTES) in err.reason


def test_sequence_exactly_the_largest_gap_ahead_is_accepted():
    check_sequence(40 + MAX_SEQ_GAP, 40, RECORD_ID)


def test_sequence_beyond_the_largest_gap_is_refused_as_from_the_future():
    with pytest.raises(RecordError) as caught:
        check_sequence(40 + MAX_SEQ_GAP + 1, 40, RECORD_ID)

    assert (caught.value.code, caught.value.record_id) == ("seq_from_future", RECORD_ID)
    assert str(40 + MAX_SEQ_GAP + 1) in caught.value.reason


def test_new_records_get_distinct_version4_uuids():
    ids = [new_record("message", "L-1", seq, {}).id for seq in range(1, 201)]

    assert len(set(ids)) == len(ids)
    assert all(uuid.UUID(i).version == 4 for i in ids)


def test_new_record_round_trips_through_json():
    record = new_record("form_submission", "L-0042", 3, {"answers": [1, "two", {"three": None}], "note": "é✓"})

    assert parse_record(record.to_json()) == record
    assert record.created.endswith("Z")


def test_new_record_is_validated_like_the_edge_validates():
    with pytest.raises(RecordError) as caught:
        new_record("progress_statement", "no spaces allowed", 1, {})

    assert "'learner'" in caught.value.reason


@pytest.mark.parametrize(("device", "valid"), [
    ("tab-0042", True), ("a", True), ("a" * 63, True),
    ("", False), ("-tab", False), ("TAB-1", False), ("tab_1", False), ("a" * 64, False), ("tab/1", False),
])
def test_device_ids_are_lower_case_letters_digits_and_hyphens(device, valid):
    assert valid_device_id(device) is valid


# Bugs: each test states the intended behaviour and fails today. ------------------------------



@pytest.mark.parametrize("learner", ["L-0042\n", "L" * 64 + "\n"], ids=["short", "64-chars"])
def test_learner_with_a_trailing_newline_is_refused(learner):
    assert refusal(encode(record_dict(learner=learner))).code == "bad_schema"


def test_device_id_with_a_trailing_newline_is_invalid():
    assert not valid_device_id("tab-1\n")


def test_record_with_a_number_too_long_for_python_is_refused_not_crashing():
    raw = encode(record_dict(payload={})).replace(b'"payload":{}', b'"payload":{"n":' + b"9" * 5000 + b"}")

    assert refusal(raw).code in ("not_json", "bad_schema")


NOT_UTF8 = {
    "utf-16": encode(record_dict()).decode().encode("utf-16"),
    "utf-16-le": encode(record_dict()).decode().encode("utf-16-le"),
    "utf-32": encode(record_dict()).decode().encode("utf-32"),
    "utf-8-bom": b"\xef\xbb\xbf" + encode(record_dict()),
    "utf-8-encoded-surrogate": encode(record_dict(payload={"t": "X"})).replace(b"X", b"\xed\xa0\x80"),
}


@pytest.mark.parametrize("raw", NOT_UTF8.values(), ids=NOT_UTF8.keys())
def test_record_that_is_not_utf8_is_refused_as_not_json(raw):
    assert refusal(raw).code == "not_json"


def test_record_with_a_lone_surrogate_escape_is_refused():
    raw = encode(record_dict(payload={"t": "X"})).replace(b"X", b"\\ud800")

    assert refusal(raw).code in ("not_json", "bad_schema")
