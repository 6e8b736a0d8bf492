"""provisioning.https keeps a TLS connection open between requests without a body (a tablet
fetching many small files handshakes once), and closes it wherever that would not be safe: a
request with a body, a response shorter than its Content-Length, HTTP/1.0, an idle connection,
the server stopping. The real server, a real TLS client, on loopback."""

from __future__ import annotations

import http.client
import socket
import ssl

import pytest
from flask import Flask, Response, request

from provisioning import https
from tests.unit_tablet.tabletkit import EdgeCa

GUARD_S = 30  # a client read that gets nothing for this long fails the test instead of hanging it


def make_app() -> Flask:
    app = Flask(__name__)

    @app.get("/small/<int:n>")
    def small(n: int):
        return Response(b"%d" % n * 10, content_type="text/plain")

    @app.get("/stream")
    def stream():
        return Response((b"part%d;" % i for i in range(3)), content_type="text/plain")  # no length: chunked

    @app.get("/tagged")
    def tagged():
        if request.if_none_match.contains("v1"):
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(b"tagged", headers={"ETag": '"v1"'})

    @app.get("/short")
    def short():
        response = Response(iter([b"only ten b"]), direct_passthrough=True)
        response.content_length = 100  # the body falls short of what it said
        return response

    @app.post("/echo")
    def echo():
        return Response(request.get_data())

    return app


@pytest.fixture
def ca(tmp_path):
    edge_ca = EdgeCa.make()
    return edge_ca, edge_ca.write_server_files(tmp_path / "server")


@pytest.fixture
def server(ca):
    _, paths = ca
    with https.HttpsServer(make_app(), "127.0.0.1", 0,
                           lambda: https.server_context(paths["cert"], paths["key"], paths["ca"])) as running:
        yield running


def connect(ca, server) -> http.client.HTTPSConnection:
    edge_ca, paths = ca
    context = ssl.create_default_context(cafile=paths["ca"])
    conn = http.client.HTTPSConnection("127.0.0.1", server.port, context=context, timeout=GUARD_S)
    conn._tunnel_host = None
    conn.host = edge_ca.name  # the name the certificate is for; the address stays 127.0.0.1
    conn.sock = context.wrap_socket(socket.create_connection(("127.0.0.1", server.port), GUARD_S),
                                    server_hostname=edge_ca.name)
    return conn


def fetch(conn: http.client.HTTPSConnection, method: str, path: str, headers=None, body=None):
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    return response, response.read()


def raw_tls(ca, server) -> ssl.SSLSocket:
    edge_ca, paths = ca
    context = ssl.create_default_context(cafile=paths["ca"])
    return context.wrap_socket(socket.create_connection(("127.0.0.1", server.port), GUARD_S),
                               server_hostname=edge_ca.name)


def read_to_eof(sock: ssl.SSLSocket) -> bytes:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def test_many_requests_without_a_body_share_one_tls_connection(ca, server):
    conn = connect(ca, server)
    first = conn.sock
    for n in range(50):
        response, body = fetch(conn, "GET", f"/small/{n}")
        assert (response.status, body, response.will_close) == (200, b"%d" % n * 10, False)
    response, body = fetch(conn, "GET", "/stream")
    assert (response.status, body, response.getheader("Transfer-Encoding")) == (200, b"part0;part1;part2;", "chunked")
    response, body = fetch(conn, "GET", "/tagged", {"If-None-Match": '"v1"'})
    assert (response.status, body) == (304, b"")
    response, body = fetch(conn, "HEAD", "/small/7")
    assert (response.status, body) == (200, b"")
    response, body = fetch(conn, "GET", "/small/8")
    assert (response.status, body) == (200, b"8" * 10)
    assert conn.sock is first and not response.will_close
    conn.close()


def test_pipelined_requests_are_each_answered_in_order(ca, server):
    """What werkzeug drains after a response must not swallow the next request already sent."""
    with raw_tls(ca, server) as sock:
        sock.sendall(b"GET /small/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /small/2 HTTP/1.1\r\nHost: x\r\n\r\n"
                     b"GET /small/3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answers = read_to_eof(sock)
    assert answers.count(b"HTTP/1.1 200 OK") == 3
    assert answers.index(b"1" * 10) < answers.index(b"2" * 10) < answers.index(b"3" * 10)


def test_a_request_with_a_body_closes_the_connection_after_its_answer(ca, server):
    conn = connect(ca, server)
    response, body = fetch(conn, "POST", "/echo", body=b"hello")
    assert (response.status, body) == (200, b"hello")
    assert response.will_close and response.getheader("Connection") == "close"


def test_a_response_shorter_than_its_content_length_closes_the_connection(ca, server, monkeypatch):
    """Else the client would wait for the missing bytes, or read the next answer as this one's."""
    monkeypatch.setattr(https.TlsRequestHandler, "idle_timeout", GUARD_S * 2)  # so only that closes it
    with raw_tls(ca, server) as sock:
        sock.sendall(b"GET /short HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = read_to_eof(sock)  # returns only because the server closed
    assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"only ten b")


def test_an_http_1_0_client_gets_its_connection_closed(ca, server):
    with raw_tls(ca, server) as sock:
        sock.sendall(b"GET /small/4 HTTP/1.0\r\nHost: x\r\n\r\n")
        answer = read_to_eof(sock)
    assert b"Connection: close" in answer and answer.endswith(b"4" * 10)


def test_an_idle_kept_connection_is_closed_after_the_idle_timeout(ca, server, monkeypatch):
    monkeypatch.setattr(https.TlsRequestHandler, "idle_timeout", 0.2)
    with raw_tls(ca, server) as sock:
        sock.sendall(b"GET /small/5 HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = read_to_eof(sock)  # the answer, then the server closes the idle connection
    assert answer.startswith(b"HTTP/1.1 200") and b"Connection: close" not in answer


def test_stopping_the_server_ends_kept_connections(ca):
    """stop() does not wait for an idle kept-alive connection's timeout."""
    _, paths = ca
    server = https.HttpsServer(make_app(), "127.0.0.1", 0,
                               lambda: https.server_context(paths["cert"], paths["key"], paths["ca"])).start()
    conn = connect(ca, server)
    response, _ = fetch(conn, "GET", "/small/6")
    assert not response.will_close
    server.stop()
    assert conn.sock.recv(1) == b""
    conn.close()
