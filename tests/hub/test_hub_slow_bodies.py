"""A request body that trickles in holds no database connection of a real `throughgate hub run`:
neither a stranger's body to the open POST /v1/enrol, nor an edge's chunk to PUT /v1/attachments.

Before, the hub connected to its database before reading the body: 60 strangers trickling enrol
bodies (from two addresses, within MAX_CONNECTIONS_PER_ADDRESS) held 60 PostgreSQL connections; with
the server's max_connections (40 in that probe) reached, every edge got 503 database_unavailable
until they stopped. On SQLite each held three open files (the database, its WAL and shared memory)."""

from __future__ import annotations

import contextlib
import hashlib
import socket
import ssl
import time
import uuid

import psycopg2
import pytest
from hubkit import https, now, post_envelope
from hubprocess import HubProcess

from wire.records import new_record

STRANGERS, EDGE_BODIES = 20, 10


@pytest.fixture
def hub(app, instance, hub_db_url, tmp_path):
    process = HubProcess(instance, hub_db_url, tmp_path / "hub.log").start()
    yield process
    process.stop()


def database_connections(url: str) -> int:
    """Connections to this test's PostgreSQL database, this query's own included."""
    with contextlib.closing(psycopg2.connect(url)) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


def stranger_trickling_an_enrol_body(hub) -> ssl.SSLSocket:
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    connection = context.wrap_socket(hub.connect("127.0.0.2"))
    connection.sendall(b"POST /v1/enrol HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
                       b"Content-Length: 65536\r\n\r\n{")
    return connection


def edge_trickling_a_chunk(hub, context: ssl.SSLContext, sha: str) -> ssl.SSLSocket:
    connection = context.wrap_socket(socket.create_connection(("127.0.0.1", hub.port), timeout=10),
                                     server_hostname="127.0.0.1")
    connection.sendall(f"PUT /v1/attachments/{sha} HTTP/1.1\r\nHost: hub\r\nContent-Type: application/octet-stream"
                       f"\r\nContent-Range: bytes 0-999/1000\r\nContent-Length: 1000\r\n\r\nab".encode())
    return connection


def test_bodies_trickling_in_hold_no_database_connection_and_edges_are_answered(hub, edge, connect_as, hub_db_url):
    context = connect_as(edge)
    sha = hashlib.sha256(b"page").hexdigest()
    payload = {"assignment": "essay-3", "course": "english-2", "text": "x", "attachments": [
        {"id": str(uuid.uuid4()), "sha256": sha, "size": 1000, "type": "image/png", "name": "page.png"}]}
    record = new_record("assignment_submission", "L-0042", 1, payload).to_dict() | {"device": "tab-1",
                                                                                    "received": now()}
    assert post_envelope(hub.url, context, edge.seal([record]))[0] == 200
    postgres = hub_db_url.startswith("postgresql")
    time.sleep(0.5)  # the batch's request has ended and closed its connection
    files_before = hub.open_fds()
    connections_before = database_connections(hub_db_url) if postgres else 0

    slow = [stranger_trickling_an_enrol_body(hub) for _ in range(STRANGERS)]
    slow += [edge_trickling_a_chunk(hub, context, sha) for _ in range(EDGE_BODIES)]
    try:
        time.sleep(1)  # every slow request has reached its view, which waits for the body
        held_files = hub.open_fds() - files_before
        held_connections = database_connections(hub_db_url) - connections_before if postgres else 0
        answered = https("GET", f"{hub.url}/v1/attachments/{sha}", context)[0]
    finally:
        for connection in slow:
            connection.close()

    assert held_connections == 0
    assert held_files <= STRANGERS + EDGE_BODIES + 2  # their sockets only, not 3 database files each
    assert answered == 200
