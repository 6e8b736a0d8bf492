"""TabletClient (and Fleet) over TLS against a real Mosquitto: it logs in with its certificate alone (no
password), checks the edge's name while connecting to 127.0.0.1, and a look-alike broker gets
nothing. The edge here is a stand-in that acks what arrives; the real relay is in tests/spine."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time

import pytest

from edge.host.broker import wait_for_port
from tablet.client import TabletClient
from tablet.fleet import Fleet
from tablet.outbox import Outbox
from tests.unit_tablet.tabletkit import EdgeCa
from throughgate.cli import main
from throughgate.stack import free_port
from wire import session, topics

CONF = """per_listener_settings false
allow_anonymous true
user root
persistence false
log_dest file {folder}/mosquitto.log
connection_messages true
listener {plain} 127.0.0.1
listener {tls} 127.0.0.1
cafile {ca}
certfile {cert}
keyfile {key}
require_certificate true
use_identity_as_username true
use_username_as_clientid true
"""


class Broker:
    """Mosquitto with a plain listener (for the stand-in edge) and a tablet TLS listener."""

    def __init__(self, folder, ca: EdgeCa):
        paths = ca.write_server_files(folder)
        self.folder, self.plain, self.tls = folder, free_port(), free_port()
        (folder / "mosquitto.conf").write_text(CONF.format(folder=folder, plain=self.plain, tls=self.tls, **paths))
        self.proc = subprocess.Popen([shutil.which("mosquitto") or "/usr/sbin/mosquitto", "-c",
                                      str(folder / "mosquitto.conf")], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        wait_for_port("127.0.0.1", self.tls)

    @property
    def log(self) -> str:
        return (self.folder / "mosquitto.log").read_text()

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


class AckingEdge:
    """Acks every record on every up topic, as the relay does after its commit, and answers a down_ack with
    nothing waiting (this stand-in holds no down messages)."""

    def __init__(self, port: int):
        self.client = session.persistent_client("edge-standin", None, inflight_cap=100)
        self.client.on_message = self._on_message
        self.client.on_connect = lambda c, *_: c.subscribe(topics.UP_FILTER, qos=1)
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        self.received: list[str] = []

    def _on_message(self, client, userdata, message):
        record = json.loads(message.payload)
        device = message.topic.split("/")[2]
        if topics.parse_down_ack(message.payload) is not None:
            client.publish(topics.down(device), topics.down_waiting_message(0), qos=1)
            return
        self.received.append(device)
        client.publish(topics.down(device), json.dumps({"type": "ack", "ids": [record["id"]]}), qos=1)

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def mosquitto():
    if shutil.which("mosquitto") is None and not os.path.exists("/usr/sbin/mosquitto"):
        pytest.skip("Mosquitto is not installed: `make test` installs it with apt-get")


@pytest.fixture
def broker_for(mosquitto, tmp_path):
    started = []

    def make(ca: EdgeCa) -> Broker:
        broker = Broker(tmp_path / f"broker{len(started)}", ca)
        started.append(broker)
        return broker

    yield make
    for broker in started:
        broker.stop()


def test_records_go_over_tls_with_the_certificate_and_are_acked(edge_ca, broker_for, tmp_path):
    broker = broker_for(edge_ca)
    edge = AckingEdge(broker.plain)
    identity = edge_ca.enrol(tmp_path / "tablet")
    outbox = Outbox(str(tmp_path / "outbox.sqlite"))
    client = TabletClient(identity, "127.0.0.1", broker.tls, outbox).start()
    try:
        for n in range(3):
            client.submit("message", "L-0001", {"text": f"note {n}"})
        assert client.wait_flushed(20)
    finally:
        client.stop()
        edge.stop()
    assert outbox.counts()["acked"] == 3
    assert edge.received == ["tab-0001"] * 3
    assert "u'tab-0001'" in broker.log  # the broker took the username from the certificate


def test_a_look_alike_broker_with_the_same_name_gets_nothing(broker_for, edge_ca, tmp_path):
    lookalike = broker_for(EdgeCa.make())
    spy = AckingEdge(lookalike.plain)
    outbox = Outbox(str(tmp_path / "outbox.sqlite"))
    client = TabletClient(edge_ca.enrol(tmp_path / "tablet"), "127.0.0.1", lookalike.tls, outbox)
    failed = []  # paho calls on_connect_fail when a (re)connection fails: here, the TLS handshake
    client.client.on_connect_fail = lambda *_: failed.append(time.monotonic())
    client.start()
    try:
        client.submit("message", "L-0001", {"text": "for my edge only"})
        deadline = time.monotonic() + 20
        while not failed and time.monotonic() < deadline:
            time.sleep(0.05)
        assert failed, "the tablet's connection to the look-alike neither failed nor succeeded"
        assert not client.connected.is_set()
    finally:
        client.stop()
        spy.stop()
    assert spy.received == []
    assert outbox.counts()["pending"] == 1


def test_a_fleet_of_enrolled_tablets_drains_over_tls(edge_ca, broker_for, tmp_path):
    broker = broker_for(edge_ca)
    edge = AckingEdge(broker.plain)
    devices = {f"tab-{i:04d}": edge_ca.enrol(tmp_path / f"tab-{i:04d}", f"tab-{i:04d}") for i in range(3)}
    fleet = Fleet(devices, tmp_path / "outboxes", "127.0.0.1", broker.tls)
    fleet.queue(5)
    fleet.start()
    try:
        assert fleet.wait_flushed(20)
    finally:
        result = fleet.stop()
        edge.stop()
    assert (result.submitted_count, result.acked, result.pending) == (15, 15, 0)
    assert sorted(set(edge.received)) == sorted(devices)


def test_a_fleet_refuses_an_identity_filed_under_another_device(edge_ca, tmp_path):
    with pytest.raises(ValueError, match="tab-0009"):
        Fleet({"tab-0009": edge_ca.enrol(tmp_path / "t", "tab-0001")}, tmp_path / "outboxes", "127.0.0.1", 1)


def test_cli_send_uses_the_folders_identity_and_the_enrolled_address(edge_ca, broker_for, tmp_path, capsys):
    broker = broker_for(edge_ca)
    edge = AckingEdge(broker.plain)
    folder = str(edge_ca.enrol(tmp_path / "tablet", port=broker.tls).folder)
    try:
        assert main(["tablet", "submit", "--folder", folder, "--kind", "message", "--learner", "L-1",
                     "--payload", '{"text": "hello"}']) == 0
        assert main(["tablet", "send", "--folder", folder, "--timeout", "20"]) == 0
    finally:
        edge.stop()
    assert capsys.readouterr().out.splitlines()[-1] == "acked=1 pending=0 rejected=0"


def test_cli_send_to_a_look_alike_says_so_and_keeps_the_records(edge_ca, broker_for, tmp_path, capsys):
    lookalike = broker_for(EdgeCa.make())
    folder = str(edge_ca.enrol(tmp_path / "tablet", port=lookalike.tls).folder)
    main(["tablet", "submit", "--folder", folder, "--kind", "message", "--learner", "L-1", "--payload", "{}"])

    assert main(["tablet", "send", "--folder", folder]) == 1
    assert "not from the pinned tablet CA" in capsys.readouterr().err
    assert main(["tablet", "status", "--folder", folder, "--offline"]) == 0
    assert "pending=1" in capsys.readouterr().out
