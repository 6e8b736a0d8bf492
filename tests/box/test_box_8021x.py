"""802.1X end to end with the real tools, as the box runs it in "ap" mode, over a veth pair:

    tablet namespace                      edge namespace
    wpa_supplicant -Dwired ──veth──▶ hostapd driver=wired ──RADIUS──▶ python -m edge.wifi.radius_proxy
    (EAP-TLS, identity =             (eap.render_access_point,        127.0.0.1:1812
     the device id)                   the authenticator lines of            │ RADIUS
                                      the box's radio)                      ▼
                                                                 hostapd driver=none (eap.render_radius_server)
                                                                 127.0.0.1:18120, the edge's CA, CRL, eap_user

The edge is real (trustkit.EdgeKit: `edge init`, tablets enrolled with one-time codes, revoked by
the edge's own path). Each attempt uses a fresh MAC address on the tablet's side, so hostapd
sees a new station (after an EAP-Failure it would ignore the old one for its quiet period).
Needs root, iproute2, hostapd and wpasupplicant; the namespaces (edge.box.check.Namespace:
unique names) are always deleted.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from edge.box import check
from edge.wifi import eap
from tests.trust.trustkit import EdgeKit

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ("ip", "hostapd", "wpa_supplicant", "wpa_cli")
PROXY_PORT, HOSTAPD_PORT = 1812, 18120  # the box's ports: the edge namespace is new, so they are free
WAIT_S = 8.0  # any one wait: a start, or one EAP-TLS exchange
SUCCESS = "CTRL-EVENT-EAP-SUCCESS "  # wpa_supplicant's; hostapd's is CTRL-EVENT-EAP-SUCCESS2

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or any(check.tool(name) is None for name in TOOLS),
    reason="needs root (network namespaces) and hostapd, wpa_supplicant, wpa_cli, ip: "
           "apt-get install hostapd wpasupplicant iproute2")


def wait_for(what: str, proc: subprocess.Popen, found, logs: tuple[Path, ...]) -> str:
    """found(text of `logs`) once it returns something, within WAIT_S; `proc` must keep running."""
    deadline = time.monotonic() + WAIT_S
    while True:
        text = "".join(log.read_text(errors="replace") for log in logs)
        result = found(text)
        if result:
            return result
        if proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"{what}: not done within {WAIT_S:.0f}s (exit {proc.poll()}):\n{text[-3000:]}")
        time.sleep(0.05)


def first(*needles: str):
    def found(text: str) -> str | None:
        there = [n for n in needles if n in text]
        return min(there, key=text.index) if there else None
    return found


class Chain:
    """The edge namespace's three processes and the tablet namespace, joined by a veth pair."""

    def __init__(self, kit: EdgeKit, stack: contextlib.ExitStack):
        self.kit, self.stack = kit, stack
        self.dir = kit.root / "8021x"
        self.dir.mkdir()
        self.edge = stack.enter_context(check.Namespace([]))
        self.tab = stack.enter_context(check.Namespace([]))
        tag = uuid.uuid4().hex[:6]
        self.edge_if, self.tab_if = f"tge{tag}", f"tgt{tag}"  # at most 15 characters
        check._ip("link", "add", self.edge_if, "netns", self.edge.name, "type", "veth",
                  "peer", "name", self.tab_if, "netns", self.tab.name)
        check._ip("-n", self.edge.name, "link", "set", self.edge_if, "up")
        self.attempts = 0

    def spawn(self, ns: check.Namespace, name: str, argv: list[str], ready: tuple[str, ...]) -> subprocess.Popen:
        log = self.dir / f"{name}.log"
        with open(log, "w") as out:
            proc = subprocess.Popen(ns.argv(*argv), stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
                                    env={**os.environ, "PYTHONPATH": str(ROOT)})
        self.stack.callback(check.stop, proc)
        wait_for(name, proc, first(*ready), (log,))
        return proc

    def start(self) -> Chain:
        self.wifi = eap.write_eap_files(self.kit.files, port=HOSTAPD_PORT)
        self.secret = eap.secret(self.wifi)
        server = self.spawn(self.edge, "hostapd-radius", [check.tool("hostapd"), str(self.wifi.conf)],
                            ("AP-ENABLED",))
        self.wifi.pid.write_text(f"{server.pid}\n")  # ip netns exec execs hostapd: the same pid
        self.stack.callback(self.wifi.pid.unlink, missing_ok=True)
        self.proxy_log = self.dir / "proxy.log"
        self.spawn(self.edge, "proxy", [sys.executable, "-m", "edge.wifi.radius_proxy",
                                        "--listen", f"127.0.0.1:{PROXY_PORT}",
                                        "--upstream", f"127.0.0.1:{HOSTAPD_PORT}",
                                        "--secret-file", str(self.wifi.secret)], ("RADIUS proxy on",))
        # The box's authenticator, as rendered for the radio, on the veth end instead.
        conf = eap.render_access_point(self.edge_if, "unused", "GB", 6, PROXY_PORT, self.secret, driver="wired")
        conf = conf.replace("ctrl_interface=/run/hostapd", f"ctrl_interface={self.dir / 'hostapd-ctrl'}")
        (self.dir / "hostapd-ap.conf").write_text(conf)
        self.spawn(self.edge, "hostapd-ap", [check.tool("hostapd"), str(self.dir / "hostapd-ap.conf")],
                   ("AP-ENABLED",))
        return self

    def authenticate(self, device: str, identity: str | None = None) -> str:
        """wpa_supplicant -Dwired as the tablet `device` (its certificate), claiming `identity`:
        "SUCCESS" (EAP state SUCCESS, port authorized) or "FAILURE" (refused, port unauthorized)."""
        self.attempts += 1
        n = self.attempts
        check._ip("-n", self.tab.name, "link", "set", self.tab_if, "down")
        mac = f"02:00:00:00:80:{n:02x}"
        check._ip("-n", self.tab.name, "link", "set", self.tab_if, "address", mac, "up")
        cred = self.kit.tablet(device)
        ctrl = self.dir / f"ctrl-{n}"
        conf = self.dir / f"peer-{n}.conf"
        conf.write_text(f'ctrl_interface={ctrl}\nap_scan=0\nnetwork={{\n key_mgmt=IEEE8021X\n eap=TLS\n'
                        f' eapol_flags=0\n identity="{identity or device}"\n ca_cert="{self.kit.files.ca_cert}"\n'
                        f' client_cert="{cred.cert}"\n private_key="{cred.key}"\n'
                        f' domain_match="{self.kit.config.server_name}"\n}}\n')
        log = self.dir / f"wpa-{n}.log"
        with open(log, "w") as out:
            proc = subprocess.Popen(self.tab.argv(check.tool("wpa_supplicant"), "-Dwired", "-i", self.tab_if,
                                                  "-c", str(conf)), stdout=out, stderr=subprocess.STDOUT)
        try:
            # EAP-TLS in wpa_supplicant ends its method with an unconditional success once the TLS
            # handshake is done, so it ignores the EAP-Failure of a refusal that comes after it
            # (the proxy's). The authenticator's own log says it refused this station.
            refused = f"CTRL-EVENT-EAP-FAILURE2 {mac}"
            event = wait_for(f"wpa_supplicant as {device} claiming {identity or device}", proc,
                             first(SUCCESS, "CTRL-EVENT-EAP-FAILURE ", refused),
                             (log, self.dir / "hostapd-ap.log"))
            status = self.status(ctrl, authorized=event == SUCCESS)
            said = f"{status}\nwpa_supplicant (exit {proc.poll()}):\n{log.read_text()[-2000:]}"
            if event == SUCCESS:
                assert "EAP state=SUCCESS" in status and "suppPortStatus=Authorized" in status, said
                return "SUCCESS"
            assert "suppPortStatus=Unauthorized" in status and "EAP state=SUCCESS" not in status, said
            return "FAILURE"
        finally:
            check.stop(proc)

    def status(self, ctrl: Path, authorized: bool) -> str:
        deadline = time.monotonic() + WAIT_S
        while True:  # the port is authorized just after the EAP-Success event
            done = subprocess.run(self.tab.argv(check.tool("wpa_cli"), "-p", str(ctrl), "-i", self.tab_if,
                                                "status"), capture_output=True, text=True, timeout=WAIT_S)
            out = done.stdout + done.stderr
            if not authorized or "suppPortStatus=Authorized" in out or time.monotonic() > deadline:
                return out
            time.sleep(0.05)

    def decisions(self) -> list[str]:
        return [line.split(" INFO ", 1)[1] for line in self.proxy_log.read_text().splitlines()
                if " INFO accept " in line or " INFO reject " in line]


@pytest.fixture
def chain(tmp_path):
    kit = EdgeKit(tmp_path).build(["tab-0001", "tab-0002", "tab-0003"])
    with contextlib.ExitStack() as stack:
        stack.callback(kit.stop)
        kit.start_broker()  # kit.revoke is the edge's own path: CRL, Mosquitto told, eap refreshed below
        yield Chain(kit, stack).start()


def test_8021x_through_the_proxy_accepts_enrolled_refuses_revoked_and_borrowed(chain):
    assert chain.authenticate("tab-0001") == "SUCCESS"
    assert chain.authenticate("tab-0003") == "SUCCESS"

    # tab-0001's valid certificate under tab-0002's name: hostapd accepts it, the proxy does not.
    assert chain.authenticate("tab-0001", identity="tab-0002") == "FAILURE"

    # Revoked while everything runs: the edge's revocation, then eap.refresh (eap_user + SIGHUP).
    chain.kit.revoke("tab-0003")
    # No wait needed: the SIGHUP is sent before the next request exists, and hostapd's event loop handles
    # a pending signal (re-reading eap_user) before it reads a socket.
    assert eap.refresh(chain.kit.files), "the RADIUS-server hostapd was not told"
    assert chain.authenticate("tab-0003") == "FAILURE"
    assert chain.authenticate("tab-0001") == "SUCCESS"  # the others are unaffected

    decided = chain.decisions()
    assert [d.split(" nas=")[0] for d in decided] == [
        "accept user=tab-0001", "accept user=tab-0003",
        "reject user=tab-0002 certificate-of=tab-0001", "reject user=tab-0003 certificate-of=None",
        "accept user=tab-0001"], decided
    assert all(d.split(" nas=")[1].startswith("127.0.0.1:") for d in decided), decided  # the box's own hostapd
