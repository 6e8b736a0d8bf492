"""The edge's enrol command as the hub prints it, run as printed: it reaches the hub (the port `hub run`
serves on, not a guess), never silently replaces the hub URL the edge was set up with, and `hub run`
says when PUBLIC_URL cannot be right. Every command is the real CLI in its own process."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from edge import config as edge_config
from hub import address
from throughgate.stack import free_port

from .waiting import wait_for

CLI = [sys.executable, "-m", "throughgate"]


@pytest.fixture
def env():
    return {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("THROUGHGATE_HUB_")}


def run(env, *args: str, expect: int = 0) -> subprocess.CompletedProcess:
    done = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == expect, done.stderr + done.stdout
    return done


@pytest.fixture(scope="module")
def initialised(tmp_path_factory):
    """A hub instance made by the real `hub init` once for the file (its SQLite database inside it)."""
    instance = tmp_path_factory.mktemp("enrol-hub-url") / "hub"
    run({k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("THROUGHGATE_HUB_")},
        "hub", "init", "--instance", str(instance))
    return instance


@pytest.fixture
def hub(initialised, tmp_path) -> Path:
    """A copy of the initialised hub instance for this test (no token made, never run)."""
    return Path(shutil.copytree(initialised, tmp_path / "hub"))


@pytest.fixture
def hub_run(tmp_path, env):
    """start(instance, extra env) -> (port, process) of `throughgate hub run`, once it recorded its address."""
    started: list[subprocess.Popen] = []

    def start(instance: Path, **extra: str) -> tuple[int, subprocess.Popen]:
        port = free_port()
        log = (tmp_path / "hub.log").open("w")
        proc = subprocess.Popen([*CLI, "hub", "run", "--instance", str(instance), "--port", str(port)],
                                env=env | extra, stdout=log, stderr=subprocess.STDOUT)
        started.append(proc)
        wait_for(lambda: proc.poll() is not None or address.running(instance), 30, "the hub to serve")
        assert proc.poll() is None, (tmp_path / "hub.log").read_text()
        return port, proc

    yield start
    for proc in started:
        proc.terminate()
        proc.wait(timeout=20)


def printed_command(out: str) -> list[str]:
    [line] = [line for line in out.splitlines() if line.strip().startswith("throughgate edge enrol")]
    return shlex.split(line)


def test_the_printed_enrol_command_reaches_the_hub_on_the_port_it_serves(tmp_path, env, hub, hub_run):
    edge = tmp_path / "edge"
    port, _proc = hub_run(hub)
    run(env, "edge", "init", "--instance", str(edge), "--edge-id", "edge-1", "--hub-url",
        f"https://127.0.0.1:{port}", "--system-broker")

    out = run(env, "hub", "tokens", "create", "edge-1", "--instance", str(hub), "--edge-instance", str(edge)).stdout
    command = printed_command(out)
    assert command[command.index("--hub-url") + 1] == f"https://127.0.0.1:{port}"
    assert f"https://127.0.0.1:{port} is where this hub serves now (PUBLIC_URL is not set)" in out
    enrolled = run(env, *command[1:]).stdout  # exactly as printed, `throughgate` being this interpreter
    assert f"edge edge-1 enrolled at https://127.0.0.1:{port}" in enrolled


def test_without_public_url_or_a_running_hub_the_command_names_no_url_and_says_how_to_set_one(env, hub):
    out = run(env, "hub", "tokens", "create", "edge-1", "--instance", str(hub)).stdout
    assert "--hub-url" not in printed_command(out)
    assert "PUBLIC_URL is not set and no `throughgate hub run` serves this instance now" in out
    assert f"set PUBLIC_URL in {hub / 'hub.toml'}" in out

    env_url = env | {"THROUGHGATE_HUB_PUBLIC_URL": "https://hub.example.org:8443"}
    command = printed_command(run(env_url, "hub", "tokens", "create", "edge-2", "--instance", str(hub)).stdout)
    assert command[command.index("--hub-url") + 1] == "https://hub.example.org:8443"


def test_hub_run_warns_when_public_url_names_another_port(tmp_path, env, hub, hub_run):
    port, proc = hub_run(hub, THROUGHGATE_HUB_PUBLIC_URL="https://localhost:8080")
    proc.terminate()
    proc.wait(timeout=20)
    log = (tmp_path / "hub.log").read_text()
    assert f"WARNING PUBLIC_URL https://localhost:8080 names port 8080, but the hub serves on port {port}" in log
    assert not (hub / address.SERVING_FILE).exists()  # a stopped hub is no longer where edges are sent


def test_enrol_refuses_a_hub_url_other_than_the_one_the_edge_was_set_up_with(tmp_path, env):
    edge, port = tmp_path / "edge", free_port()  # nothing listens there
    run(env, "edge", "init", "--instance", str(edge), "--edge-id", "edge-1", "--hub-url", f"https://127.0.0.1:{port}",
        "--system-broker")
    before = (edge / edge_config.CONFIG_NAME).read_text()
    done = run(env, "edge", "enrol", "--instance", str(edge), "--hub-url", "https://localhost:8080",
               "--hub-ca-sha256", "0" * 64, "--token", "tgb1.00000000." + "a" * 43, expect=2)
    assert (f"--hub-url https://localhost:8080 is not the hub this edge was set up with: https://127.0.0.1:{port}"
            in done.stderr)
    assert "leave out --hub-url to use it" in done.stderr and "change [uplink] hub_url in" in done.stderr
    assert (edge / edge_config.CONFIG_NAME).read_text() == before

    same = run(env, "edge", "enrol", "--instance", str(edge), "--hub-url", f"HTTPS://127.0.0.1:{port}/",
               "--hub-ca-sha256", "0" * 64, "--token", "tgb1.00000000." + "a" * 43, expect=1)
    assert f"cannot reach the hub at https://127.0.0.1:{port}" in same.stderr  # the same hub: on to enrolment
