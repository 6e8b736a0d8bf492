"""One tablet cannot hold the edge's tablet API: past MAX_CONNECTIONS_PER_TABLET connections from its
address, the next is closed before its TLS handshake (it costs no thread), while another tablet is
still served. The real tablet API on loopback; 127.0.0.x addresses stand for different tablets."""

from __future__ import annotations

import contextlib
import socket
import ssl

from edge.tablets.api import MAX_CONNECTIONS_PER_TABLET
from tests.spine.waiting import wait_for

GUARD_S = 30


def _connect(port: int, source: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(GUARD_S)
    sock.bind((source, 0))
    sock.connect(("127.0.0.1", port))
    return sock


def _handshakes(port: int, source: str) -> bool:
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    try:
        with context.wrap_socket(_connect(port, source)):
            return True
    except OSError:
        return False


def test_one_address_holding_its_cap_of_idle_connections_does_not_keep_out_another_tablet(edge_api):
    config, server, tablets_ = edge_api
    held = [_connect(server.port, "127.0.0.1") for _ in range(MAX_CONNECTIONS_PER_TABLET)]
    try:
        wait_for(lambda: server.open_connections("127.0.0.1") == MAX_CONNECTIONS_PER_TABLET, GUARD_S,
                 "the tablet API to take the idle connections")

        assert not _handshakes(server.port, "127.0.0.1")  # one more from the same address is closed at once
        assert _handshakes(server.port, "127.0.0.2")
    finally:
        for sock in held:
            with contextlib.suppress(OSError):
                sock.close()
