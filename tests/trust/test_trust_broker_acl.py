"""The tablet-facing Mosquitto, from the edge's own generated config and certificates: each tablet
reaches its own topics and nothing else; credentials the edge did not issue, or revoked, get nowhere.

Driven with the real mosquitto_pub / mosquitto_sub and with paho. (mosquitto_pub and _sub are given
--insecure because they cannot be told to expect the edge's DNS name while connecting to 127.0.0.1;
that only skips the name check, the chain is still verified. The paho clients check the name.)
"""

from __future__ import annotations

import itertools
import shutil
import ssl
import subprocess
import threading

import pytest
from paho.mqtt.client import CallbackAPIVersion, Client
from paho.mqtt.enums import MQTTProtocolVersion
from trustkit import Credential, EdgeKit, Relay
from trustkit import wait_for_true as _wait_for

from wire import topics

TABLETS = [f"tab-{i:04d}" for i in range(1, 6)]
NOT_AUTHORIZED = 135

pytestmark = pytest.mark.skipif(shutil.which("mosquitto_pub") is None,
                                reason="mosquitto-clients is not installed: `make test` installs it with apt-get")


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    kit = EdgeKit(tmp_path_factory.mktemp("acl")).build([*TABLETS, "tab-0009"])
    kit.start_broker()
    yield kit
    kit.stop()


def _tls_args(kit: EdgeKit, cred: Credential | None) -> list[str]:
    args = ["-h", "127.0.0.1", "-p", str(kit.mqtt_port), "--cafile", str(kit.files.ca_cert), "--insecure",
            "-V", "mqttv5"]
    return args + (["--cert", str(cred.cert), "--key", str(cred.key)] if cred else [])


def _pub(kit: EdgeKit, cred: Credential | None, topic: str, message: str) -> subprocess.CompletedProcess:
    return subprocess.run(["mosquitto_pub", *_tls_args(kit, cred), "-q", "1", "-d", "-t", topic, "-m", message],
                          capture_output=True, text=True, timeout=20)


class Sub:
    """A running mosquitto_sub, read line by line as it prints (-d says when the broker's SUBACK came)."""

    def __init__(self, kit: EdgeKit, cred: Credential, topic_filters: list[str]):
        argv = ["stdbuf", "-oL", "mosquitto_sub", *_tls_args(kit, cred), "-q", "1", "-v", "-d", "-W", "60"]
        for topic_filter in topic_filters:
            argv += ["-t", topic_filter]
        self.lines: list[str] = []
        self.subacks = 0  # one per (re)connection: a tablet's own mosquitto_pub takes over its session
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            line = line.rstrip("\n")
            if line.startswith("Subscribed (mid"):
                self.subacks += 1
            elif line.strip() and not line.startswith("Client "):  # -d's own lines are not messages
                self.lines.append(line)

    def wait_subscribed(self, times: int = 1) -> None:
        assert _wait_for(lambda: self.subacks >= times, 15), f"mosquitto_sub got no SUBACK: {self.lines}"

    def wait_for(self, line: str) -> None:
        assert _wait_for(lambda: line in self.lines, 15), (line, self.lines)

    def stop(self) -> set[str]:
        """Every message it printed (overlapping filters repeat a message: a set)."""
        self.proc.terminate()
        self.proc.wait(10)
        self.reader.join(10)
        return set(self.lines)


@pytest.fixture
def relay(kit):
    relay = Relay(kit)
    yield relay
    relay.leave()


# mosquitto_pub / mosquitto_sub ------------------------------------------------------------------------
def test_each_tablet_reaches_its_own_topics_with_the_cli_tools(kit, relay):
    subs = {device: Sub(kit, kit.tablet(device), [topics.down(device)]) for device in TABLETS}
    try:
        for sub in subs.values():
            sub.wait_subscribed()
        for device in TABLETS:
            relay.send_down(device, f"for {device}")
            subs[device].wait_for(f"{topics.down(device)} for {device}")
            done = _pub(kit, kit.tablet(device), topics.up(device), f"from {device}")
            assert done.returncode == 0 and "Not authorized" not in done.stderr, done.stderr
        assert _wait_for(lambda: {(topics.up(d), f"from {d}") for d in TABLETS} <= set(relay.texts()))
    finally:
        for sub in subs.values():
            sub.stop()


def test_no_tablet_can_write_another_tablets_topics_with_mosquitto_pub(kit, relay):
    for writer, owner in itertools.permutations(TABLETS, 2):
        for topic in (topics.up(owner), topics.down(owner)):
            done = _pub(kit, kit.tablet(writer), topic, f"{writer} forging {owner}")
            assert f"RC:{NOT_AUTHORIZED}" in done.stdout + done.stderr, (writer, topic, done.stdout, done.stderr)
    # The broker routes in the order it receives: once a tablet's own message, published after every
    # forgery, has reached the relay, a forgery let through would have reached it before.
    assert _pub(kit, kit.tablet(TABLETS[0]), topics.up(TABLETS[0]), "after the forgeries").returncode == 0
    assert _wait_for(lambda: (topics.up(TABLETS[0]), "after the forgeries") in relay.texts())
    assert not [m for m in relay.texts() if "forging" in m[1]]


def test_no_tablet_can_read_another_tablets_topics_with_mosquitto_sub(kit, relay):
    everything = [topics.down(d) for d in TABLETS] + [topics.up(d) for d in TABLETS] + ["throughgate/#", "#"]
    subs = {device: Sub(kit, kit.tablet(device), everything) for device in TABLETS}
    try:
        for sub in subs.values():
            sub.wait_subscribed()
        for device in TABLETS:
            relay.send_down(device, f"secret for {device}")
            subs[device].wait_for(f"{topics.down(device)} secret for {device}")
            _pub(kit, kit.tablet(device), topics.up(device), f"work of {device}")  # takes over the sub's session
            subs[device].wait_subscribed(times=2)  # so every reader listens while the next tablet writes
        # Sent after everything else: once a reader has it, whatever else it could read has reached it.
        for device, sub in subs.items():
            relay.send_down(device, "last")
            sub.wait_for(f"{topics.down(device)} last")
    finally:
        lines = {reader: sub.stop() for reader, sub in subs.items()}
    for reader in TABLETS:
        expected = {f"{topics.down(reader)} secret for {reader}", f"{topics.down(reader)} last"}
        assert lines[reader] == expected, (reader, lines[reader])


# paho ------------------------------------------------------------------------------------------
class NamedContext(ssl.SSLContext):
    """Checks the edge's DNS name on its certificate while connecting to 127.0.0.1."""

    server_name = ""

    def wrap_socket(self, sock, *args, server_hostname=None, **kwargs):
        return super().wrap_socket(sock, *args, server_hostname=self.server_name, **kwargs)


def _context(kit: EdgeKit, cred: Credential | None, tls12: bool = False) -> ssl.SSLContext:
    context = NamedContext(ssl.PROTOCOL_TLS_CLIENT)
    context.server_name = kit.config.server_name
    context.load_verify_locations(str(kit.files.ca_cert))
    if tls12:  # so a refused certificate shows as an alert at connect (TLS 1.3 reports it later)
        context.maximum_version = ssl.TLSVersion.TLSv1_2
    if cred:
        context.load_cert_chain(str(cred.cert), str(cred.key))
    return context


class PahoTablet:
    def __init__(self, kit: EdgeKit, cred: Credential):
        self.device = cred.device
        self.got: list[tuple[str, str]] = []
        self.reasons: dict[int, int] = {}
        self.subacks: set[int] = set()
        self.connected, self.disconnected = threading.Event(), threading.Event()
        self.client = Client(CallbackAPIVersion.VERSION2, client_id=cred.device, protocol=MQTTProtocolVersion.MQTTv5)
        self.client.tls_set_context(_context(kit, cred))
        self.client.on_connect = lambda *a: self.connected.set()
        self.client.on_disconnect = lambda *a: self.disconnected.set()
        self.client.on_message = lambda c, u, m: self.got.append((m.topic, m.payload.decode()))
        self.client.on_publish = lambda c, u, mid, reason, p: self.reasons.__setitem__(mid, reason.value)
        self.client.on_subscribe = lambda c, u, mid, reasons, p: self.subacks.add(mid)
        self.client.connect("127.0.0.1", kit.mqtt_port)
        self.client.loop_start()
        assert self.connected.wait(10), f"{cred.device} could not connect"

    def subscribe(self, topic_filters: list[str]) -> None:
        """Returns once the broker answered (SUBACK), granted or not."""
        _, mid = self.client.subscribe([(topic_filter, 1) for topic_filter in topic_filters])
        assert _wait_for(lambda: mid in self.subacks), f"{self.device} got no SUBACK"

    def publish(self, topic: str, text: str) -> int:
        info = self.client.publish(topic, text, qos=1)
        info.wait_for_publish(10)
        assert _wait_for(lambda: info.mid in self.reasons, 5)
        return self.reasons[info.mid]

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def test_acl_matrix_with_paho_for_every_ordered_pair(kit, relay):
    clients = {device: PahoTablet(kit, kit.tablet(device)) for device in TABLETS}
    try:
        for client in clients.values():
            client.subscribe(["#", "throughgate/#", *map(topics.down, TABLETS), *map(topics.up, TABLETS)])
        refused = {}
        for writer, owner in itertools.permutations(TABLETS, 2):
            refused[(writer, owner, "up")] = clients[writer].publish(topics.up(owner), "forged")
            refused[(writer, owner, "down")] = clients[writer].publish(topics.down(owner), "forged")
        assert set(refused.values()) == {NOT_AUTHORIZED}, refused
        for device in TABLETS:
            relay.send_down(device, f"secret for {device}")
            assert clients[device].publish(topics.up(device), f"work of {device}") < 128
        # Sent after everything else: once a tablet has it, whatever else it could read has reached it.
        for device in TABLETS:
            relay.send_down(device, "last")
        assert _wait_for(lambda: all((topics.down(d), "last") in clients[d].got for d in TABLETS))
        for device, client in clients.items():
            expected = {(topics.down(device), f"secret for {device}"), (topics.down(device), "last")}
            assert set(client.got) == expected, (device, client.got)
        work = {m for m in relay.texts() if m[1].startswith("work of")}
        assert work == {(topics.up(d), f"work of {d}") for d in TABLETS}
        assert not [m for m in relay.texts() if m[1] == "forged"]
    finally:
        for client in clients.values():
            client.stop()


# refused credentials ---------------------------------------------------------------------------
def _paho_refused(kit: EdgeKit, cred: Credential | None) -> str:
    """Connect capped at TLS 1.2 and return why the broker refused; '' if it let us in."""
    client = Client(CallbackAPIVersion.VERSION2, client_id="probe", protocol=MQTTProtocolVersion.MQTTv5)
    client.tls_set_context(_context(kit, cred, tls12=True))
    connected = threading.Event()
    client.on_connect = lambda c, u, f, reason, p: reason.is_failure or connected.set()
    try:
        client.connect("127.0.0.1", kit.mqtt_port)
    except ssl.SSLError as exc:
        return exc.reason or str(exc)
    client.loop_start()
    try:
        return "" if connected.wait(5) else "no CONNACK"
    finally:
        client.disconnect()
        client.loop_stop()


@pytest.mark.parametrize("who, alert", [
    ("no certificate", "HANDSHAKE_FAILURE"),
    ("foreign CA", "UNKNOWN_CA"),
    ("expired", "CERTIFICATE_EXPIRED"),
])
def test_credentials_the_edge_did_not_issue_get_nowhere(kit, who, alert):
    cred = {"no certificate": None, "foreign CA": kit.foreign, "expired": kit.expired}[who]
    assert alert in _paho_refused(kit, cred)
    done = _pub(kit, cred, topics.up("tab-0001"), "hello")
    assert done.returncode != 0, done.stdout + done.stderr


def test_revoked_tablet_is_cut_off_live_and_cannot_come_back(kit):
    victim = PahoTablet(kit, kit.tablet("tab-0009"))
    try:
        assert victim.publish(topics.up("tab-0009"), "before") < 128
        kit.revoke("tab-0009")
        assert victim.disconnected.wait(10), "the revoked tablet's live connection was not closed"
        victim.client.loop_stop()
        assert "CERTIFICATE_REVOKED" in _paho_refused(kit, kit.tablet("tab-0009"))
        done = _pub(kit, kit.tablet("tab-0009"), topics.up("tab-0009"), "after")
        assert done.returncode != 0
        assert _paho_refused(kit, kit.tablet("tab-0001")) == ""  # everyone else is unaffected
    finally:
        victim.client.disconnect()


def test_a_revoked_tablet_is_told_why_it_cannot_connect(kit, tmp_path):
    from tablet import discovery
    from tablet.identity import Enrolment, TabletIdentity

    cred = kit.enrol("tab-0010")
    tablet = TabletIdentity(tmp_path / "tab-0010")
    tablet.folder.mkdir(mode=0o700)
    tablet.key_path.write_bytes(cred.key.read_bytes())
    enrolment = Enrolment(kit.edge_id, "tab-0010", kit.config.server_name, kit.mqtt_port, "", "", "9999-01-01T00:00Z")
    tablet.save(enrolment, cred.cert.read_text(), kit.files.ca_cert.read_text())
    edge = discovery.Candidate("127.0.0.1", kit.mqtt_port, kit.config.server_name)
    assert discovery.tls_error(edge, tablet) is None
    kit.revoke("tab-0010")
    assert "revoked" in discovery.tls_error(edge, tablet)
