"""edge.host.broker_check against real Mosquitto processes on free ports: an unrelated anonymous broker
on the relay's port is refused (by the check, and by `throughgate edge run`, which exits 2 saying what
to do); the edge's own broker passes; a broker with another password file, or without the tablets'
listener, is refused; the edge's own Mosquitto will not start on a port another program holds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from edge import config as edge_config
from edge import identity, store
from edge.host import broker, broker_check
from edge.tablets import registry as tablets
from tests.conftest import copy_of
from throughgate.stack import free_port


@pytest.fixture
def anonymous_broker(tmp_path):
    """start(port): a Mosquitto that lets anyone in and has no tablet listener, like Debian's own on 1883."""
    started: list[subprocess.Popen] = []

    def start(port: int) -> subprocess.Popen:
        conf = tmp_path / f"anonymous-{port}.conf"
        conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\n")
        proc = subprocess.Popen([broker.MOSQUITTO, "-c", str(conf)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        started.append(proc)
        broker.wait_for_port("127.0.0.1", port)
        return proc

    yield start
    for proc in started:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def edge(tmp_path):
    """An edge made by `throughgate edge init` on free ports, its server certificate and CRL written."""
    instance = tmp_path / "edge"
    subprocess.run([sys.executable, "-m", "throughgate", "edge", "init", "--instance", str(instance),
                    "--edge-id", "edge-1", "--hub-url", "https://127.0.0.1:9", "--system-broker",
                    "--broker-port", str(free_port()), "--mqtt-port", str(free_port()),
                    "--api-port", str(free_port())], check=True, capture_output=True, timeout=60)
    config = edge_config.load(instance)
    files = identity.EdgeFiles(instance)
    identity.ensure_server_cert(files, config.edge_id, config.server_name)
    store.open_store(str(config.db_path))
    tablets.write_crl(files, config.tablets.crl_days)
    store.db.close()
    return config


@pytest.fixture
def own_broker(edge):
    """start(tablets=True): the edge's own Mosquitto from its generated configuration."""
    started: list[broker.ChildBroker] = []

    def start(with_tablets: bool = True) -> broker.ChildBroker:
        files = broker.BrokerFiles(edge.broker_dir)
        broker.write_files(files, edge.broker, tablets=broker.tablet_listener(edge) if with_tablets else None)
        child = broker.ChildBroker(files, edge.broker.host, edge.broker.port).start()
        started.append(child)
        return child

    yield start
    for child in started:
        child.stop()


def test_an_anonymous_broker_on_the_relays_port_is_not_taken_for_the_edges(edge, anonymous_broker):
    anonymous_broker(edge.broker.port)
    with pytest.raises(broker_check.WrongBroker) as refused:
        broker_check.check_ours(edge)
    text = str(refused.value)
    assert f"the MQTT broker on 127.0.0.1:{edge.broker.port} let in a login with a made-up user and password" in text
    assert "systemctl disable --now mosquitto" in text and "[broker] port in" in text


def test_the_edges_own_broker_passes(edge, own_broker):
    own_broker()
    assert broker_check.check_ours(edge) is True


def test_a_broker_with_another_password_file_is_refused(edge, own_broker):
    own_broker()
    edge.relay_secret_path.write_text("not the password the broker holds")
    with pytest.raises(broker_check.WrongBroker, match="refused the relay's own login"):
        broker_check.check_ours(edge)


def test_a_broker_without_the_tablets_listener_is_refused(edge, own_broker):
    own_broker(with_tablets=False)
    with pytest.raises(broker_check.WrongBroker) as refused:
        broker_check.check_ours(edge, timeout=1.0)
    assert f"nothing answers on the tablets' listener 127.0.0.1:{edge.tablets.mqtt_port}" in str(refused.value)


def test_nothing_answering_yet_is_no_proof_either_way(edge):
    assert broker_check.check_ours(edge, timeout=1.0) is False


def test_the_edges_own_mosquitto_does_not_start_on_a_port_another_program_holds(edge, anonymous_broker):
    anonymous_broker(edge.broker.port)
    files = broker.BrokerFiles(edge.broker_dir)
    broker.write_files(files, edge.broker, tablets=broker.tablet_listener(edge))
    with pytest.raises(broker.PortTaken, match=f"something already listens on 127.0.0.1:{edge.broker.port}"):
        broker.ChildBroker(files, edge.broker.host, edge.broker.port).start()


@pytest.mark.parametrize("dev", [False, True], ids=["system-broker", "own-broker"])
def test_edge_run_refuses_an_unrelated_anonymous_broker_and_says_what_to_do(tmp_path, built_template, anonymous_broker,
                                                                            dev):
    stack = copy_of(built_template, tmp_path / "stack", broker__dev=dev)  # a hub, and the edge enrolled with it
    anonymous_broker(stack.broker_port)
    done = subprocess.run([sys.executable, "-m", "throughgate", "edge", "run", "--instance", str(stack.edge_dir)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    expected = ("let in a login with a made-up user and password" if not dev else
                f"something already listens on 127.0.0.1:{stack.broker_port} (another MQTT broker?)")
    assert expected in done.stderr and "Traceback" not in done.stderr
    assert not Path(stack.edge_dir / "edge.ready").exists()
