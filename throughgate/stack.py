"""A whole Throughgate on one machine: hub, edge and the edge's Mosquitto as real processes on
free loopback ports. The demo, the fault tests and the benchmark all run on it.
"""

from __future__ import annotations

import json
import os
import random
import shlex
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from edge import config as edge_config
from edge import identity, store
from edge.host import broker, broker_control
from edge.tablets import registry as tablets
from provisioning import pki
from tablet.identity import Enrolment, TabletIdentity
from wire.records import timestamp

CLI = [sys.executable, "-m", "throughgate"]


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def free_port() -> int:
    """A free loopback port below the kernel's ephemeral range: between our choosing it and a server
    binding it, no outgoing connection can be handed the same port (under load, one was)."""
    low, _ = _ephemeral_range()
    rng = random.SystemRandom()
    for _ in range(200):
        port = rng.randrange(10_000, low)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free loopback port found below the ephemeral range")


def _cli(*args: str, cwd: Path | None = None, env: dict | None = None) -> str:
    done = subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=cwd, timeout=60,
                          env={**os.environ, **(env or {})})
    if done.returncode != 0:
        raise RuntimeError(f"throughgate {' '.join(args)} failed ({done.returncode}):\n{done.stderr}{done.stdout}")
    return done.stdout


class Proc:
    """A child process with its output in a log file; stopped politely or killed."""

    def __init__(self, name: str, argv: list[str], log_path: Path, env: dict | None = None):
        self.name, self.argv, self.log_path, self.env = name, argv, log_path, env
        self.popen: subprocess.Popen | None = None

    def start(self) -> Proc:
        with open(self.log_path, "ab") as log:
            self.popen = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT,
                                          env={**os.environ, **(self.env or {})}, start_new_session=True)
        return self

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill9(self) -> None:
        if self.running:
            os.kill(self.popen.pid, signal.SIGKILL)
            self.popen.wait()

    def stop(self, timeout: float = 15) -> None:
        if self.running:
            self.popen.terminate()
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill9()


class Stack:
    """hub + edge + Mosquitto in `root`. Call build() once, then start the parts."""

    def __init__(self, root: Path, edge_id: str = "edge-1", env: dict | None = None, **edge_settings):
        self.root = Path(root)
        self.edge_id = edge_id
        self.env = env or {}
        self.hub_dir, self.edge_dir = self.root / "hub", self.root / "edge"
        self.hub_port, self.broker_port = free_port(), free_port()
        self.mqtt_port, self.api_port = free_port(), free_port()
        self.content_port = free_port()  # the edge's content origin (courses.content_port), for the SCORM player
        self.edge_settings = edge_settings
        self.hub: Proc | None = None
        self.edge: Proc | None = None
        self.broker: broker.ChildBroker | None = None
        self.token = ""

    @property
    def hub_url(self) -> str:
        return f"https://127.0.0.1:{self.hub_port}"

    @property
    def hub_root(self) -> Path:
        """The hub's root certificate: what anyone talking to this hub checks it against."""
        return self.hub_dir / "ca" / "root.pem"

    def edge_tls(self) -> dict:
        """What the edge's HubClient is given: the pinned hub root and the edge's own certificate."""
        files = identity.EdgeFiles(self.edge_dir)
        return {"ca_file": files.hub_root, "cert_file": files.edge_cert, "key_file": files.edge_key}

    def build(self) -> Stack:
        """hub init, edge init, and the edge enrolled with a one-time token (the hub runs meanwhile)."""
        self.root.mkdir(parents=True, exist_ok=True)
        out = _cli("hub", "init", "--instance", str(self.hub_dir), env=self.env)
        lines = out.splitlines()
        self.token = next(lines[i + 1].strip() for i, line in enumerate(lines) if "somewhere safe" in line)
        _cli("edge", "init", "--instance", str(self.edge_dir), "--edge-id", self.edge_id, "--hub-url", self.hub_url,
             "--broker-port", str(self.broker_port), "--mqtt-port", str(self.mqtt_port),
             "--api-port", str(self.api_port), "--system-broker")
        cfg = edge_config.load(self.edge_dir)
        cfg.courses.content_port = self.content_port
        for dotted, value in self.edge_settings.items():
            section, _, key = dotted.rpartition("__")
            setattr(getattr(cfg, section) if section else cfg, key, value)
        (self.edge_dir / edge_config.CONFIG_NAME).write_text(edge_config.dump(cfg))
        self.enrol_edge()
        return self

    def enrol_edge(self) -> None:
        """What prison IT does once: a token from the hub's admin, redeemed by `edge enrol`."""
        printed = _cli("hub", "tokens", "create", self.edge_id, "--instance", str(self.hub_dir),
                       "--edge-instance", str(self.edge_dir), env=self.env)
        command = shlex.split(next(line for line in printed.splitlines() if "edge enrol" in line))
        options = dict(zip(command[3::2], command[4::2], strict=False))
        was_running = self.hub is not None and self.hub.running
        if not was_running:
            self.start_hub()
        try:
            _cli("edge", "enrol", "--instance", str(self.edge_dir), "--hub-url", self.hub_url,
                 "--hub-ca-sha256", options["--hub-ca-sha256"], "--token", options["--token"])
        finally:
            if not was_running:
                self.hub.stop()

    # parts --------------------------------------------------------------------------
    def start_broker(self) -> None:
        """The edge's Mosquitto from its generated config: the relay's loopback listener and the
        tablets' TLS listener (its server certificate and CRL are made here if the edge has not run yet)."""
        cfg = edge_config.load(self.edge_dir)
        files = identity.EdgeFiles(self.edge_dir)
        identity.ensure_server_cert(files, cfg.edge_id, cfg.server_name)
        store.open_store(str(cfg.db_path), migrate=False)  # (an old store is for `edge run` to migrate)
        if not files.crl.exists():
            tablets.write_crl(files, cfg.tablets.crl_days)
        devices = tablets.active_devices()
        store.db.close()
        bfiles = broker.BrokerFiles(cfg.broker_dir)
        broker.write_files(bfiles, cfg.broker, tablets=broker.tablet_listener(cfg), devices=devices)
        self.broker = broker.ChildBroker(bfiles, "127.0.0.1", self.broker_port).start()
        broker.wait_for_port("127.0.0.1", self.mqtt_port)

    def start_hub(self) -> None:
        self.hub = Proc("hub", [*CLI, "hub", "run", "--instance", str(self.hub_dir), "--port", str(self.hub_port)],
                        self.root / "hub.log", self.env).start()
        broker.wait_for_port("127.0.0.1", self.hub_port, 20)

    def start_edge(self, wait: bool = True) -> None:
        """Start the edge; with wait, return once its relay is subscribed (it writes edge.ready)."""
        ready = self.edge_dir / "edge.ready"
        ready.unlink(missing_ok=True)
        self.edge = Proc("edge", [*CLI, "edge", "run", "--instance", str(self.edge_dir)],
                         self.root / "edge.log", self.env).start()
        deadline = time.monotonic() + 20
        while wait and not (ready.exists() and ready.read_text().strip() == str(self.edge.popen.pid)):
            if not self.edge.running or time.monotonic() > deadline:
                if self.edge.running:  # say where it is stuck: the edge prints its threads' stacks
                    os.kill(self.edge.popen.pid, signal.SIGUSR1)
                    time.sleep(0.5)
                raise RuntimeError(f"the edge did not become ready; see {self.root / 'edge.log'}")
            time.sleep(0.05)

    def start(self) -> Stack:
        self.start_broker()
        self.start_hub()
        self.start_edge()
        return self

    def stop(self) -> None:
        for part in (self.edge, self.hub):
            if part:
                part.stop()
        if self.broker:
            self.broker.stop()

    # devices --------------------------------------------------------------------------
    def add_devices(self, count: int, prefix: str = "tab") -> dict[str, TabletIdentity]:
        """Enrol `count` tablets the way staff and tablets do (a one-time code each, the tablet's own key
        and CSR), done in this process for speed; the HTTPS path is tested on its own."""
        cfg = edge_config.load(self.edge_dir)
        files = identity.EdgeFiles(self.edge_dir)
        store.open_store(str(cfg.db_path))
        ca, pin = files.ca_cert.read_text(), identity.ca_pin(files)
        found = {}
        for i in range(count):
            device = f"{prefix}-{i:04d}"
            tablet = TabletIdentity(self.root / "tablets" / device)
            code, _ = tablets.create_code(device, 60)
            issued = tablets.redeem(code, device, tablet.csr_pem(device), files, cfg.tablets.cert_days)
            cert = issued.certificate
            tablet.save(Enrolment(cfg.edge_id, device, cfg.server_name, cfg.tablets.mqtt_port,
                                  f"https://127.0.0.1:{cfg.tablets.api_port}", pin,
                                  timestamp(pki.renew_after(cert)), "127.0.0.1"),
                        pki.cert_to_pem(cert).decode(), ca)
            found[device] = tablet
        store.db.close()
        if self.broker is not None and self.broker.proc.poll() is None:  # as the edge's tablet API does
            for device in found:
                broker_control.grant(cfg, device)
        return found

    # what arrived -------------------------------------------------------------------------
    def hub_records(self, **filters) -> list[dict]:
        """Every record at the hub, in arrival order, through the read API."""
        found, after = [], 0
        while True:
            query = "&".join([f"limit=1000&after={after}"] + [f"{k}={v}" for k, v in filters.items()])
            request = urllib.request.Request(f"{self.hub_url}/v1/records?{query}",  # noqa: S310 (our own http URL)
                                             headers={"Authorization": f"Bearer {self.token}"})
            context = ssl.create_default_context(cafile=str(self.hub_root))
            with urllib.request.urlopen(request, timeout=30, context=context) as response:  # noqa: S310
                page = json.loads(response.read())
            if not page:
                return found
            found += page
            after = page[-1]["cursor"]

    def edge_status(self) -> dict:
        return json.loads(_cli("edge", "status", "--instance", str(self.edge_dir), "--json"))
