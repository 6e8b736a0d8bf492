"""What one enrolled tablet can make the edge's Mosquitto hold, with its real certificate, against the broker
started from the edge's own generated configuration: no subscription but its own down topic (refused at
SUBSCRIBE, so nothing is kept), no QoS 2, no retained messages, wills only as its own messages, and a capped
queue for the relay. Memory is read from the broker process (VmRSS) as a ratio to its size before."""

from __future__ import annotations

import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time

import pytest
from paho.mqtt.client import CallbackAPIVersion, Client
from paho.mqtt.enums import MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from trustkit import Credential, EdgeKit, Relay
from trustkit import wait_for_true as _wait_for

from edge.host import broker, broker_acl, broker_control
from edge.tablets import registry as tablets
from wire import session, topics

TABLETS = ["tab-0001", "tab-0002"]
GRANTED_QOS1, NOT_AUTHORIZED, V311_FAILURE = 1, 135, 128
RETAIN_NOT_SUPPORTED, QOS_NOT_SUPPORTED = 154, 155

pytestmark = pytest.mark.skipif(not broker.Path(broker.MOSQUITTO).exists(), reason="Mosquitto is not installed")


@pytest.fixture
def kit(tmp_path):
    kit = EdgeKit(tmp_path).build(TABLETS)
    kit.config.broker.max_queued_bytes = 1024 * 1024  # small, so the relay-queue test fills it fast
    kit.start_broker()
    yield kit
    kit.stop()


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def saved_store(kit: EdgeKit) -> int:
    """Have Mosquitto write its persistence file now (SIGUSR1) and return its size."""
    path = kit.broker_files.data / "mosquitto.db"
    before = path.stat().st_mtime_ns if path.exists() else 0
    kit.child.proc.send_signal(signal.SIGUSR1)
    deadline = time.monotonic() + 20
    while not (path.exists() and path.stat().st_mtime_ns != before) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)  # written to a temporary file, then renamed: a complete file either way
    return path.stat().st_size


def _context(kit: EdgeKit, cred: Credential) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False  # 127.0.0.1, not the edge's name: the chain is still checked
    context.load_verify_locations(str(kit.files.ca_cert))
    context.load_cert_chain(str(cred.cert), str(cred.key))
    return context


class Tablet:
    """A tablet's own MQTT client with its real certificate, recording what the broker answered."""

    def __init__(self, kit: EdgeKit, device: str, protocol=MQTTProtocolVersion.MQTTv5, will: dict | None = None,
                 persistent: bool = True):
        self.device = device
        self.got: list[tuple[str, bytes]] = []
        self.subacks: dict[int, list[int]] = {}
        self.connack, self.disconnect_reason = None, None
        self.answered, self.disconnected = threading.Event(), threading.Event()
        self.client = Client(CallbackAPIVersion.VERSION2, client_id=device, protocol=protocol,
                             reconnect_on_failure=False)
        self.client.tls_set_context(_context(kit, kit.tablet(device)))
        self.client.max_queued_messages_set(0)
        if will:
            self.client.will_set(**will)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_subscribe = lambda c, u, mid, codes, p: self.subacks.__setitem__(mid, [r.value for r in codes])
        self.client.on_message = lambda c, u, m: self.got.append((m.topic, m.payload))
        if protocol == MQTTProtocolVersion.MQTTv5:
            properties = session.connect_properties(10) if persistent else None
            self.client.connect("127.0.0.1", kit.mqtt_port, clean_start=not persistent, properties=properties)
        else:
            self.client.connect("127.0.0.1", kit.mqtt_port)
        self.client.loop_start()
        assert self.answered.wait(10), f"{device}: no CONNACK"

    def _on_connect(self, client, userdata, flags, reason, properties):
        self.connack = reason.value
        self.answered.set()

    def _on_disconnect(self, client, userdata, flags, reason, properties):
        self.disconnect_reason = reason.value
        self.disconnected.set()

    def subscribe(self, topic_filters: list[str]) -> list[int]:
        """Send one SUBSCRIBE and return the broker's SUBACK codes, one per filter."""
        _, mid = self.client.subscribe([(topic_filter, 1) for topic_filter in topic_filters])
        assert _wait_for(lambda: mid in self.subacks, 20), f"{self.device}: no SUBACK"
        return self.subacks[mid]

    def drop(self) -> None:
        """The connection lost without a DISCONNECT (the broker then sends the will)."""
        sock = self.client.socket()
        self.client.loop_stop()
        sock.shutdown(socket.SHUT_RDWR)
        sock.close()

    def leave(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def _round_trip(kit: EdgeKit, device: str, text: str, relay: Relay | None = None) -> None:
    """Its own topics still work: a down message reaches it and its up message reaches the relay."""
    own = relay is None
    relay, tablet = relay or Relay(kit), Tablet(kit, device)
    try:
        assert tablet.subscribe([topics.down(device)]) == [GRANTED_QOS1]
        relay.send_down(device, text)
        assert _wait_for(lambda: (topics.down(device), text.encode()) in tablet.got), tablet.got
        tablet.client.publish(topics.up(device), text, qos=1).wait_for_publish(10)
        assert _wait_for(lambda: (topics.up(device), text.encode()) in relay.got), relay.got
    finally:
        tablet.leave()
        if own:
            relay.leave()


# Subscriptions ----------------------------------------------------------------------------------------
def test_a_tablet_is_refused_every_subscription_but_its_own_down_topic_and_the_broker_stays_small(kit):
    before = rss_kb(kit.child.proc.pid)
    tablet = Tablet(kit, "tab-0001")  # clean start off, a 14-day session: what the broker would keep
    try:
        others = ["#", "+/#", "throughgate/#", topics.down("tab-0002"), topics.up("tab-0002"), topics.up("tab-0001"),
                  f"{topics.PREFIX}/+/down", f"$share/g/{topics.down('tab-0001')}", "$SYS/#",
                  broker_acl.RESPONSE_TOPIC, f"{broker_acl.CONTROL_TOPIC}/#"]
        assert tablet.subscribe(others) == [NOT_AUTHORIZED] * len(others)
        # the probe's attack: 500 SUBSCRIBEs of two unique 60 KB filters each, sent without waiting for SUBACKs
        mids = [tablet.client.subscribe([(f"x/{n}/" + "a" * 60_000, 1), (f"y/{n}/" + "b" * 60_000, 1)])[1]
                for n in range(500)]
        assert _wait_for(lambda: set(mids) <= set(tablet.subacks), 60), "no SUBACK for some"
        assert {code for mid in mids for code in tablet.subacks[mid]} == {NOT_AUTHORIZED}
        assert tablet.subscribe([topics.down("tab-0001")]) == [GRANTED_QOS1]
    finally:
        tablet.leave()
    after = rss_kb(kit.child.proc.pid)
    assert after / before < 1.5, (before, after)  # it was 13x (10 MB -> 130 MB) when every filter was kept
    assert saved_store(kit) < 64 * 1024  # it was 60 MB
    _round_trip(kit, "tab-0001", "still works")


def test_an_mqtt_311_tablet_is_refused_with_0x80(kit):
    tablet = Tablet(kit, "tab-0002", protocol=MQTTProtocolVersion.MQTTv311)
    try:
        assert tablet.subscribe(["#", topics.down("tab-0001"), topics.down("tab-0002")]) == [
            V311_FAILURE, V311_FAILURE, GRANTED_QOS1]
    finally:
        tablet.leave()


def test_a_username_the_broker_does_not_know_is_refused_everything(kit):
    """A certificate the edge issued whose tablet the broker was not told about (an enrolment while the
    broker was away): it gets nothing, not everything, until the edge's sync gives it its own topics."""
    cred = kit.enrol("tab-0003")  # the broker runs, so enrolling grants at once: take it away again
    assert broker_control.sync(kit.config, TABLETS) == 2
    relay, tablet = Relay(kit), Tablet(kit, cred.device)
    try:
        assert tablet.subscribe([topics.down("tab-0003"), "#"]) == [NOT_AUTHORIZED, NOT_AUTHORIZED]
        tablet.client.publish(topics.up("tab-0003"), "while unknown", qos=1).wait_for_publish(10)
        tablet.leave()
        assert broker_control.sync(kit.config, tablets.active_devices()) == 2  # its role and its client
        _round_trip(kit, "tab-0003", "after the sync", relay)  # routed in order: "while unknown" came first
        assert [payload for _, payload in relay.got] == [b"after the sync"]
    finally:
        tablet.leave()
        relay.leave()


def test_the_broker_forgets_a_revoked_tablet_at_the_next_sync(kit):
    tablets.revoke("tab-0002", kit.files, kit.config.tablets.crl_days)
    assert broker_control.sync(kit.config, tablets.active_devices()) == 2  # its client and its role deleted
    assert broker_control.sync(kit.config, tablets.active_devices()) == 0


def test_a_tablet_cannot_command_the_brokers_permissions(kit):
    tablet = Tablet(kit, "tab-0001")
    reasons: dict[int, int] = {}
    tablet.client.on_publish = lambda c, u, mid, reason, p: reasons.__setitem__(mid, reason.value)
    try:
        command = {"commands": [{"command": "addRoleACL", "rolename": "tablet:tab-0001",
                                 "acltype": "subscribePattern", "topic": "#", "allow": True}]}
        info = tablet.client.publish(broker_acl.CONTROL_TOPIC, json.dumps(command), qos=1)
        assert _wait_for(lambda: info.mid in reasons) and reasons[info.mid] == NOT_AUTHORIZED
        assert tablet.subscribe(["#"]) == [NOT_AUTHORIZED]
    finally:
        tablet.leave()
    assert broker_control.sync(kit.config, tablets.active_devices()) == 0  # nothing changed


# QoS 2, retained messages, wills -----------------------------------------------------------------------
def test_a_qos2_publish_closes_the_tablets_connection_and_reaches_no_one(kit):
    relay, tablet = Relay(kit), Tablet(kit, "tab-0001")
    try:
        tablet.client.publish(topics.up("tab-0001"), "exactly once?", qos=2)
        assert tablet.disconnected.wait(10)
        assert tablet.disconnect_reason == QOS_NOT_SUPPORTED
        tablet.leave()
        _round_trip(kit, "tab-0001", "after QoS 2", relay)  # routed in order: a QoS 2 message let through came first
        assert [payload for _, payload in relay.got] == [b"after QoS 2"]
    finally:
        tablet.leave()
        relay.leave()


def test_a_retained_publish_or_will_is_refused(kit):
    relay = Relay(kit)
    tablet = Tablet(kit, "tab-0001")
    tablet.client.publish(topics.up("tab-0001"), "replayed at every relay start?", qos=1, retain=True)
    assert tablet.disconnected.wait(10) and tablet.disconnect_reason == RETAIN_NOT_SUPPORTED
    tablet.client.loop_stop()
    will = {"topic": topics.up("tab-0001"), "payload": "retained will", "qos": 1, "retain": True}
    tablet = Tablet(kit, "tab-0001", will=will)
    tablet.client.loop_stop()
    assert tablet.connack == RETAIN_NOT_SUPPORTED
    relay.leave()
    assert relay.got == []
    fresh = Relay(kit)  # a retained message would reach a new subscriber at once
    try:
        _round_trip(kit, "tab-0001", "after retain", fresh)
        assert [payload for _, payload in fresh.got] == [b"after retain"]
    finally:
        fresh.leave()


def test_a_will_on_another_tablets_topic_reaches_no_one(kit):
    victim, relay = Tablet(kit, "tab-0002"), Relay(kit)
    try:
        assert victim.subscribe([topics.down("tab-0002")]) == [GRANTED_QOS1]
        for topic in (topics.down("tab-0002"), topics.up("tab-0002")):
            forger = Tablet(kit, "tab-0001", will={"topic": topic, "payload": "forged will", "qos": 1})
            assert forger.connack == 0  # the broker checks a will when it sends it
            forger.drop()
        relay.send_down("tab-0002", "after the wills")  # routed in order: a will let through came first
        assert _wait_for(lambda: (topics.down("tab-0002"), b"after the wills") in victim.got)
        assert victim.got == [(topics.down("tab-0002"), b"after the wills")]
        assert not [m for m in relay.got if m[1] == b"forged will"]
    finally:
        victim.leave()
        relay.leave()


def test_a_will_on_its_own_up_topic_reaches_the_relay_as_one_of_its_messages(kit):
    relay = Relay(kit)
    try:
        properties = Properties(PacketTypes.WILLMESSAGE)
        properties.UserProperty = [("pad", "p" * 60_000)]
        will = {"topic": topics.up("tab-0001"), "payload": "w" * 60_000, "qos": 1, "properties": properties}
        Tablet(kit, "tab-0001", will=will).drop()
        assert _wait_for(lambda: [t for t, _ in relay.got] == [topics.up("tab-0001")])
        assert relay.got[0][1] == b"w" * 60_000  # validated by the relay like any message it publishes
    finally:
        relay.leave()


# The relay's queue and the persistence file --------------------------------------------------------
def test_what_one_tablet_queues_for_an_absent_relay_is_capped_and_the_edge_alarms_on_the_store(kit):
    Relay(kit, persistent=True).leave()  # its session stays: messages for it are queued while it is away
    pid = kit.child.proc.pid
    before = rss_kb(pid)
    tablet = Tablet(kit, "tab-0001")
    payload = os.urandom(100_000)
    try:
        for _ in range(100):  # 10 MB against max_queued_bytes = 1 MiB
            tablet.client.publish(topics.up("tab-0001"), payload, qos=1).wait_for_publish(10)
    finally:
        tablet.leave()
    size = saved_store(kit)
    assert size < 2 * 1024 * 1024, size
    assert rss_kb(pid) / before < 2, (before, rss_kb(pid))
    edge_status = [sys.executable, "-m", "throughgate", "edge", "status", "--instance", str(kit.instance)]
    _check_store(kit, size - 1)
    shown = subprocess.run(edge_status, capture_output=True, text=True, timeout=60).stdout
    assert "broker_store_large" in shown and "delete the file" in shown, shown
    _check_store(kit, size)
    assert "broker_store_large" not in subprocess.run(edge_status, capture_output=True, text=True, timeout=60).stdout


def _check_store(kit: EdgeKit, limit: int) -> None:
    """The edge's broker_store job (EdgeService.check_broker_store) with broker.store_alarm_bytes = limit."""
    from edge.service import EdgeService

    kit.config.broker.store_alarm_bytes = limit
    EdgeService(kit.config).check_broker_store()


def test_many_enrolments_and_syncs_leave_the_broker_answering_everyone(kit):
    """With Mosquitto 2.0.11's memory_limit the plugin's answers wrecked its memory count: it stopped
    answering after 5 enrolments. The generated configuration has none; this is the proof it needs none."""
    for n in range(40):
        broker_control.grant(kit.config, f"tab-{n + 100:04d}")
    assert broker_control.sync(kit.config, tablets.active_devices()) == 80  # their 40 clients and roles
    _round_trip(kit, "tab-0001", "still answering")
