"""`throughgate hub ...` as a user runs it: separate processes, a real server, real batches."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from hubkit import FakeEdge, edge_records, http, post_envelope

from wire.keys import HubPublicKeys, new_signing_key, verify_key_to_pem


@pytest.fixture
def cli_env(hub_db_url):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("THROUGHGATE_HUB_")}
    return env | {"THROUGHGATE_HUB_DATABASE_URL": hub_db_url}


@pytest.fixture
def throughgate(cli_env):
    def run(*args: str, expect: int = 0) -> subprocess.CompletedProcess:
        done = subprocess.run([sys.executable, "-m", "throughgate", *args], env=cli_env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == expect, done.stderr
        return done

    return run


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def hub_process(tmp_path, cli_env):
    """start(instance) -> (base URL, process) of `throughgate hub run` on a free loopback port."""
    started = []

    def start(instance) -> tuple[str, subprocess.Popen]:
        port = free_port()
        log = (tmp_path / "hub.log").open("w")
        proc = subprocess.Popen([sys.executable, "-m", "throughgate", "hub", "run", "--instance", str(instance),
                                 "--port", str(port)], env=cli_env, stdout=log, stderr=subprocess.STDOUT)
        started.append(proc)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            assert proc.poll() is None, (tmp_path / "hub.log").read_text()
            try:
                if http("GET", f"{url}/healthz")[0] == 200:
                    return url, proc
            except OSError:
                time.sleep(0.1)
        raise AssertionError("hub did not answer within 20 s")

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_init_edges_run_and_records_work_end_to_end(tmp_path, throughgate, hub_process):
    instance = tmp_path / "hub"
    out = throughgate("hub", "init", "--instance", str(instance)).stdout
    lines = out.splitlines()
    token = next(lines[i + 1].strip() for i, line in enumerate(lines) if "somewhere safe" in line)
    assert oct(instance.stat().st_mode & 0o777) == "0o700"
    assert token not in (instance / "hub.toml").read_text()

    hub_public = HubPublicKeys.from_document(throughgate("hub", "keys", "export", "--instance", str(instance)).stdout)
    edge_key = new_signing_key()
    (tmp_path / "edge.pub.pem").write_bytes(verify_key_to_pem(edge_key.public_key()))
    added = throughgate("hub", "edges", "add", "edge-1", "--key", str(tmp_path / "edge.pub.pem"),
                        "--instance", str(instance)).stdout
    assert added.startswith("Registered edge edge-1")
    assert "edge-1  active" in throughgate("hub", "edges", "list", "--instance", str(instance)).stdout

    url, _proc = hub_process(instance)
    edge = FakeEdge("edge-1", edge_key, hub_public.sealing)
    status, receipt = post_envelope(url, edge.seal(edge_records(3, device="tablet-9", learner="L-9")))
    assert status == 200 and receipt["receipt"]["stored"] == 3
    status, page = http("GET", f"{url}/v1/records", headers={"Authorization": f"Bearer {token}"})
    assert status == 200 and len(page) == 3

    table = throughgate("hub", "records", "--instance", str(instance)).stdout
    assert table.splitlines()[0].split() == ["CURSOR", "RECEIVED", "AT", "HUB", "EDGE", "DEVICE", "LEARNER",
                                             "KIND", "SEQ", "ID"]
    assert table.count("tablet-9") == 3 and "entry 0" not in table  # payloads only with --json
    as_json = json.loads(throughgate("hub", "records", "--instance", str(instance), "--json").stdout)
    assert [r["payload"]["text"] for r in as_json] == ["entry 0", "entry 1", "entry 2"]
    summary = throughgate("hub", "records", "--summary", "--instance", str(instance)).stdout
    assert summary.startswith("3 records") and "L-9      3" in summary
    assert "No records match." in throughgate("hub", "records", "--learner", "L-1",
                                               "--instance", str(instance)).stdout

    throughgate("hub", "edges", "revoke", "edge-1", "--instance", str(instance))
    assert post_envelope(url, edge.seal(edge_records(1)))[0] == 403


def test_hub_run_logs_one_line_per_batch_without_payloads_and_stops_on_sigterm(tmp_path, throughgate,
                                                                                 hub_process):
    instance = tmp_path / "hub"
    throughgate("hub", "init", "--instance", str(instance))
    edge_key = new_signing_key()
    (tmp_path / "edge.pem").write_bytes(verify_key_to_pem(edge_key.public_key()))
    throughgate("hub", "edges", "add", "edge-1", "--key", str(tmp_path / "edge.pem"), "--instance", str(instance))
    hub_public = HubPublicKeys.from_document(throughgate("hub", "keys", "export", "--instance", str(instance)).stdout)
    url, proc = hub_process(instance)
    envelope = FakeEdge("edge-1", edge_key, hub_public.sealing).seal(edge_records(2))
    assert post_envelope(url, envelope)[0] == 200
    assert post_envelope(url, envelope)[0] == 409

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0
    log_text = (tmp_path / "hub.log").read_text()
    assert f"hub serving on {url}" in log_text
    assert "from edge edge-1: count=2 stored=2 duplicates=0" in log_text
    assert "entry 0" not in log_text and "entry 1" not in log_text
    assert "hub stopping" in log_text


def test_commands_on_a_missing_instance_say_to_run_init(tmp_path, throughgate):
    missing = tmp_path / "nowhere"
    for command in (["records"], ["edges", "list"], ["keys", "export"], ["run"]):
        done = throughgate("hub", *command, "--instance", str(missing), expect=1)
        assert f"run `throughgate hub init --instance {missing}` first" in done.stderr


def test_init_refuses_an_instance_that_already_exists(tmp_path, throughgate):
    instance = tmp_path / "hub"
    throughgate("hub", "init", "--instance", str(instance))
    keys_before = (instance / "sealing_key.pem").read_bytes()
    done = throughgate("hub", "init", "--instance", str(instance), expect=1)
    assert "already exists" in done.stderr and "new --instance" in done.stderr
    assert (instance / "sealing_key.pem").read_bytes() == keys_before


def test_edges_add_with_an_unreadable_key_file_says_what_to_give(tmp_path, throughgate):
    instance = tmp_path / "hub"
    throughgate("hub", "init", "--instance", str(instance))
    done = throughgate("hub", "edges", "add", "edge-1", "--key", str(tmp_path / "no.pem"),
                       "--instance", str(instance), expect=1)
    assert "give the path of the edge's verify key" in done.stderr
