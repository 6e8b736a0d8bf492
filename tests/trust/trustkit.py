"""A real edge's trust material in a temporary folder, for tests of the broker, wifi and discovery.

    kit = EdgeKit(tmp_path).build(["tab-0001", "tab-0002"])    # edge init, server cert, CRL,
                                                                # tablets enrolled with real codes
    kit.start_broker()                                          # Mosquitto from the generated config
    kit.tablet("tab-0001")      -> Credential(cert, key)
    kit.revoke("tab-0002")      # the edge's own revocation: CRL, SIGHUP, live session closed
    kit.foreign / kit.expired   # credentials the edge must refuse

Building runs `edge init` and makes keys (seconds): the first build of an edge id and device list in a
session is kept as a template, and later ones are copies of it (own folder, store, CRL and ports).
"""

from __future__ import annotations

import atexit
import datetime as dt
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from edge import config as edge_config
from edge import identity, store
from edge.host import broker, broker_control
from edge.tablets import registry as tablets
from provisioning import pki
from provisioning.files import write_private
from throughgate.stack import free_port
from wire import session, topics


@dataclass(frozen=True)
class Credential:
    device: str
    cert: Path
    key: Path


def _save(folder: Path, device: str, cert, key) -> Credential:
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / f"{device}.pem", folder / f"{device}.key"
    cert_path.write_bytes(pki.cert_to_pem(cert))
    write_private(key_path, pki.key_to_pem(key), replace=True)
    return Credential(device, cert_path, key_path)


_BUILT: dict[tuple, EdgeKit] = {}  # (edge id, devices) -> the session's template


def _templates() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="edgekit-templates-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


class EdgeKit:
    _template_root: Path | None = None

    def __init__(self, root: Path, edge_id: str = "edge-1"):
        self.root = Path(root)
        self.edge_id = edge_id
        self.instance = self.root / "edge"
        self.creds = self.root / "creds"
        self.credentials: dict[str, Credential] = {}
        self.child: broker.ChildBroker | None = None

    def build(self, devices: list[str]) -> EdgeKit:
        """The edge with these devices enrolled: a copy of this session's first such build."""
        key = (self.edge_id, tuple(devices))
        if key not in _BUILT:
            if EdgeKit._template_root is None:
                EdgeKit._template_root = _templates()
            template = EdgeKit(EdgeKit._template_root / f"kit{len(_BUILT)}", self.edge_id)._build(devices)
            store.db.close()
            _BUILT[key] = template
        return self._copy_of(_BUILT[key])

    def _copy_of(self, template: EdgeKit) -> EdgeKit:
        self.root.mkdir(parents=True, exist_ok=True)
        for part in ("edge", "creds"):
            shutil.copytree(template.root / part, self.root / part)
        config = edge_config.load(self.instance)
        config.broker.port, config.tablets.mqtt_port = free_port(), free_port()
        (self.instance / edge_config.CONFIG_NAME).write_text(edge_config.dump(config))
        self.config = edge_config.load(self.instance)
        self.files = identity.EdgeFiles(self.instance)
        store.open_store(str(self.config.db_path))

        def moved(cred: Credential) -> Credential:
            return Credential(cred.device, self.root / cred.cert.relative_to(template.root),
                              self.root / cred.key.relative_to(template.root))

        self.credentials = {device: moved(cred) for device, cred in template.credentials.items()}
        self.foreign, self.expired = moved(template.foreign), moved(template.expired)
        return self

    def _build(self, devices: list[str]) -> EdgeKit:
        subprocess.run([sys.executable, "-m", "throughgate", "edge", "init", "--instance", str(self.instance),
                        "--edge-id", self.edge_id, "--hub-url", "https://127.0.0.1:9", "--system-broker",
                        "--broker-port", str(free_port()), "--mqtt-port", str(free_port())],
                       check=True, capture_output=True, timeout=60)
        self.config = edge_config.load(self.instance)
        self.files = identity.EdgeFiles(self.instance)
        store.open_store(str(self.config.db_path))
        identity.ensure_server_cert(self.files, self.edge_id, self.config.server_name)
        tablets.write_crl(self.files, self.config.tablets.crl_days)
        for device in devices:
            self.enrol(device)
        self.foreign = self._foreign()
        self.expired = self._expired()
        return self

    def enrol(self, device: str) -> Credential:
        """The real path: a one-time code, then the tablet's CSR redeemed with it."""
        code, _ = tablets.create_code(device, 60)
        key = pki.new_key()
        csr = pki.csr_to_pem(pki.make_csr(key, device)).decode()
        issued = tablets.redeem(code, device, csr, self.files, self.config.tablets.cert_days)
        self.credentials[device] = _save(self.creds, device, issued.certificate, key)
        if self.child is not None:  # as the edge's tablet API does: its broker permissions first
            broker_control.grant(self.config, device)
        return self.credentials[device]

    def tablet(self, device: str) -> Credential:
        return self.credentials[device]

    def _foreign(self) -> Credential:
        other = pki.make_root(pki.new_key(), "other tablet CA", 365, unit="edge-9")
        key = pki.new_key()
        cert = pki.issue(other, key.public_key(), "tab-0001", pki.CLIENT, 30, unit="edge-9")
        return _save(self.creds / "foreign", "tab-0001", cert, key)

    def _expired(self) -> Credential:
        key = pki.new_key()
        cert = pki.issue(identity.tablet_ca(self.files), key.public_key(), "tab-old", pki.CLIENT, 30,
                         unit=self.edge_id, now=pki.utcnow() - dt.timedelta(days=40))
        return _save(self.creds / "expired", "tab-old", cert, key)

    # the broker -----------------------------------------------------------------------------
    @property
    def broker_files(self) -> broker.BrokerFiles:
        return broker.BrokerFiles(self.config.broker_dir)

    @property
    def relay_password(self) -> str:
        return self.config.relay_secret_path.read_text().strip()

    @property
    def mqtt_port(self) -> int:
        return self.config.tablets.mqtt_port

    @property
    def relay_port(self) -> int:
        return self.config.broker.port

    def start_broker(self) -> broker.ChildBroker:
        broker.write_files(self.broker_files, self.config.broker, tablets=broker.tablet_listener(self.config),
                           devices=tablets.active_devices())
        self.child = broker.ChildBroker(self.broker_files, "127.0.0.1", self.relay_port).start()
        broker.wait_for_port("127.0.0.1", self.mqtt_port)
        return self.child

    def revoke(self, device: str) -> None:
        """What `throughgate edge tablets revoke` does, in process."""
        tablets.revoke(device, self.files, self.config.tablets.crl_days)
        outcome = broker.cut_off(self.config, device)
        assert outcome.endswith("its connection was closed"), outcome

    def stop(self) -> None:
        if self.child:
            self.child.stop()
        store.db.close()


class Relay:
    """The relay's side: its own user on the loopback listener, reading every up topic."""

    def __init__(self, kit: EdgeKit, persistent: bool = False):
        self.got: list[tuple[str, bytes]] = []
        self.ready = threading.Event()
        self.client = session.persistent_client(kit.config.broker.username, kit.relay_password, inflight_cap=10)
        self.client.on_connect = lambda c, *a: c.subscribe(topics.UP_FILTER, qos=1)
        self.client.on_subscribe = lambda c, u, mid, codes, p: codes[0].is_failure or self.ready.set()
        self.client.on_message = lambda c, u, m: self.got.append((m.topic, m.payload))
        if persistent:
            session.connect_async(self.client, "127.0.0.1", kit.relay_port, receive_maximum=10)
        else:
            self.client.connect("127.0.0.1", kit.relay_port, clean_start=True)
        self.client.loop_start()
        assert self.ready.wait(10), "the relay could not subscribe"

    def send_down(self, device: str, text: str) -> None:
        self.client.publish(topics.down(device), text, qos=1).wait_for_publish(10)

    def texts(self) -> list[tuple[str, str]]:
        """What it got, as (topic, text)."""
        return [(topic, payload.decode()) for topic, payload in self.got]

    def leave(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def wait_for_true(predicate, timeout: float = 10.0) -> bool:
    """Poll `predicate` until it holds or `timeout` passes; its last answer (the tests assert it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()
