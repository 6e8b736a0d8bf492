"""`throughgate hub ...` as a user runs it: separate processes, a real HTTPS server, an edge that
enrols with a token the CLI printed, real batches. (Run as `python -m hub`, which is the same
command without the other parts, so these tests depend on the hub alone.)"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import socket
import ssl
import stat
import subprocess
import sys
import time

import pytest
from hubkit import EdgeIdentity, FakeEdge, edge_records, https, post_envelope, tls_client

from hub import ca, cli
from provisioning import pki
from wire.keys import HubPublicKeys


@pytest.fixture
def cli_env(hub_db_url):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("THROUGHGATE_HUB_")}
    return env | {"THROUGHGATE_HUB_DATABASE_URL": hub_db_url}


@pytest.fixture
def throughgate(cli_env):
    def run(*args: str, expect: int = 0) -> subprocess.CompletedProcess:
        assert args[0] == "hub"
        done = subprocess.run([sys.executable, "-m", "hub", *args[1:]], env=cli_env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == expect, done.stderr
        return done

    return run


SQLITE = pytest.mark.parametrize("hub_db_url", ["sqlite"], indirect=True)
"""For what does not depend on the database. The end-to-end test runs on PostgreSQL: SQLite, the default, runs
end to end through these same commands in tests/spine (test_one_machine_recipe.py, every Stack), the record
queries on both in tests/hub/test_hub_records.py, and PostgreSQL's own rules, such as a token spent once by
threads racing for it, in tests/hub/test_hub_tokens.py."""
POSTGRES = pytest.mark.parametrize("hub_db_url", ["postgres"], indirect=True)


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
        proc = subprocess.Popen([sys.executable, "-m", "hub", "run", "--instance", str(instance),
                                 "--port", str(port)], env=cli_env, stdout=log, stderr=subprocess.STDOUT)
        started.append(proc)
        url, context = f"https://127.0.0.1:{port}", tls_client(ca.files(instance).root_cert)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            assert proc.poll() is None, (tmp_path / "hub.log").read_text()
            with contextlib.suppress(OSError):  # not listening yet
                if https("GET", f"{url}/healthz", context)[0] == 200:
                    return url, proc
            time.sleep(0.1)
        raise AssertionError("hub did not answer within 20 s")

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def init(throughgate, instance) -> tuple[str, str]:
    """`hub init`; returns (admin token, root pin) as printed."""
    lines = throughgate("hub", "init", "--instance", str(instance)).stdout.splitlines()
    token = next(lines[i + 1].strip() for i, line in enumerate(lines) if "somewhere safe" in line)
    pin = next(line.split(":", 1)[1].strip() for line in lines if "root CA pin" in line)
    return token, pin


def edge_command(throughgate, instance, edge_id: str, *options: str) -> list[str]:
    """`hub tokens create`; returns the printed `throughgate edge enrol ...` command as words."""
    out = throughgate("hub", "tokens", "create", edge_id, "--instance", str(instance), *options).stdout
    [line] = [line for line in out.splitlines() if line.strip().startswith("throughgate edge enrol")]
    return shlex.split(line)


def option(words: list[str], name: str) -> str:
    return words[words.index(name) + 1]


def enrol_over_https(url: str, pin: str, token: str, edge_id: str, tmp_path) -> tuple[FakeEdge, ssl.SSLContext]:
    """What `throughgate edge enrol` does: fetch the root without trusting it, check the pin, enrol."""
    trusting_nothing = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    trusting_nothing.check_hostname, trusting_nothing.verify_mode = False, ssl.CERT_NONE
    status, root_pem = https("GET", f"{url}/v1/enrol/ca", trusting_nothing)
    assert status == 200 and pki.spki_sha256(pki.load_cert(root_pem.encode())) == pin
    (tmp_path / "hub-root.pem").write_text(root_pem)
    identity = EdgeIdentity.new(edge_id)
    status, answer = https("POST", f"{url}/v1/enrol", tls_client(tmp_path / "hub-root.pem"),
                           json.dumps(identity.request(token)).encode(), {"Content-Type": "application/json"})
    assert status == 200, answer
    edge = FakeEdge.enrolled(identity, answer)
    return edge, tls_client(tmp_path / "hub-root.pem", edge.tls_files(tmp_path / "edge-tls"))


@POSTGRES
def test_init_tokens_enrol_run_and_records_work_end_to_end(tmp_path, throughgate, hub_process):
    instance = tmp_path / "hub"
    token, pin = init(throughgate, instance)
    assert oct(instance.stat().st_mode & 0o777) == "0o700"
    assert token not in (instance / "hub.toml").read_text()
    assert stat.S_IMODE((instance / "ca" / "root.key").stat().st_mode) == 0o600
    assert pin == pki.spki_sha256(pki.load_cert((instance / "ca" / "root.pem").read_bytes()))

    command = edge_command(throughgate, instance, "edge-1")
    assert command[:3] == ["throughgate", "edge", "enrol"]
    assert option(command, "--hub-ca-sha256") == pin and "--hub-url" not in command  # no PUBLIC_URL, no hub running
    assert option(command, "--instance") == "/var/lib/throughgate/edge"
    enrol_token = option(command, "--token")
    listed = throughgate("hub", "tokens", "list", "--instance", str(instance)).stdout
    assert "edge-1" in listed and "unused" in listed and enrol_token not in listed
    assert enrol_token.split(".")[2] not in listed

    url, _proc = hub_process(instance)
    edge, context = enrol_over_https(url, pin, enrol_token, "edge-1", tmp_path)
    status, receipt = post_envelope(url, context, edge.seal(edge_records(3, device="tablet-9", learner="L-9")))
    assert status == 200 and receipt["receipt"]["stored"] == 3
    admin = tls_client(instance / "ca" / "root.pem")
    status, page = https("GET", f"{url}/v1/records", admin, headers={"Authorization": f"Bearer {token}"})
    assert status == 200 and len(page) == 3
    assert "used 20" in throughgate("hub", "tokens", "list", "--instance", str(instance)).stdout
    edges_listed = throughgate("hub", "edges", "list", "--instance", str(instance)).stdout
    assert edges_listed.splitlines()[0].split() == ["EDGE", "STATUS", "CERTIFICATE", "UNTIL", "SIGNING", "KEYS",
                                                    "ENROLLED", "REVOKED"]
    assert "edge-1  active" in edges_listed

    table = throughgate("hub", "records", "--instance", str(instance)).stdout
    assert table.count("tablet-9") == 3 and "entry 0" not in table  # payloads only with --json
    as_json = json.loads(throughgate("hub", "records", "--instance", str(instance), "--json").stdout)
    assert [r["payload"]["text"] for r in as_json] == ["entry 0", "entry 1", "entry 2"]
    summary = throughgate("hub", "records", "--summary", "--instance", str(instance)).stdout
    assert summary.startswith("3 records") and "L-9      3" in summary

    throughgate("hub", "edges", "revoke", "edge-1", "--instance", str(instance))
    status, body = post_envelope(url, context, edge.seal(edge_records(1)))
    assert status == 403 and body["error"] == "edge_revoked"


@POSTGRES  # a hub holding PostgreSQL connections also stops cleanly on SIGTERM
def test_hub_run_logs_no_tokens_keys_or_payloads_and_stops_on_sigterm(tmp_path, throughgate, hub_process):
    instance = tmp_path / "hub"
    admin_token, pin = init(throughgate, instance)
    enrol_token = option(edge_command(throughgate, instance, "edge-1", "--ttl", "90m"), "--token")
    url, proc = hub_process(instance)
    edge, context = enrol_over_https(url, pin, enrol_token, "edge-1", tmp_path)
    envelope = edge.seal(edge_records(2))
    assert post_envelope(url, context, envelope)[0] == 200
    assert post_envelope(url, context, envelope)[0] == 409

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0
    log_text = (tmp_path / "hub.log").read_text()
    assert f"hub serving on {url}" in log_text and pin in log_text
    assert "edge edge-1 enrolled with token" in log_text
    assert "from edge edge-1: count=2 stored=2 duplicates=0" in log_text
    assert "hub stopping" in log_text
    secrets = [enrol_token, enrol_token.split(".")[2], admin_token, "PRIVATE KEY", "entry 0", "entry 1"]
    assert not [s for s in secrets if s in log_text]


@SQLITE
def test_keys_rotate_on_a_running_hub_serves_the_new_key_and_still_opens_the_old(tmp_path, throughgate,
                                                                               hub_process):
    instance = tmp_path / "hub"
    _admin, pin = init(throughgate, instance)
    url, _proc = hub_process(instance)
    enrol_token = option(edge_command(throughgate, instance, "edge-1"), "--token")
    edge, context = enrol_over_https(url, pin, enrol_token, "edge-1", tmp_path)
    sealed_before = edge.seal(edge_records(2))

    out = throughgate("hub", "keys", "rotate", "--instance", str(instance)).stdout
    assert out.startswith("Sealing key ") and "is now current" in out
    exported = HubPublicKeys.from_document(throughgate("hub", "keys", "export", "--instance", str(instance)).stdout)
    status, document = https("GET", f"{url}/v1/edge/hub-keys", context)
    assert status == 200 and document["sealing_key_id"] == exported.sealing.id != edge.hub_key.id

    assert post_envelope(url, context, sealed_before)[0] == 200
    assert post_envelope(url, context, edge.seal(edge_records(1), hub_key=exported.sealing))[0] == 200


@SQLITE
def test_commands_on_a_missing_instance_say_to_run_init(tmp_path, throughgate, capsys):
    missing = tmp_path / "nowhere"
    for command in (["records"], ["edges", "list"], ["keys", "export"], ["tokens", "list"]):  # in this process
        assert cli.main([*command, "--instance", str(missing)]) == 1
        assert f"run `throughgate hub init --instance {missing}` first" in capsys.readouterr().err
    for command in (["keys", "rotate"], ["tokens", "create", "edge-1"], ["run"]):  # as a user runs them
        done = throughgate("hub", *command, "--instance", str(missing), expect=1)
        assert f"run `throughgate hub init --instance {missing}` first" in done.stderr
    assert not missing.exists()


@SQLITE
def test_init_refuses_an_instance_that_already_exists(tmp_path, throughgate):
    instance = tmp_path / "hub"
    throughgate("hub", "init", "--instance", str(instance))
    keys_before = (instance / "sealing_key.pem").read_bytes() + (instance / "ca" / "root.key").read_bytes()
    done = throughgate("hub", "init", "--instance", str(instance), expect=1)
    assert "already exists" in done.stderr and "new --instance" in done.stderr
    assert (instance / "sealing_key.pem").read_bytes() + (instance / "ca" / "root.key").read_bytes() == keys_before


@SQLITE
def test_token_for_a_bad_edge_id_or_duration_says_what_to_give(tmp_path, throughgate):
    instance = tmp_path / "hub"
    throughgate("hub", "init", "--instance", str(instance))
    done = throughgate("hub", "tokens", "create", "edge one", "--instance", str(instance), expect=1)
    assert "is not an edge id" in done.stderr
    done = throughgate("hub", "tokens", "create", "edge-1", "--ttl", "soon", "--instance", str(instance), expect=2)
    assert "is not a duration" in done.stderr


@SQLITE
def test_edges_add_is_gone_enrolment_replaces_it(tmp_path, throughgate):
    done = throughgate("hub", "edges", "add", "edge-1", "--instance", str(tmp_path), expect=2)
    assert "invalid choice: 'add'" in done.stderr
