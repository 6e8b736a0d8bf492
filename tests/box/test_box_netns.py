"""The rendered box, behaving on a real network (issue 4): four network namespaces made for the test
(tablet, edge, management, wan), joined by veth pairs to the edge, with the RENDERED nftables.conf
loaded and the RENDERED dnsmasq.conf running in the edge namespace.

    tablet  eth0 ----- tg-tablet  edge  tg-uplink ----- eth0  wan (the hub, 203.0.113.10)
    10.8.0.x (DHCP)    10.8.0.1         203.0.113.1
                                  tg-mgmt 192.168.50.1 ----- eth0  management (192.168.50.20)

The edge forwards (ip_forward=1) and the tablet is given a default route via the edge, so what blocks the wan is
the ruleset alone: the fixture shows the same connections succeed before the ruleset is loaded.
Needs root, iproute2, nftables, dnsmasq-base and isc-dhcp-client (dhclient).
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import select
import signal
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from edge.box import check, render, site
from edge.box.check import Namespace, tool

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "firmware-config" / "examples" / "site.toml"

TOOLS = {"ip": "iproute2", "ss": "iproute2", "nft": "nftables", "dnsmasq": "dnsmasq-base",
         "dhclient": "isc-dhcp-client"}
MISSING = [f"{name} ({package})" for name, package in TOOLS.items() if tool(name) is None]
pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or bool(MISSING),
    reason="the box's behaviour is tested in network namespaces: "
           + ("not found: " + ", ".join(MISSING) + " (apt-get install them, or make)" if MISSING
              else "run as root (the test makes network namespaces and loads nftables in them)"))

EDGE_TABLET, EDGE_MGMT, EDGE_UPLINK = "10.8.0.1", "192.168.50.1", "203.0.113.1"
MGMT, HUB, HUB_PORT, OTHER_HUB_PORT = "192.168.50.20", "203.0.113.10", 443, 8080
WAIT_S = 5.0      # any start or lease
REFUSED_S = 1.0   # a connection that should not get through: dropped means no answer at all


def netns_site() -> site.Site:
    """The example site file with the namespaces' interface names and addresses."""
    data = tomllib.loads(EXAMPLE.read_text())
    data["tablet"]["interface"] = "tg-tablet"
    data["management"]["interface"] = "tg-mgmt"
    data["uplink"] = {"interface": "tg-uplink", "hub_addresses": [HUB], "hub_port": HUB_PORT}
    data["console"] = {"address": EDGE_MGMT, "port": 8444}
    return site.parse(data, "netns-test.toml")


# processes in a namespace ----------------------------------------------------------------------
LISTEN = """\
import select, socket, sys
socks = []
for port in sys.argv[1:]:
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", int(port))); s.listen(16); socks.append(s)
print("ready", flush=True)
while True:
    for s in select.select(socks, [], [])[0]:
        s.accept()[0].close()
"""

CONNECT = """\
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=float(sys.argv[3])).close()
    print("open")
except ConnectionRefusedError:
    print("refused")
except OSError as e:
    print("timeout" if isinstance(e, socket.timeout) else f"error {e}")
"""


def connect(ns: Namespace, host: str, port: int, timeout: float = REFUSED_S) -> str:
    """'open', 'refused', 'timeout' (dropped) or 'error ...' (e.g. no route)."""
    done = subprocess.run(ns.argv(sys.executable, "-c", CONNECT, host, str(port), str(timeout)),
                          capture_output=True, text=True, timeout=timeout + 5)
    return done.stdout.strip() or done.stderr.strip()


def run(ns: Namespace, *argv: str) -> str:
    return subprocess.run(ns.argv(*argv), check=True, capture_output=True, text=True, timeout=10).stdout


def listen(stack: contextlib.ExitStack, ns: Namespace, *ports: int) -> None:
    proc = subprocess.Popen(ns.argv(sys.executable, "-c", LISTEN, *map(str, ports)), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    stack.callback(check.stop, proc)
    ready, _, _ = select.select([proc.stdout], [], [], WAIT_S)
    line = proc.stdout.readline() if ready else ""
    assert line.strip() == "ready", f"listener on {ports} in {ns.name} did not start: {line!r}"


def wait_for(what: str, ready, proc: subprocess.Popen | None = None, log: Path | None = None) -> None:
    deadline = time.monotonic() + WAIT_S
    while not ready():
        if proc is not None and proc.poll() is not None or time.monotonic() > deadline:
            detail = log.read_text() if log and log.exists() else ""
            raise AssertionError(f"{what} not ready within {WAIT_S:.0f}s\n{detail}")
        time.sleep(0.05)


# the network -----------------------------------------------------------------------------------
@dataclass
class Box:
    edge: Namespace
    tablet: Namespace
    mgmt: Namespace
    wan: Namespace
    site: site.Site
    lease: dict[str, str]
    before_ruleset: dict[str, str]
    timings: dict[str, float]

    def counters(self) -> dict[str, int]:
        listed = json.loads(run(self.edge, tool("nft"), "-j", "list", "counters"))["nftables"]
        return {c["counter"]["name"]: c["counter"]["packets"] for c in listed if "counter" in c}


def veth(edge: Namespace, name: str, address: str, other: Namespace, other_address: str) -> None:
    """A veth pair: `name` in the edge namespace, `eth0` in the other, both up and addressed (/24)."""
    check._ip("-n", edge.name, "link", "add", name, "type", "veth", "peer", "name", "eth0", "netns", other.name)
    check._ip("-n", edge.name, "addr", "add", f"{address}/24", "dev", name)
    check._ip("-n", edge.name, "link", "set", name, "up")
    if other_address:
        check._ip("-n", other.name, "addr", "add", f"{other_address}/24", "dev", "eth0")
    check._ip("-n", other.name, "link", "set", "eth0", "up")


DHCLIENT_SCRIPT = """\
#!/bin/sh
# The test's dhclient-script: record what was offered, configure nothing (not the host's resolv.conf).
case "$reason" in BOUND|RENEW|REBIND|REBOOT) env | grep -E '^(new_|interface=|reason=)' > "$0.lease" ;; esac
exit 0
"""


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("netns")
    the_site = netns_site()
    files = render.render(the_site, "netns-test.toml")
    timings: dict[str, float] = {}
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        edge, tablet, mgmt, wan = (stack.enter_context(Namespace([])) for _ in range(4))
        veth(edge, the_site.tablet.interface, EDGE_TABLET, tablet, "")
        veth(edge, the_site.management.interface, EDGE_MGMT, mgmt, MGMT)
        veth(edge, the_site.uplink.interface, EDGE_UPLINK, wan, HUB)
        # Routes that would carry the traffic if the edge let it through.
        check._ip("-n", wan.name, "route", "add", the_site.tablet.cidr, "via", EDGE_UPLINK)
        run(edge, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward")
        listen(stack, edge, 22, the_site.enrolment.mqtt_port, the_site.enrolment.api_port, the_site.console.port,
               the_site.console.metrics_port)
        listen(stack, wan, 22, HUB_PORT, OTHER_HUB_PORT)
        timings["namespaces"] = time.monotonic() - started

        # Without the ruleset everything gets through (a static address for the control only).
        check._ip("-n", tablet.name, "addr", "add", "10.8.0.5/24", "dev", "eth0")
        check._ip("-n", tablet.name, "route", "add", "default", "via", EDGE_TABLET)
        before = {"tablet->edge:22": connect(tablet, EDGE_TABLET, 22),
                  "tablet->wan": connect(tablet, HUB, HUB_PORT),
                  "edge->hub:other": connect(edge, HUB, OTHER_HUB_PORT)}
        check._ip("-n", tablet.name, "addr", "flush", "dev", "eth0")
        check._ip("-n", tablet.name, "route", "replace", "default", "via", EDGE_TABLET, "dev", "eth0",
                  "onlink")

        (tmp / "nftables.conf").write_text(files["nftables.conf"])
        run(edge, tool("nft"), "-f", str(tmp / "nftables.conf"))
        (tmp / "dnsmasq.conf").write_text(files["dnsmasq.conf"].replace(
            "/var/lib/throughgate-dnsmasq/dnsmasq.leases", str(tmp / "dnsmasq.leases")))
        log = tmp / "dnsmasq.log"
        dnsmasq = subprocess.Popen(edge.argv(tool("dnsmasq"), "--keep-in-foreground", "--pid-file=", "--user=root",
                                             f"--conf-file={tmp / 'dnsmasq.conf'}", f"--log-facility={log}",
                                             "--log-dhcp", "--log-queries"),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        stack.callback(check.stop, dnsmasq)
        wait_for("dnsmasq", lambda: (EDGE_TABLET, 53) in edge.listening(), dnsmasq, log)
        timings["ruleset and dnsmasq"] = time.monotonic() - started - timings["namespaces"]

        script = tmp / "dhclient-script"
        script.write_text(DHCLIENT_SCRIPT)
        script.chmod(0o755)
        (tmp / "dhclient.conf").write_text(f"timeout {int(WAIT_S)};\nretry 1;\n")
        pidfile = tmp / "dhclient.pid"
        lease_started = time.monotonic()
        dhclient = subprocess.run(
            tablet.argv(tool("dhclient"), "-1", "-v", "-cf", str(tmp / "dhclient.conf"), "-sf", str(script),
                        "-lf", str(tmp / "dhclient.leases"), "-pf", str(pidfile), "eth0"),
            capture_output=True, text=True, timeout=WAIT_S + 5)

        def stop_dhclient() -> None:
            with contextlib.suppress(ValueError, OSError):
                os.kill(int(pidfile.read_text().strip()), signal.SIGTERM)
        stack.callback(stop_dhclient)
        timings["lease"] = time.monotonic() - lease_started
        lease_file = Path(f"{script}.lease")
        assert dhclient.returncode == 0 and lease_file.exists(), \
            f"no lease: {dhclient.stdout}{dhclient.stderr}\n{log.read_text() if log.exists() else ''}"
        lease = dict(line.split("=", 1) for line in lease_file.read_text().splitlines() if "=" in line)
        prefix = ipaddress.IPv4Network(f"0.0.0.0/{lease['new_subnet_mask']}").prefixlen
        check._ip("-n", tablet.name, "addr", "add", f"{lease['new_ip_address']}/{prefix}", "dev", "eth0")
        yield Box(edge, tablet, mgmt, wan, the_site, lease, before, timings)


# the tablet ------------------------------------------------------------------------------------
def test_the_tablet_gets_a_lease_in_the_tablet_range_and_no_route(box):
    first, last = (ipaddress.IPv4Address(a) for a in box.site.tablet.dhcp_range)
    assert first <= ipaddress.IPv4Address(box.lease["new_ip_address"]) <= last
    assert ipaddress.IPv4Address(box.lease["new_ip_address"]) in ipaddress.IPv4Network(box.site.tablet.cidr)
    assert box.lease["new_domain_name_servers"] == EDGE_TABLET
    assert not box.lease.get("new_routers"), "the lease must not give the tablets a default route"


def test_the_tablet_reaches_the_edge_mqtt_tls_and_https(box):
    assert connect(box.tablet, EDGE_TABLET, box.site.enrolment.mqtt_port, WAIT_S) == "open"
    assert connect(box.tablet, EDGE_TABLET, box.site.enrolment.api_port, WAIT_S) == "open"


def test_without_the_ruleset_the_same_connections_get_through(box):
    assert box.before_ruleset == {"tablet->edge:22": "open", "tablet->wan": "open", "edge->hub:other": "open"}


def test_the_tablet_cannot_reach_the_edge_ssh_and_the_drop_counter_moves(box):
    before = box.counters()
    assert connect(box.tablet, EDGE_TABLET, 22) == "timeout"
    assert connect(box.tablet, EDGE_MGMT, 22) == "timeout"
    assert box.counters()["tablet_dropped"] >= before["tablet_dropped"] + 2


def test_nothing_is_forwarded_from_the_tablet_to_the_wan(box):
    assert run(box.edge, "cat", "/proc/sys/net/ipv4/ip_forward").strip() == "1"
    before = box.counters()
    assert connect(box.tablet, HUB, HUB_PORT) == "timeout"
    assert box.counters()["forward_dropped"] > before["forward_dropped"]


# DNS -------------------------------------------------------------------------------------------
DNS_QUERY = """\
import random, socket, struct, sys
name, server = sys.argv[1], sys.argv[2]
qid = random.randrange(65536)
question = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\\0" + struct.pack("!HH", 1, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(float(sys.argv[3]))
s.sendto(struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + question, (server, 53))
try:
    data = s.recv(4096)
except socket.timeout:
    print("timeout"); sys.exit()
rid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", data[:12])
at, answers = 12 + len(question), []
for _ in range(an):
    while data[at] and data[at] < 0xC0:
        at += data[at] + 1
    at += 2 if data[at] >= 0xC0 else 1
    rtype, rclass, ttl, length = struct.unpack("!HHIH", data[at:at + 10]); at += 10
    if rtype == 1:
        answers.append(socket.inet_ntoa(data[at:at + 4]))
    at += length
print(f"rcode={flags & 15} " + ",".join(answers))
"""


def query(ns: Namespace, name: str, server: str = EDGE_TABLET) -> tuple[int, list[str]] | str:
    """(rcode, the A records) or what went wrong."""
    done = subprocess.run(ns.argv(sys.executable, "-c", DNS_QUERY, name, server, str(REFUSED_S * 2)),
                          capture_output=True, text=True, timeout=10)
    out = done.stdout.strip()
    if not out.startswith("rcode="):
        return out or done.stderr.strip()
    rcode, _, answers = out.removeprefix("rcode=").partition(" ")
    return int(rcode), [a for a in answers.split(",") if a]


def test_dns_answers_the_edge_name_with_the_edge_address(box):
    assert query(box.tablet, box.site.edge_name) == (0, [EDGE_TABLET])


def test_dns_gives_no_upstream_answer_for_an_outside_name(box):
    answer = query(box.tablet, "hub.example.org")
    assert isinstance(answer, tuple), answer
    rcode, answers = answer
    assert answers == [] and rcode != 0, answer  # REFUSED: dnsmasq has no upstream to ask


# SSH -------------------------------------------------------------------------------------------
def test_ssh_is_accepted_from_the_management_network_only(box):
    assert connect(box.mgmt, EDGE_MGMT, 22, WAIT_S) == "open"
    before = box.counters()
    assert connect(box.wan, EDGE_UPLINK, 22) == "timeout"
    assert box.counters()["input_dropped"] > before["input_dropped"]


@pytest.mark.parametrize("which", ["port", "metrics_port"])
def test_the_staff_console_and_the_edge_metrics_are_reached_from_the_management_network_only(box, which):
    port = getattr(box.site.console, which)
    assert connect(box.mgmt, EDGE_MGMT, port, WAIT_S) == "open"
    assert connect(box.tablet, EDGE_MGMT, port) == "timeout"
    assert connect(box.tablet, EDGE_TABLET, port) == "timeout"
    assert connect(box.wan, EDGE_UPLINK, port) == "timeout"


# the uplink ------------------------------------------------------------------------------------
def test_the_edge_reaches_the_hub_port_and_nothing_else(box):
    assert connect(box.edge, HUB, HUB_PORT, WAIT_S) == "open"
    before = box.counters()
    assert connect(box.edge, HUB, OTHER_HUB_PORT) in ("timeout", "error [Errno 1] Operation not permitted")
    assert connect(box.edge, MGMT, 22) in ("timeout", "error [Errno 1] Operation not permitted")
    assert box.counters()["output_dropped"] >= before["output_dropped"] + 2
