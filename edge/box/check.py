"""`throughgate box check DIR`: the rendered files, checked by the real tools. Every problem is
reported with its file (relative to DIR) and line.

    dnsmasq.conf     dnsmasq --test (re-run with each reported line set aside, to find them all)
    nftables.conf    nft -c -f (checked against the kernel, nothing loaded)
    mosquitto.conf   Mosquitto started, then stopped at once, in a network namespace made for the
                     check, with a dummy interface holding the addresses its listeners name
    hostapd-radius.conf  driver=none: started and stopped in such a namespace
    hostapd.conf     ("ap" mode: the radio's authenticator) started in a namespace without a
                     radio, where the nl80211 driver must fail, but parsing must not

The certificates and the edge-written files the configurations name do not exist yet: throwaway
ones are made (provisioning.pki) in a temporary instance, and the tools read copies whose paths
point there, line for line. DIR is never modified.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from edge.box.render import ETC, HOSTAPD_AP, HOSTAPD_RADIUS
from edge.box.site import INSTANCE
from edge.host import broker_acl, processes
from edge.identity import EdgeFiles
from edge.wifi import eap
from provisioning import pki

PACKAGES = {"dnsmasq": "dnsmasq-base", "nft": "nftables", "mosquitto": "mosquitto", "hostapd": "hostapd",
            "ip": "iproute2", "ss": "iproute2"}
START_TIMEOUT_S = 10.0
MAX_RERUNS = 30


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


def tool(name: str) -> str | None:
    return shutil.which(name) or next((p for p in (f"/usr/sbin/{name}", f"/sbin/{name}") if os.path.exists(p)), None)


def missing_tools() -> list[Problem]:
    return [Problem("(tools)", None, f"{name} not found: apt-get install {package}")
            for name, package in PACKAGES.items() if tool(name) is None]


def check(folder: str | Path) -> list[Problem]:
    """Every problem the tools find in a rendered DIR; [] when all pass."""
    folder = Path(folder)
    problems = missing_tools()
    if problems:
        return problems
    if os.geteuid() != 0:
        return [Problem("(check)", None, "run as root: the start tests use network namespaces")]
    for name in ("dnsmasq.conf", "nftables.conf", "mosquitto.conf", broker_acl.CONFIG_NAME):
        if not (folder / name).exists():
            problems.append(Problem(name, None, "missing: render the site first (throughgate box render)"))
    # Both modes have the RADIUS-server hostapd; "ap" adds the radio's (which asks it via the proxy).
    if not (folder / HOSTAPD_RADIUS).exists():
        problems.append(Problem(HOSTAPD_RADIUS, None, "missing: render the site first (throughgate box render)"))
    hostapd = [name for name in (HOSTAPD_RADIUS, HOSTAPD_AP) if (folder / name).exists()]
    if problems:
        return problems
    with tempfile.TemporaryDirectory(prefix="throughgate-box-check-") as tmp:
        sandbox = Sandbox(folder, Path(tmp))
        problems += check_dnsmasq(sandbox)
        problems += check_nftables(sandbox)
        with Namespace(listener_addresses((folder / "mosquitto.conf").read_text())) as ns:
            problems += check_mosquitto(sandbox, ns)
            for name in hostapd:
                problems += check_hostapd(sandbox, ns, name)
    return problems


# the copies and the throwaway instance -----------------------------------------------------------
class Sandbox:
    """Copies of DIR's files whose instance and /etc paths point into a temporary tree (same lines)."""

    def __init__(self, folder: Path, tmp: Path):
        self.folder, self.tmp = folder, tmp
        self.instance, self.etc = tmp / "instance", tmp / "etc"
        self.etc.mkdir()
        self._make_instance()

    def _make_instance(self) -> None:
        files = EdgeFiles(self.instance)
        files.make_dirs()
        ca = pki.make_root(pki.new_key(), "box-check tablet CA", 2)
        key = pki.new_key()
        cert = pki.issue(ca, key.public_key(), "box-check.throughgate.internal", pki.SERVER, 2,
                         dns_names=["box-check.throughgate.internal"])
        crl = pki.crl_to_pem(pki.make_crl(ca, [], 1, 1))
        files.ca_cert.write_bytes(pki.cert_to_pem(ca.cert))
        files.server_key.write_bytes(pki.key_to_pem(key))
        files.server_cert.write_bytes(pki.cert_to_pem(cert))
        files.crl.write_bytes(crl)
        wifi = eap.EapFiles.of(files)
        wifi.folder.mkdir()
        wifi.ca_bundle.write_bytes(pki.cert_to_pem(ca.cert) + crl)
        wifi.users.write_text(eap.render_eap_users([]))
        wifi.clients.write_text(eap.render_clients("box-check-secret"))
        broker = self.instance / "broker"
        (broker / "data").mkdir(parents=True)
        (broker / "passwd").touch()
        shutil.copy(self.folder / broker_acl.CONFIG_NAME, broker / broker_acl.CONFIG_NAME)

    def copy(self, name: str, edit=None) -> Path:
        text = (self.folder / name).read_text()
        text = text.replace(str(INSTANCE), str(self.instance)).replace(str(ETC), str(self.etc))
        if edit:
            text = edit(text)
        path = self.etc / name
        path.write_text(text)
        return path

    def name_of(self, path: str) -> str:
        """A path a tool printed, as the DIR file it stands for."""
        if path == str(self.instance / "broker" / broker_acl.CONFIG_NAME):
            return broker_acl.CONFIG_NAME
        return Path(path).name if path.startswith(str(self.etc)) else path


def _run(argv: list[str], timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout)


def _set_aside(path: Path, line: int) -> None:
    lines = path.read_text().splitlines(keepends=True)
    if 0 < line <= len(lines):
        lines[line - 1] = "#" + lines[line - 1]
        path.write_text("".join(lines))


def _every_error(path: Path, run, parse, name: str) -> list[Problem]:
    """Tools that stop at their first error: run again with each reported line set aside."""
    problems: list[Problem] = []
    for _ in range(MAX_RERUNS):
        done = run(path)
        if done.returncode == 0:
            return problems
        found = parse(done.stdout + done.stderr)
        fresh = [p for p in found if p not in problems]
        if not fresh:
            problems.append(Problem(name, None, (done.stdout + done.stderr).strip() or f"exit {done.returncode}"))
            return problems
        problems += fresh
        for problem in fresh:
            if problem.line is None:
                return problems
            _set_aside(path, problem.line)
    return problems


def _line(lines: list[str], number: int) -> str:
    return lines[number - 1].strip() if 0 < number <= len(lines) else "?"


# dnsmasq, nftables -----------------------------------------------------------------------------
DNSMASQ_ERROR = re.compile(r"dnsmasq: (.*?) at line (\d+) of (\S+)")


def check_dnsmasq(sandbox: Sandbox) -> list[Problem]:
    def parse(output: str) -> list[Problem]:
        return [Problem("dnsmasq.conf", int(m[2]), f"{m[1]}: {_line(lines, int(m[2]))}")
                for m in DNSMASQ_ERROR.finditer(output)]

    lines = (sandbox.folder / "dnsmasq.conf").read_text().splitlines()

    return _every_error(sandbox.copy("dnsmasq.conf"),
                        lambda p: _run([tool("dnsmasq"), "--test", f"--conf-file={p}"]), parse, "dnsmasq.conf")


NFT_ERROR = re.compile(r"^(\S+?):(\d+):[\d-]+: Error: (.*)$", re.M)


def check_nftables(sandbox: Sandbox) -> list[Problem]:
    def parse(output: str) -> list[Problem]:
        return [Problem(sandbox.name_of(m[1]), int(m[2]), m[3]) for m in NFT_ERROR.finditer(output)]

    return _every_error(sandbox.copy("nftables.conf"), lambda p: _run([tool("nft"), "-c", "-f", str(p)]), parse,
                        "nftables.conf")


# the start tests -------------------------------------------------------------------------------
def listener_addresses(conf: str) -> list[str]:
    """The non-loopback addresses Mosquitto's listeners bind to (the dummy interface gets them)."""
    found = re.findall(r"^listener\s+\d+\s+(\d+\.\d+\.\d+\.\d+)\s*$", conf, re.M)
    return sorted({a for a in found if not a.startswith("127.")})


class Namespace:
    """A network namespace for one check, with lo and a dummy interface (or a veth pair where the
    kernel has no dummy module) holding `addresses`;
    always deleted on the way out."""

    def __init__(self, addresses: list[str]):
        self.name = f"tg-check-{uuid.uuid4().hex[:8]}"
        self.addresses = addresses

    def __enter__(self) -> Namespace:
        _ip("netns", "add", self.name)
        try:
            _ip("-n", self.name, "link", "set", "lo", "up")
            try:
                _ip("-n", self.name, "link", "add", "tgcheck0", "type", "dummy")
            except CheckError:  # a kernel without the dummy module: one end of a veth pair
                _ip("-n", self.name, "link", "add", "tgcheck0", "type", "veth", "peer", "name", "tgcheck1")
                _ip("-n", self.name, "link", "set", "tgcheck1", "up")
            for address in self.addresses:
                _ip("-n", self.name, "addr", "add", f"{address}/32", "dev", "tgcheck0")
            _ip("-n", self.name, "link", "set", "tgcheck0", "up")
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        subprocess.run([tool("ip"), "netns", "delete", self.name], capture_output=True, timeout=10)

    def argv(self, *argv: str) -> list[str]:
        return [tool("ip"), "netns", "exec", self.name, *argv]

    def listening(self) -> set[tuple[str, int]]:
        out = _run(self.argv(tool("ss"), "-Hltnu"), timeout=10).stdout
        found = set()
        for line in out.splitlines():
            fields = line.split()
            if len(fields) >= 5:
                host, _, port = fields[4].rpartition(":")
                found.add((host, int(port)))
        return found


class CheckError(RuntimeError):
    """The check itself could not run (not a problem in the files): says why and what to do."""


def _ip(*args: str) -> None:
    done = subprocess.run([tool("ip"), *args], capture_output=True, text=True, timeout=10, check=False)
    if done.returncode != 0:
        raise CheckError(f"cannot set up the check's network namespace (ip {' '.join(args)}: "
                         f"{done.stderr.strip() or done.returncode}); run box check as root on the box or a "
                         "machine with network namespaces, not inside a chroot")


def _start(ns: Namespace, argv: list[str], ready, log: Path) -> tuple[bool, str]:
    """Start argv in ns; (True, output) once ready(output) holds, (False, output) if it exits first."""
    with open(log, "w") as out:
        proc = subprocess.Popen(ns.argv(*argv), stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + START_TIMEOUT_S
    try:
        while True:
            output = log.read_text()
            if proc.poll() is not None:
                return False, log.read_text()
            if ready(output):
                return True, output
            if time.monotonic() > deadline:
                return False, output + f"\n(not ready after {START_TIMEOUT_S:.0f}s)"
            time.sleep(0.05)
    finally:
        stop(proc)


stop = processes.stop  # the tests stop their children with it too


MOSQUITTO_ERROR = re.compile(r"Error found at (\S+?):(\d+)\.")  # after "<time>: Error: <what>"


def check_mosquitto(sandbox: Sandbox, ns: Namespace) -> list[Problem]:
    text = (sandbox.folder / "mosquitto.conf").read_text()
    wanted = {(host, int(port)) for port, host in re.findall(r"^listener\s+(\d+)\s+(\S+)\s*$", text, re.M)}

    def parse(output: str) -> list[Problem]:
        errors = [m[1] for m in re.finditer(r"^(?:\d+: )?Error: (.*)$", output, re.M) if "Error found at" not in m[0]]
        return [Problem(sandbox.name_of(m[1]), int(m[2]), "; ".join(errors) or "error")
                for m in MOSQUITTO_ERROR.finditer(output)]

    def run(path: Path) -> subprocess.CompletedProcess:
        ok, output = _start(ns, [tool("mosquitto"), "-c", str(path)], lambda _: wanted <= ns.listening(),
                            sandbox.tmp / "mosquitto.log")
        output = "\n".join(line for line in output.splitlines() if "should not be run as root" not in line)
        return subprocess.CompletedProcess([], 0 if ok else 1, output, "")

    # Started as root it would drop to the unit's user; in the check it stays root (same line).
    copy = sandbox.copy("mosquitto.conf", lambda t: re.sub(r"^user .*$", "user root", t, flags=re.M))
    return _every_error(copy, run, parse, "mosquitto.conf")


HOSTAPD_LINE = re.compile(r"^Line (\d+): (.*)$", re.M)


def check_hostapd(sandbox: Sandbox, ns: Namespace, name: str) -> list[Problem]:
    copy = sandbox.copy(name)
    radio = re.search(r"^driver=none\s*$", copy.read_text(), re.M) is None
    ok, output = _start(ns, [tool("hostapd"), str(copy)], lambda out: "AP-ENABLED" in out,
                        sandbox.tmp / "hostapd.log")
    problems = [Problem(name, int(m[1]), m[2]) for m in HOSTAPD_LINE.finditer(output)]
    if problems or ok:
        return problems
    if "errors found in configuration file" in output:
        return [Problem(name, None, output.strip())]
    if radio and re.search(r"nl80211|Failed to initialize interface|Could not read interface", output):
        return []  # the expected end without a radio: the file itself parsed
    return [Problem(name, None, f"hostapd did not start: {output.strip()}")]
