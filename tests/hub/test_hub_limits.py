"""How much of a request body the hub reads: 64 KiB on every route but POST /v1/batches
(MAX_BATCH_BYTES), refused with 413 before authentication and before any of it is read."""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from hub import limits

BIG = limits.MAX_JSON_BYTES + 1
ROUTES = [("POST", "/v1/enrol"), ("POST", "/v1/admin/enrolment-tokens"), ("POST", "/v1/edge/renew"),
          ("POST", "/v1/edge/signing-keys"), ("GET", "/healthz"), ("GET", "/v1/records")]


@pytest.mark.parametrize("method, path", ROUTES)
def test_a_body_over_64_kib_gets_413_before_authentication(client, method, path):
    response = client.open(path, method=method, data=b"{" + b" " * BIG + b"}", content_type="application/json")
    assert response.status_code == 413
    assert response.get_json() == {"error": "too_large", "reason": f"the request body is {BIG + 2} bytes; "
                                   f"{method} {path} takes at most {limits.MAX_JSON_BYTES} bytes"}


def test_a_json_body_up_to_64_kib_is_read(client):
    body = json.dumps({"token": "x" * (limits.MAX_JSON_BYTES - 20)}).encode()
    assert len(body) <= limits.MAX_JSON_BYTES
    response = client.post("/v1/enrol", data=body, content_type="application/json")
    assert response.status_code == 400 and "'edge_id'" in response.get_json()["reason"]  # it was parsed


def test_a_batch_may_be_larger_than_a_json_body(client, edge):
    response = client.post("/v1/batches", data=b"\x00" * BIG, content_type="application/cbor",
                           environ_base=edge.environ)
    assert response.status_code == 400 and response.get_json()["error"] == "bad_envelope"


def test_an_oversized_batch_gets_413_before_authentication(app, client):
    response = client.post("/v1/batches", data=b"\x00" * (app.config["MAX_BATCH_BYTES"] + 1),
                           content_type="application/cbor")
    assert response.status_code == 413 and response.get_json()["error"] == "too_large"


# over a real HubServer -------------------------------------------------------------------
def raw_request(port: int, head: bytes, body: bytes = b"") -> tuple[int, dict]:
    """Send `head` (and `body`) over TLS as they are, as a stranger would: (status, JSON answer)."""
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=30) as raw, \
            context.wrap_socket(raw) as tls:
        tls.sendall(head + body)
        answer = tls.makefile("rb")
        status = int(answer.readline().split()[1])
        length = 0
        while (line := answer.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return status, json.loads(answer.read(length))


def chunked(body: bytes, size: int = 16384) -> bytes:
    pieces = [body[i:i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces) + b"0\r\n\r\n"


CHUNKED_HEAD = (b"POST /v1/enrol HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n")


def test_413_comes_before_the_body_is_sent(server):
    """The hub answers a declared 50 MB body having read none of it: the client sends only the
    head and still gets 413 (werkzeug then closes the connection)."""
    head = (b"POST /v1/enrol HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % (50 << 20))
    status, body = raw_request(server.port, head)
    assert status == 413 and body["error"] == "too_large" and str(50 << 20) in body["reason"]


def test_a_chunked_body_over_64_kib_gets_413(server):
    status, answer = raw_request(server.port, CHUNKED_HEAD, chunked(b"{" + b" " * BIG + b"}"))
    assert status == 413 and answer["error"] == "too_large"
    assert answer["reason"] == f"the request body is over {BIG - 1} bytes, the most POST /v1/enrol takes"


def test_a_chunked_body_of_64_kib_is_read_whole(server):
    body = json.dumps({"edge_id": "x" * (limits.MAX_JSON_BYTES - 20)}).encode()
    body += b" " * (limits.MAX_JSON_BYTES - len(body))
    status, answer = raw_request(server.port, CHUNKED_HEAD, chunked(body))
    assert status == 400 and "'token'" in answer["reason"]  # parsed: the next complaint is its content


@pytest.fixture
def hub_process(instance, tmp_path):
    """The hub served by a HubServer in its own process, so its memory can be read in /proc."""
    settings = {"DATABASE_URL": f"sqlite:///{tmp_path / 'hub.db'}"}
    code = ("import sys\n"
            "from hub import db\nfrom hub.app import create_app\n"
            "from hub.server import HubServer\n"
            f"app = create_app({settings!r}, instance_path={str(instance)!r})\n"
            "db.migrate()\n"
            "server = HubServer(app, '127.0.0.1', 0).start()\n"
            "print(server.port, flush=True)\n"
            "sys.stdin.read()\n")
    process = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               cwd=Path(__file__).resolve().parents[2])
    try:
        port = int(process.stdout.readline())
        yield process.pid, port
    finally:
        process.stdin.close()
        process.wait(10)


def memory_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no {field} for {pid}")


def test_an_unauthenticated_50_mb_body_leaves_the_hubs_memory_flat(hub_process):
    """Before the limit the hub read such a body whole (400 MB sent: 1.2 GB resident). Now the
    app reads none of it, and what werkzeug's server drains after answering is read 64 KiB at a
    time (provisioning.https; werkzeug itself reads 10 MB at a time: +20 MB a connection)."""
    pid, port = hub_process
    head = (b"POST /v1/enrol HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % (50 << 20))
    assert raw_request(port, head)[0] == 413  # warm: every code path of the refusal has run once
    before = memory_mb(pid, "VmHWM")

    answer: dict = {}

    def send() -> None:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        with socket.create_connection(("127.0.0.1", port), timeout=30) as raw, context.wrap_socket(raw) as tls:
            tls.sendall(head)
            megabyte = b"A" * (1 << 20)
            try:
                for _ in range(50):
                    tls.sendall(megabyte)
            except OSError:
                pass  # the hub may close before all is sent
            answer["status"] = tls.recv(100).split(b"\r\n")[0]

    sender = threading.Thread(target=send)
    sender.start()
    sender.join(60)
    assert answer["status"].startswith(b"HTTP/1.1 413")
    grown = memory_mb(pid, "VmHWM") - before
    assert grown < 4, f"the hub's peak memory grew by {grown:.0f} MB for a 50 MB body"
