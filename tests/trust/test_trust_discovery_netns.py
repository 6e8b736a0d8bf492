"""Zeroconf discovery on a real (virtual) LAN: the tablet finds its edge and refuses look-alikes.

Three network namespaces made for this run (names carry a random tag, deleted afterwards), joined
by a bridge in the tablet's namespace:

    edge  10.77.0.1   edge.host.discovery.Advertiser + a TLS listener with the edge's server certificate
    fake  10.77.0.3   look-alikes (python-zeroconf as an attacker would use it, skipping probing):
                      - "edge-1" itself: answers for the edge's own instance name, TXT copied
                      - "edge-1-copy": TXT copied, its own CA and a certificate for the same name
                      - "edge-1-other": edge=edge-1 but another CA pin
    tab   10.77.0.2   tablet.discovery.find_edge + tls_error for each candidate

Each side runs as `ip netns exec NS python <this file> ROLE ARGS`; zeroconf never runs on the
host's network. Needs root and iproute2.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IPS = {"edge": "10.77.0.1", "tab": "10.77.0.2", "fake": "10.77.0.3"}
MQTT, HTTPS, COPY_PORT, OTHER_PORT = 8883, 8443, 7883, 9883
BROWSE_S = 3.0


# the LAN ------------------------------------------------------------------------------------
def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True, timeout=10)


class Lan:
    def __init__(self):
        self.tag = uuid.uuid4().hex[:6]
        self.ns = {role: f"tg-{role}-{self.tag}" for role in IPS}
        self.procs: list[subprocess.Popen] = []

    def up(self) -> None:
        for ns in self.ns.values():
            ip("netns", "add", ns)
            ip("-n", ns, "link", "set", "lo", "up")
        tab = self.ns["tab"]
        ip("-n", tab, "link", "add", "br0", "type", "bridge")
        for role in ("edge", "fake"):  # interface names: at most 15 characters
            mine, theirs = f"tg{role[0]}0{self.tag}", f"tg{role[0]}1{self.tag}"
            ip("link", "add", mine, "netns", self.ns[role], "type", "veth", "peer", "name", theirs, "netns", tab)
            ip("-n", tab, "link", "set", theirs, "master", "br0", "up")
            self._address(role, mine)
        self._address("tab", "br0")

    def _address(self, role: str, device: str) -> None:
        ip("-n", self.ns[role], "addr", "add", f"{IPS[role]}/24", "dev", device)
        ip("-n", self.ns[role], "link", "set", device, "multicast", "on", "up")

    def spawn(self, role: str, *args: str) -> subprocess.Popen:
        """A long-running role in its namespace; returns once it printed READY."""
        proc = subprocess.Popen(self._argv(role, *args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=_env())
        self.procs.append(proc)
        line = proc.stdout.readline()
        if not line.startswith("READY"):
            proc.kill()
            raise AssertionError(f"{role} did not start: {line}{proc.stderr.read()}")
        return proc

    def run(self, role: str, *args: str, timeout: float = 60) -> str:
        done = subprocess.run(self._argv(role, *args), capture_output=True, text=True, timeout=timeout, env=_env())
        assert done.returncode == 0, done.stderr
        return done.stdout

    def _argv(self, role: str, *args: str) -> list[str]:
        return ["ip", "netns", "exec", self.ns[role], sys.executable, __file__, *args]

    def down(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()  # the roles say goodbye on SIGTERM
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        for ns in self.ns.values():
            pids = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True).stdout.split()
            for pid in pids:  # anything else still running inside our namespaces
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(pid), signal.SIGKILL)
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)  # takes its veths and bridge


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


# the scenario -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def heard(tmp_path_factory):
    """Run the whole scenario once; returns what the tablet heard and proved."""
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip("needs root and iproute2 to make network namespaces")
    from tests.unit_tablet.tabletkit import EdgeCa

    workdir = tmp_path_factory.mktemp("lan")
    real, lookalike, other = EdgeCa.make(), EdgeCa.make(), EdgeCa.make()
    real.enrol(workdir / "tablet", port=MQTT, address=IPS["edge"])
    txt = {"edge": real.edge, "name": real.name, "pin": real.pin}

    lan = Lan()
    try:
        try:
            lan.up()
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            pytest.skip(f"`ip netns` does not work here: {getattr(exc, 'stderr', exc)}")
        started = time.monotonic()
        lan.spawn("edge", "edge", json.dumps({
            "address": IPS["edge"], **txt, "files": real.write_server_files(workdir / "real")}))
        lan.spawn("fake", "fake", json.dumps({"address": IPS["fake"], "services": [
            {"instance": real.edge, "server": f"{real.edge}.local.", "port": MQTT, **txt,
             "files": lookalike.write_server_files(workdir / "lookalike")},
            {"instance": f"{real.edge}-copy", "server": f"{real.edge}-copy.local.", "port": COPY_PORT, **txt,
             "files": lookalike.write_server_files(workdir / "lookalike")},
            {"instance": f"{real.edge}-other", "server": f"{real.edge}-other.local.", "port": OTHER_PORT, **txt,
             "pin": other.pin, "files": other.write_server_files(workdir / "other")},
        ]}))
        out = json.loads(lan.run("tab", "tablet", json.dumps({"folder": str(workdir / "tablet")})))
        out["seconds"] = time.monotonic() - started
        print(f"netns discovery scenario: {out['seconds']:.1f} s after the LAN was up")
        return out
    finally:
        lan.down()


def test_the_tablet_finds_the_real_edge_and_proves_it_with_tls(heard):
    assert {"address": IPS["edge"], "port": MQTT, "name": "edge-1.throughgate.internal", "https_port": HTTPS,
            "error": None} in heard["candidates"]


def test_look_alikes_copying_the_txt_are_candidates_but_fail_tls(heard):
    fakes = [c for c in heard["candidates"] if c["address"] == IPS["fake"]]

    assert sorted(c["port"] for c in fakes) == [COPY_PORT, MQTT]
    assert all("not from the pinned tablet CA" in c["error"] for c in fakes)


def test_a_look_alike_answering_for_the_edges_name_cannot_hide_it(heard):
    merged = heard["instances"]["edge-1._throughgate._tcp.local."]

    assert merged["addresses"] == {"edge-1.local.": [IPS["edge"], IPS["fake"]]}
    assert [c["error"] for c in heard["candidates"] if c["address"] == IPS["edge"]] == [None]


def test_an_advertiser_with_another_ca_pin_is_filtered_out(heard):
    assert "edge-1-other._throughgate._tcp.local." in heard["instances"]  # it was heard...
    assert OTHER_PORT not in [c["port"] for c in heard["candidates"]]  # ...and dropped


def test_only_the_real_edge_is_proven(heard):
    assert [(c["address"], c["port"]) for c in heard["candidates"] if c["error"] is None] == [(IPS["edge"], MQTT)]


# the roles, run inside the namespaces ------------------------------------------------------------
def _until_terminated(cleanup) -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print("READY", flush=True)
    try:
        stop.wait()
    finally:
        cleanup()


def _listen(address: str, port: int, files: dict):
    from provisioning.https import server_context
    from tests.unit_tablet.tabletkit import TlsListener

    return TlsListener(server_context(files["cert"], files["key"], files["ca"]), address, port).start()


def role_edge(spec: dict) -> None:
    from edge.host.discovery import Advertiser

    listener = _listen(spec["address"], MQTT, spec["files"])
    advertiser = Advertiser(spec["edge"], spec["name"], spec["pin"], MQTT, HTTPS, [spec["address"]]).start()

    def cleanup():
        advertiser.stop()
        listener.stop()

    _until_terminated(cleanup)


def role_fake(spec: dict) -> None:
    """Look-alikes as an attacker would run them: cooperating_responders skips probing, so one can
    answer for a name another responder already holds."""
    import socket

    from zeroconf import IPVersion, ServiceInfo, Zeroconf

    from edge.host.discovery import SERVICE_TYPE, txt_properties

    zeroconf = Zeroconf(interfaces=[spec["address"]], ip_version=IPVersion.V4Only)
    listeners, infos = [], []
    for service in spec["services"]:
        listeners.append(_listen(spec["address"], service["port"], service["files"]))
        info = ServiceInfo(SERVICE_TYPE, f"{service['instance']}.{SERVICE_TYPE}",
                           addresses=[socket.inet_aton(spec["address"])], port=service["port"],
                           properties=txt_properties(service["edge"], service["pin"], HTTPS, service["name"]),
                           server=service["server"])
        zeroconf.register_service(info, cooperating_responders=True)
        infos.append(info)

    def cleanup():
        for info in infos:
            zeroconf.unregister_service(info)
        zeroconf.close()
        for listener in listeners:
            listener.stop()

    _until_terminated(cleanup)


def role_tablet(spec: dict) -> None:
    """find_edge as a tablet calls it; beside it, an unfiltered browse shows what was on the air."""
    from concurrent.futures import ThreadPoolExecutor
    from dataclasses import asdict

    from tablet import discovery
    from tablet.identity import TabletIdentity

    identity = TabletIdentity(spec["folder"])
    with ThreadPoolExecutor(1) as pool:
        everything = pool.submit(discovery.browse, BROWSE_S)
        candidates = discovery.find_edge(identity, BROWSE_S)
        heard = everything.result()
    print(json.dumps({
        "instances": {a.instance: asdict(a) for a in heard},
        "candidates": [{"address": c.address, "port": c.port, "name": c.name, "https_port": c.https_port,
                        "error": discovery.tls_error(c, identity)} for c in candidates],
    }))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    {"edge": role_edge, "fake": role_fake, "tablet": role_tablet}[sys.argv[1]](json.loads(sys.argv[2]))
