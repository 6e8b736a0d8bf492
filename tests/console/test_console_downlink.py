"""The console's down messages through the edge's real Mosquitto: the console's own broker user may publish
to tablets' down topics and nothing else, and messages the console writes while the broker is away are
published by the edge's down-message publisher once it is back, reaching the tablet's persistent session.
(Delivery until the tablet acknowledges, across clean sessions and restarts: tests/spine/test_down_messages.py.)"""

from __future__ import annotations

import json
import ssl
import threading

import pytest
from paho.mqtt.client import CallbackAPIVersion, Client
from paho.mqtt.enums import MQTTProtocolVersion

from edge import store
from edge.console import downlink, outgoing
from edge.downlink import publisher
from edge.downlink.tables import DownMessage
from edge.host import broker
from tests.spine.waiting import wait_for
from wire import session, topics


class _EdgeNamed(ssl.SSLContext):
    """Checks the edge's DNS name on its certificate while connecting to 127.0.0.1."""

    server_name = ""

    def wrap_socket(self, sock, *args, server_hostname=None, **kwargs):
        return super().wrap_socket(sock, *args, server_hostname=self.server_name, **kwargs)


class Tablet:
    """A tablet's persistent MQTT session on its own down topic (as the reference client keeps it)."""

    def __init__(self, kit, device: str):
        cred = kit.tablet(device)
        context = _EdgeNamed(ssl.PROTOCOL_TLS_CLIENT)
        context.server_name = kit.config.server_name
        context.load_verify_locations(str(kit.files.ca_cert))
        context.load_cert_chain(str(cred.cert), str(cred.key))
        self.got: list[dict] = []
        self.subscribed = threading.Event()
        self.client = session.persistent_client(device, None, inflight_cap=10)
        self.client.tls_set_context(context)
        self.client.on_connect = lambda c, *a: c.subscribe(topics.down(device), qos=1)
        self.client.on_subscribe = lambda *a: self.subscribed.set()
        self.client.on_message = lambda c, u, m: self.got.append(json.loads(m.payload))
        session.connect_async(self.client, "127.0.0.1", kit.mqtt_port, receive_maximum=10)
        self.client.loop_start()
        assert self.subscribed.wait(20), f"{device} could not subscribe"

    def leave(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def running_broker(kit):
    if not broker.Path(broker.MOSQUITTO).exists():
        pytest.skip("Mosquitto is not installed: `make test` installs it with apt-get")
    kit.start_broker()
    yield kit
    kit.child.stop()


def _client(kit, client_id: str, username: str, password: str) -> tuple[Client, dict, list]:
    """A loopback-listener client: its PUBACK reason codes (and SUBACKs) by mid, and the messages it receives."""
    acked, got, ready = {}, [], threading.Event()
    client = Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=MQTTProtocolVersion.MQTTv5)
    client.username_pw_set(username, password)
    client.on_connect = lambda *a: ready.set()
    client.on_publish = lambda c, u, mid, reason, p: acked.__setitem__(mid, reason.value)
    client.on_subscribe = lambda c, u, mid, codes, p: acked.__setitem__(mid, codes[0].value)
    client.on_message = lambda c, u, m: got.append(m.topic)
    client.connect("127.0.0.1", kit.relay_port)
    client.loop_start()
    assert ready.wait(10), f"{username} could not connect"
    return client, acked, got


def test_the_consoles_broker_user_may_publish_down_messages_and_read_nothing(running_broker, app):
    kit = running_broker
    console, acked, console_got = _client(kit, "console-acl-check", broker.CONSOLE_USER,
                                          downlink.broker_password(kit.config))
    relay, relay_acked, relay_got = _client(kit, "relay-acl-check", kit.config.broker.username, kit.relay_password)
    tablet = Tablet(kit, "tab-0001")
    try:
        for topic, allowed in ((topics.up("tab-0001"), False), (topics.down("tab-0001"), True)):
            info = console.publish(topic, b"{}", qos=1)
            code = wait_for(lambda m=info.mid: acked.get(m, -1) + 1, 10, "a PUBACK") - 1
            assert (code < 128) is allowed, (topic, code)
        assert wait_for(lambda: tablet.got, 10, "the console's message at the tablet") == [{}]
        for client, acks in ((console, acked), (relay, relay_acked)):
            for topic_filter in ("#", topics.UP_FILTER):
                mid = client.subscribe(topic_filter, qos=1)[1]
                wait_for(lambda m=mid, a=acks: m in a, 10, "a SUBACK")
        tablet.client.publish(topics.up("tab-0001"), b"the learner's work", qos=1).wait_for_publish(10)
        wait_for(lambda: topics.up("tab-0001") in relay_got, 10, "the relay to receive the tablet's record")
        # The console's copy, had the broker sent one, was routed with the relay's, so it is ahead of the
        # answer to anything the console asks from now on: one more SUBACK, and it would have arrived.
        mid = console.subscribe(topics.UP_FILTER, qos=1)[1]
        wait_for(lambda: mid in acked, 10, "a SUBACK after the tablet's record")
        assert console_got == []
    finally:
        tablet.leave()
        for client in (console, relay):
            client.disconnect()
            client.loop_stop()


def test_messages_written_while_the_broker_is_away_reach_the_tablet_once_it_is_back(running_broker, app):
    kit = running_broker
    tablet = Tablet(kit, "tab-0002")  # the tablet's session exists at the broker, then the tablet leaves
    tablet.leave()
    kit.child.stop()  # Mosquitto away (it keeps sessions in its persistence file)
    link = publisher.Downlink("127.0.0.1", kit.relay_port, kit.config.broker.username, kit.relay_password,
                              every_s=0.2).start()
    try:
        with store.writing():
            outgoing.add_down("tab-0002", {"type": "feedback", "id": "f-1", "learner": "L-A1", "grade": "B"})
        message = DownMessage.select().order_by(DownMessage.id.desc()).get()
        assert message.sent is None and not link.connected.is_set()
        kit.start_broker()
        wait_for(lambda: DownMessage.get_by_id(message.id).sent, 30, "the message published")
        tablet = Tablet(kit, "tab-0002")
        assert wait_for(lambda: tablet.got, 20, "the message at the tablet") == [
            {"type": "feedback", "id": "f-1", "learner": "L-A1", "grade": "B"}]
        tablet.leave()
    finally:
        link.stop()
