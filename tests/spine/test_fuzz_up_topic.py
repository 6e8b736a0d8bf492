"""Hypothesis against the real relay: whatever a tablet publishes, the relay answers it and keeps going."""

from __future__ import annotations

import json
import queue

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wire import session, topics
from wire.records import MAX_RECORD_BYTES, new_record

pytestmark = pytest.mark.slow

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
FIELDS = ["v", "id", "kind", "learner", "created", "seq", "payload"]


@st.composite
def mutated_records(draw) -> bytes:
    record = new_record("progress_statement", "L-fuzz", draw(st.integers(1, 50)), {"n": 1}).to_dict()
    action = draw(st.sampled_from(["replace", "drop", "extra"]))
    field = draw(st.sampled_from(FIELDS))
    if action == "replace":
        record[field] = draw(json_values)
    elif action == "drop":
        record.pop(field)
    else:
        record[draw(st.text(min_size=1, max_size=8))] = draw(json_values)
    return json.dumps(record).encode()


payloads = st.one_of(
    st.binary(max_size=512),
    json_values.map(lambda v: json.dumps(v).encode()),
    mutated_records(),
    st.integers(1, 4000).map(lambda extra: b'{"v":1,"pad":"' + b"x" * (MAX_RECORD_BYTES + extra) + b'"}'),
)


class Device:
    """A raw MQTT client on a device's own topics, reading every reply on its down topic."""

    def __init__(self, identity, port: int):
        name = identity.device
        self.name, self.replies = name, queue.Queue()
        self.client = session.persistent_client(name, inflight_cap=10)
        self.client.tls_set_context(identity.ssl_context())
        self.client.on_message = lambda c, u, m: self.replies.put(json.loads(m.payload))
        self.client.on_connect = lambda c, u, f, rc, p: c.subscribe(topics.down(name), qos=1)
        session.connect_async(self.client, "127.0.0.1", port, receive_maximum=10)
        self.client.loop_start()

    def send(self, payload: bytes) -> dict:
        self.client.publish(topics.up(self.name), payload, qos=1)
        try:
            return self.replies.get(timeout=10)
        except queue.Empty:
            raise AssertionError(f"no reply from the relay to {payload[:80]!r}") from None

    def stop(self):
        self.client.disconnect()
        self.client.loop_stop()


def test_relay_answers_every_malformed_message_and_valid_traffic_keeps_flowing(stack_factory):
    stack = stack_factory()
    stack.start_broker()
    stack.start_edge()
    (identity,) = stack.add_devices(1).values()
    device = Device(identity, stack.mqtt_port)
    seq = iter(range(1, 10_000))

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(payload=payloads)
    def fuzz(payload):
        reply = device.send(payload)
        assert reply["type"] in ("ack", "error")
        if reply["type"] == "error":
            assert reply["code"] and reply["reason"], reply
        valid = new_record("message", "L-ok", 10_000 + next(seq), {"text": "still here"})
        reply = device.send(valid.to_json())
        assert reply == {"type": "ack", "ids": [valid.id]}
        assert stack.edge.running

    try:
        fuzz()
    finally:
        device.stop()
    assert stack.edge.running
