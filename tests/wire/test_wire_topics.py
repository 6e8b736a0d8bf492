"""wire.topics: one up and one down topic per device, and the down messages' JSON."""

from __future__ import annotations

import json

import pytest

from wire import topics


def test_up_and_down_topics_carry_the_device_under_the_prefix():
    assert topics.up("tab-7") == "throughgate/v1/tab-7/up"
    assert topics.down("tab-7") == "throughgate/v1/tab-7/down"


def test_device_of_an_up_topic_is_its_device_segment():
    assert topics.device_of(topics.up("tab-7")) == "tab-7"


@pytest.mark.parametrize("topic", [
    topics.down("tab-7"),
    "throughgate/v2/tab-7/up",
    "other/v1/tab-7/up",
    "throughgate/v1/tab-7/up/extra",
    "throughgate/v1/up",
    "/throughgate/v1/tab-7/up",
    "throughgate/v1/tab-7/UP",
    topics.UP_FILTER.replace("+", "tab-7/x"),
    "",
])
def test_device_of_any_other_topic_shape_is_none(topic):
    assert topics.device_of(topic) is None


def test_up_filter_is_the_up_topic_with_a_single_level_wildcard():
    assert topics.up("+") == topics.UP_FILTER


def test_ack_message_lists_the_committed_ids():
    ids = ["8eddc989-ff88-49d2-803e-d6befdc989d4", "5f0b7c1e-3a54-4c8e-9d0f-2b6a1e9c7d33"]

    assert json.loads(topics.ack_message(ids)) == {"type": "ack", "ids": ids}


def test_error_message_without_retry_after_has_no_retry_after_key():
    message = json.loads(topics.error_message("bad_schema", "'seq' must be a whole number from 1", "abc"))

    assert message == {"type": "error", "id": "abc", "code": "bad_schema",
                       "reason": "'seq' must be a whole number from 1"}


def test_error_message_for_a_record_without_an_id_sends_null():
    assert json.loads(topics.error_message("not_json", "payload is not UTF-8 JSON", None))["id"] is None


def test_error_message_with_retry_after_tells_the_device_when_to_try_again():
    message = json.loads(topics.error_message("quota_exceeded", "outbox full", "abc", retry_after=30.0))

    assert message["retry_after"] == 30.0
    assert message["code"] == "quota_exceeded"


def test_down_messages_are_compact_json():
    assert topics.ack_message(["a", "b"]) == b'{"type":"ack","ids":["a","b"]}'


def test_a_down_ack_names_the_down_messages_the_device_committed():
    ids = ["0b6f1c7e-3a43-4c38-9a55-2f6f2b0e9d11"]
    assert topics.down_ack_message(ids) == b'{"type":"down_ack","ids":["0b6f1c7e-3a43-4c38-9a55-2f6f2b0e9d11"]}'
    assert topics.parse_down_ack(topics.down_ack_message(ids)) == ids
    assert topics.parse_down_ack(b'{ "type" : "down_ack", "ids" : [] }') == []  # listening; spacing is free
    assert topics.down_waiting_message(2) == b'{"type":"down_waiting","count":2}'


@pytest.mark.parametrize("payload", [
    b'{"v":1,"id":"x","kind":"message","payload":{"text":"my down_ack story"}}',  # a record that mentions it
    b'not json at all "down_ack"', b'["down_ack"]', b'{"type":"feedback","id":"down_ack"}'])
def test_anything_that_is_not_a_down_ack_is_left_to_the_record_rules(payload):
    assert topics.parse_down_ack(payload) is None


@pytest.mark.parametrize("payload", [
    b'{"type":"down_ack"}', b'{"type":"down_ack","ids":"abc"}', b'{"type":"down_ack","ids":[1]}',
    b'{"type":"down_ack","ids":[""]}', b'{"type":"down_ack","ids":[],"extra":1}',
    json.dumps({"type": "down_ack", "ids": ["a"] * 101}).encode()])
def test_a_malformed_down_ack_is_refused_saying_its_form(payload):
    with pytest.raises(topics.DownAckError, match="at most 100 message ids"):
        topics.parse_down_ack(payload)
    with pytest.raises(ValueError):
        topics.down_ack_message(["a"] * 101)
