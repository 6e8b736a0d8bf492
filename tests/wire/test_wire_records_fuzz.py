"""wire.records under arbitrary input: parse_record answers with a Record or a RecordError, nothing else."""

from __future__ import annotations

import json

from hypothesis import example, given
from hypothesis import strategies as st

from wire.records import MAX_RECORD_BYTES, Record, RecordError, parse_record

VALID = {"v": 1, "id": "8eddc989-ff88-49d2-803e-d6befdc989d4", "kind": "message", "learner": "L-0042",
         "created": "2026-11-26T20:10:00Z", "seq": 1, "payload": {}}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def outcome(raw: bytes) -> Record | RecordError:
    try:
        return parse_record(raw)
    except RecordError as err:
        return err


@given(st.binary(max_size=2048))
@example(b"")
@example(b"\xff\xfe{\x00}\x00")
@example(b"\xef\xbb\xbf{}")
@example(b"[" * 5000)
@example(b"x" * (MAX_RECORD_BYTES + 1))
def test_any_bytes_give_a_record_or_a_record_error(raw):
    assert isinstance(outcome(raw), Record | RecordError)


@given(st.sampled_from(sorted(VALID)), json_values)
def test_any_json_value_in_any_field_gives_a_record_or_a_coded_refusal(field, value):
    result = outcome(json.dumps(dict(VALID, **{field: value})).encode())

    if isinstance(result, RecordError):
        assert result.code in {"bad_schema", "unknown_kind"}
        assert result.reason
    else:
        assert isinstance(result, Record)


@given(st.dictionaries(st.text(max_size=8), json_values, max_size=6), st.integers(1, 2**53 - 1),
       st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z"))
def test_every_accepted_record_round_trips_through_its_json(payload, seq, learner):
    record = parse_record(json.dumps(dict(VALID, payload=payload, seq=seq, learner=learner)).encode())

    assert parse_record(record.to_json()) == record
