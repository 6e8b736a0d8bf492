"""Slow and idle connections against a real `throughgate hub run` process: a client trickling its
request heads, connections that say nothing before or after the TLS handshake, more connections
than the hub holds, and a hub with few open files. An edge on another address is still answered.

Before the caps (provisioning/connections.py), from one address: 1,000 connections trickling
headers a byte a second were all still open after 90 s (1,002 threads); 6,000 idle after the
handshake held 6,002 threads and 563 MB; with 1,024 open files about 1,000 idle connections took
every descriptor, the accept loop spun (44 s of CPU in 100 s) and an edge's requests timed out."""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import time

import pytest
from hubkit import https
from hubprocess import HubProcess

from hub.config import KEYS
from hub.server import caps
from provisioning.connections import FILES_KEPT

PER_ADDRESS, TOTAL, HEAD_TIMEOUT_S = 16, 40, 1


@pytest.fixture
def hub_db_url(tmp_path):
    """SQLite only: these tests are about connections, not the database."""
    return f"sqlite:///{tmp_path / 'hub.db'}"


@pytest.fixture
def hub_process_settings():
    return {"MAX_CONNECTIONS": TOTAL, "MAX_CONNECTIONS_PER_ADDRESS": PER_ADDRESS,
            "REQUEST_HEAD_TIMEOUT_S": HEAD_TIMEOUT_S}


@pytest.fixture
def open_files():
    return None


@pytest.fixture
def hub(app, instance, hub_db_url, tmp_path, hub_process_settings, open_files):
    process = HubProcess(instance, hub_db_url, tmp_path / "hub.log", hub_process_settings, open_files).start()
    yield process
    process.stop()


def untrusting() -> ssl.SSLContext:
    """A stranger's TLS client: no certificate, checks nothing."""
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    return context


def tls_from(hub, source: str) -> ssl.SSLSocket | None:
    """A TLS connection from `source` (handshake done), or None if the hub closed it first."""
    raw = hub.connect(source)
    try:
        return untrusting().wrap_socket(raw)
    except OSError:
        raw.close()
        return None


def closed_by_hub(connection: socket.socket) -> bool:
    """The hub has closed the connection (end of file or reset), without a byte of answer."""
    connection.settimeout(0)
    try:
        data = connection.recv(1)
    except (BlockingIOError, ssl.SSLWantReadError):
        return False
    except OSError:
        return True
    assert not data.startswith(b"H"), "the hub answered a request that never finished"
    return data == b""


def edge_is_answered(hub, edge, connect_as) -> bool:
    try:
        return https("GET", f"{hub.url}/v1/edge/hub-keys", connect_as(edge))[0] == 200
    except OSError:
        return False


def close_all(connections) -> None:
    for connection in connections:
        if connection is not None:
            connection.close()


def test_a_client_trickling_request_heads_holds_at_most_its_share_and_an_edge_is_still_answered(hub, edge,
                                                                                                 connect_as):
    baseline = hub.threads()
    attempts = [tls_from(hub, "127.0.0.2") for _ in range(100)]
    held = [connection for connection in attempts if connection is not None]
    try:
        for connection in held:
            connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: hub\r\n")
        threads, alive, answered = [], [], []
        for _ in range(10):
            for connection in held:
                with contextlib.suppress(OSError):  # the hub may have closed it
                    connection.sendall(b"X")
            threads.append(hub.threads())
            alive.append(sum(not closed_by_hub(connection) for connection in held))
            answered.append(edge_is_answered(hub, edge, connect_as))
            time.sleep(0.1)
    finally:
        close_all(attempts)

    assert max(alive) <= PER_ADDRESS and max(threads) <= baseline + PER_ADDRESS + 2
    assert all(answered)


def test_a_request_head_trickled_past_the_head_timeout_is_closed_unanswered(hub):
    connection = tls_from(hub, "127.0.0.3")
    sent, closed = 0, False
    try:
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: hub\r\nX-Slow: ")
        while sent < 300 and not closed:  # a byte every 0.05 s: each read comes well within the socket timeout
            try:
                connection.sendall(b"a")
                sent += 1
            except OSError:
                closed = True
            closed = closed or closed_by_hub(connection)
            time.sleep(0.05)
    finally:
        connection.close()

    assert closed, f"the hub still read a request head after {sent} bytes trickled"
    assert "REQUEST_HEAD_TIMEOUT_S" in wait_for_line(hub, "did not send a request within")


def wait_for_line(hub, text: str) -> str:
    for _ in range(300):
        for line in hub.log().splitlines():
            if text in line:
                return line
        time.sleep(0.1)
    raise AssertionError(f"no line with {text!r} in the hub's log:\n{hub.log()}")


def test_connections_silent_before_or_after_the_handshake_are_closed_and_their_threads_end(hub):
    baseline = hub.threads()
    silent = [hub.connect("127.0.0.4") for _ in range(8)] + [tls_from(hub, "127.0.0.4") for _ in range(8)]
    try:
        assert all(connection is not None for connection in silent)
        for _ in range(200):
            if all(closed_by_hub(connection) for connection in silent):
                break
            time.sleep(0.1)
        still_open = [connection for connection in silent if not closed_by_hub(connection)]
    finally:
        close_all(silent)

    assert still_open == []
    for _ in range(100):
        if hub.threads() <= baseline:
            break
        time.sleep(0.1)
    assert hub.threads() <= baseline


def test_a_request_head_cut_short_by_the_client_is_not_served_and_not_logged(hub):
    """Before: the hub ran each such request on its truncated head, and werkzeug wrote "Cannot fetch
    SSL peer certificate info" for every one (20 lines for 20 connections, no rate limit)."""
    lines_before, baseline = len(hub.log().splitlines()), hub.threads()
    for _ in range(20):
        connection = tls_from(hub, "127.0.0.6")
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: hub\r\nX-Half: a")
        time.sleep(0.02)
        connection.close()
    for _ in range(100):  # until every one of them has been read and its thread has ended
        if hub.threads() <= baseline:
            break
        time.sleep(0.1)

    assert hub.log().splitlines()[lines_before:] == []
    assert https("GET", f"{hub.url}/healthz", untrusting())[0] == 200


@pytest.mark.parametrize("hub_process_settings", [{"MAX_CONNECTIONS": TOTAL, "MAX_CONNECTIONS_PER_ADDRESS": PER_ADDRESS,
                                                   "REQUEST_HEAD_TIMEOUT_S": 120}])
def test_past_max_connections_one_more_is_closed_before_its_handshake_and_the_hub_serves_again_after(hub, edge,
                                                                                                      connect_as):
    sources = [f"127.0.0.{n}" for n in range(5, 9)]
    held = [tls_from(hub, source) for source in sources for _ in range(TOTAL // len(sources))]
    try:
        assert all(connection is not None for connection in held)
        one_more = tls_from(hub, "127.0.0.9")
        edge_while_full = edge_is_answered(hub, edge, connect_as)
    finally:
        close_all(held)

    assert one_more is None and not edge_while_full
    for _ in range(100):
        if edge_is_answered(hub, edge, connect_as):
            break
        time.sleep(0.1)
    assert edge_is_answered(hub, edge, connect_as)
    assert "refused" in wait_for_line(hub, "MAX_CONNECTIONS_PER_ADDRESS")


def test_a_kept_alive_connection_has_the_head_timeout_for_each_request_not_for_all(hub, edge, connect_as):
    connection = http.client.HTTPSConnection("127.0.0.1", hub.port, context=connect_as(edge), timeout=10)
    statuses, sockets = [], set()
    for _ in range(4):  # 4 requests 0.6 s apart: longer than HEAD_TIMEOUT_S in all, shorter each
        connection.request("GET", "/v1/edge/hub-keys")
        response = connection.getresponse()
        response.read()
        statuses.append(response.status)
        sockets.add(id(connection.sock))
        time.sleep(0.6)
    connection.close()

    assert statuses == [200] * 4 and len(sockets) == 1


@pytest.mark.parametrize("open_files", [160])
@pytest.mark.parametrize("hub_process_settings", [{"MAX_CONNECTIONS": 512, "MAX_CONNECTIONS_PER_ADDRESS": PER_ADDRESS,
                                                   "REQUEST_HEAD_TIMEOUT_S": 120}])
def test_the_hub_holds_no_more_connections_than_its_open_files_allow_and_does_not_spin(hub, edge, connect_as):
    """Before: at the open-file limit accept failed with EMFILE at once, again and again (a core
    busy), and no request got in until connections timed out."""
    line = wait_for_line(hub, "not MAX_CONNECTIONS (512)")
    assert "serving at most 96 connections" in line and "LimitNOFILE" in line
    sources = [f"127.0.1.{n}" for n in range(1, 13)]
    held = [hub.connect(source) for source in sources for _ in range(PER_ADDRESS - 1)]  # 180: past the files
    try:
        started_cpu, started = hub.cpu_s(), time.monotonic()
        time.sleep(2)
        cpu_share = (hub.cpu_s() - started_cpu) / (time.monotonic() - started)
        fds = hub.open_fds()
    finally:
        close_all(held)

    assert fds < 160 and cpu_share < 0.5
    for _ in range(100):
        if edge_is_answered(hub, edge, connect_as):
            break
        time.sleep(0.1)
    assert edge_is_answered(hub, edge, connect_as)


def test_the_hubs_caps_come_from_its_settings_and_its_open_file_limit():
    config = {key: KEYS[key].default for key in ("MAX_CONNECTIONS", "MAX_CONNECTIONS_PER_ADDRESS",
                                                 "REQUEST_HEAD_TIMEOUT_S")}
    defaults = caps(config, open_files=1024)
    assert (defaults.total, defaults.per_address, defaults.head_timeout_s) == (512, 64, 30.0)
    assert caps(config, open_files=300).total == 300 - FILES_KEPT
