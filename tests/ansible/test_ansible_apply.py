"""The playbook applied for real: a Debian 12 tree (debootstrap) through Ansible's chroot connection,
enrolled with a real hub on loopback, applied a second time with nothing changed, and the files it
installed checked inside the tree with the tree's own tools.

Slow the first time (debootstrap and wheels, a few minutes); later runs reuse the cache in
~/.cache/throughgate (tests/ansible/debian_tree.py).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from edge.host import broker
from provisioning import pki
from tests.ansible.debian_tree import ROOT, debian_tree, in_tree, wheelhouse
from throughgate.stack import CLI, Proc, free_port

pytestmark = pytest.mark.timeout(1500)

BIN = Path(sys.executable).parent
SITE_ID = "hmp-tree"


def _cli(*args: str) -> str:
    done = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, f"throughgate {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _site(hub_port: int) -> str:
    example = (ROOT / "firmware-config/examples/site.toml").read_text()
    return (example.replace('site_id = "hmp-example"', f'site_id = "{SITE_ID}"')
            .replace('hub_url = "https://hub.example.org"', f'hub_url = "https://127.0.0.1:{hub_port}"')
            .replace('hub_addresses = ["203.0.113.10"]', 'hub_addresses = ["127.0.0.1"]')
            .replace("hub_port = 443", f"hub_port = {hub_port}"))


def _play(workdir: Path, tree: Path, extra_vars: Path) -> subprocess.CompletedProcess:
    inventory = workdir / "inventory.yml"
    inventory.write_text(json.dumps({"edges": {"hosts": {"tree": {
        "ansible_connection": "community.general.chroot", "ansible_host": str(tree),
        "ansible_python_interpreter": "/usr/bin/python3"}}}}))
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", ANSIBLE_NOCOLOR="1",
               ANSIBLE_CONFIG=str(ROOT / "ansible/ansible.cfg"), ANSIBLE_LOCAL_TEMP=str(workdir / "ansible-tmp"),
               ANSIBLE_HOME=str(workdir / "ansible-home"))
    return subprocess.run([str(BIN / "ansible-playbook"), "-i", str(inventory), str(ROOT / "ansible/playbook.yml"),
                           "-e", f"@{extra_vars}"], cwd=ROOT / "ansible", env=env, capture_output=True, text=True,
                          timeout=900, check=False)


def _recap(done: subprocess.CompletedProcess) -> dict[str, int]:
    match = re.search(r"^tree\s+:\s+(.*)$", done.stdout, re.MULTILINE)
    assert match, f"no PLAY RECAP for the tree:\n{done.stdout[-4000:]}\n{done.stderr[-2000:]}"
    return {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", match.group(1))}


@pytest.fixture(scope="module")
def applied(tmp_path_factory):
    """The playbook applied twice to a fresh tree; yields what the test needs to look at."""
    if not (BIN / "ansible-playbook").exists():
        pytest.skip("ansible-playbook is missing: install the test extras (pip install -e '.[test]')")
    work = tmp_path_factory.mktemp("apply")
    hub_dir, hub_port = work / "hub", free_port()
    _cli("hub", "init", "--instance", str(hub_dir))
    printed = _cli("hub", "tokens", "create", SITE_ID, "--instance", str(hub_dir))
    command = shlex.split(next(line for line in printed.splitlines() if "edge enrol" in line))
    options = dict(zip(command[3::2], command[4::2], strict=False))
    token = options["--token"]
    hub = Proc("hub", [*CLI, "hub", "run", "--instance", str(hub_dir), "--port", str(hub_port)],
               work / "hub.log").start()
    try:
        broker.wait_for_port("127.0.0.1", hub_port, 20)
        dist = work / "dist"
        wheel = wheelhouse(dist)
        site = work / "site.toml"
        site.write_text(_site(hub_port))
        with debian_tree(work / "tree") as tree:
            shipped = tree / "opt/throughgate/dist"  # the offline wheelhouse prison IT copies to the box
            shipped.mkdir(parents=True)
            for dep in dist.glob("*.whl"):
                if dep != wheel:
                    shutil.copyfile(dep, shipped / dep.name)
            extra = work / "vars.json"
            extra.touch(mode=0o600)
            extra.write_text(json.dumps({
                "throughgate_edge_site_file": str(site), "throughgate_edge_source": str(wheel),
                "throughgate_edge_pip_extra_args": "--no-index --find-links /opt/throughgate/dist",
                "throughgate_edge_hub_ca_sha256": options["--hub-ca-sha256"],
                "throughgate_edge_bootstrap_token": token, "throughgate_edge_start_services": False}))
            first = _play(work, tree, extra)
            (work / "first-run.log").write_text(first.stdout + first.stderr)
            second = _play(work, tree, extra) if first.returncode == 0 else None
            if second is not None:
                (work / "second-run.log").write_text(second.stdout + second.stderr)
            yield {"tree": tree, "first": first, "second": second, "token": token, "hub_dir": hub_dir}
    finally:
        hub.stop()


def test_the_first_run_sets_the_box_up_and_enrols_it(applied):
    first = applied["first"]
    assert first.returncode == 0, f"the first run failed:\n{first.stdout[-6000:]}\n{first.stderr[-2000:]}"
    recap = _recap(first)
    assert recap["failed"] == 0 and recap["changed"] > 10, recap
    tree = applied["tree"]
    cert = pki.load_cert((tree / "var/lib/throughgate/edge/tls/edge.pem").read_bytes())
    root = pki.load_cert((applied["hub_dir"] / "ca/root.pem").read_bytes())
    assert pki.common_name(cert) == SITE_ID
    assert cert.issuer == root.subject, "the edge's certificate was not issued by the hub's root"


def test_a_second_run_changes_nothing(applied):
    second = applied["second"]
    assert second is not None, "the first run failed, so there was no second run"
    assert second.returncode == 0, f"the second run failed:\n{second.stdout[-6000:]}\n{second.stderr[-2000:]}"
    recap = _recap(second)
    changed = re.findall(r"^changed: \[tree\].*$|^TASK \[(.*)\]", second.stdout, re.MULTILINE)
    assert recap["changed"] == 0 and recap["failed"] == 0, f"second run: {recap}\n{changed}"


def test_the_bootstrap_token_is_never_printed_nor_left_on_the_box(applied):
    token = applied["token"]
    for run in (applied["first"], applied["second"]):
        assert run is not None
        assert token not in run.stdout and token not in run.stderr
    secret = token.rsplit(".", 1)[1].encode()
    tree = applied["tree"]
    for folder in ("tmp", "root", "var/tmp", "var/lib/throughgate", "etc/throughgate"):
        for path in (tree / folder).rglob("*"):
            if path.is_file() and not path.is_symlink() and path.stat().st_size < 10_000_000:
                assert secret not in path.read_bytes(), f"the token's secret is in {path}"


def test_the_service_user_owns_the_edge_and_its_keys_are_private(applied):
    tree = applied["tree"]
    passwd = {line.split(":")[0]: line.split(":") for line in (tree / "etc/passwd").read_text().splitlines()}
    assert passwd["throughgate"][6] == "/usr/sbin/nologin"
    uid = int(passwd["throughgate"][2])
    instance = tree / "var/lib/throughgate/edge"
    assert instance.stat().st_uid == uid and stat.S_IMODE(instance.stat().st_mode) == 0o700
    for key in ("tls/edge.key", "tablet-ca/ca.key", "signing.key"):
        path = instance / key
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, f"{key} is readable by others"
    assert (instance / "tls/edge.key").exists()


def test_the_box_gets_no_compiler_nor_pip_outside_the_virtualenv(applied):
    tree = applied["tree"]
    for tool in ("usr/bin/gcc", "usr/bin/cc", "usr/bin/make", "usr/bin/pip3"):
        assert not (tree / tool).exists(), f"/{tool} is on the box: packages came with their recommendations"


def test_the_services_are_enabled_and_the_distributions_are_not(applied):
    tree = applied["tree"]
    enabled = {p.name for p in (tree / "etc/systemd/system").glob("*.wants/*")}  # nftables: sysinit.target
    rendered = {p.name for p in (tree / "var/lib/throughgate/render/systemd").glob("*.service")}
    installed = {p.name for p in (tree / "etc/systemd/system").glob("throughgate-*.service")}
    assert "throughgate-edge.service" in rendered and installed == rendered, (installed, rendered)
    assert rendered <= enabled, f"not enabled: {rendered - enabled}"
    assert "nftables.service" in enabled
    assert not {"mosquitto.service", "hostapd.service"} & enabled


def test_the_installed_files_pass_the_trees_own_tools(applied):
    tree = applied["tree"]
    checks = {
        "nft -c": in_tree(tree, "nft", "-c", "-f", "/etc/nftables.conf"),
        "dnsmasq --test": in_tree(tree, "dnsmasq", "--test", "--conf-file=/etc/throughgate/dnsmasq.conf"),
        "systemd-analyze verify": in_tree(tree, "systemd-analyze", "verify", *sorted(
            f"/etc/systemd/system/{unit.name}" for unit in (tree / "etc/systemd/system").glob("throughgate-*"))),
    }
    failed = {name: f"{done.stdout}{done.stderr}" for name, done in checks.items() if done.returncode != 0}
    assert not failed, failed
    # `box check` on the files the role rendered in the tree (from the host: its network namespaces
    # cannot be made inside a chroot, which says so and exits 3).
    done = subprocess.run([str(BIN / "throughgate"), "box", "check", str(tree / "var/lib/throughgate/render")],
                          capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, f"throughgate box check failed:\n{done.stdout}\n{done.stderr}"
