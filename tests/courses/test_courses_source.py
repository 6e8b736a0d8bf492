"""The edge's hub client on a hub that keeps connections alive (provisioning.https): a request on
a connection the hub closed while it sat idle is sent again on a new one, and a file left
part-read never leaves its rest in front of the next answer. The real HTTPS server and client."""

from __future__ import annotations

import select

import pytest
from flask import Flask, Response

from edge.courses.source import ContentClient, HubSource
from provisioning import https
from tests.unit_tablet.tabletkit import EdgeCa

BIG = bytes(range(256)) * 8192  # 2 MB: more than one read
GUARD_S = 30


@pytest.fixture
def hub(tmp_path):
    ca = EdgeCa.make(name="localhost")
    paths = ca.write_server_files(tmp_path / "server")
    app = Flask(__name__)

    @app.get("/v1/content/<name>")
    def content(name: str):
        return Response(BIG if name == "big" else name.encode(), content_type="application/octet-stream")

    with https.HttpsServer(app, "127.0.0.1", 0,
                           lambda: https.server_context(paths["cert"], paths["key"], paths["ca"])) as server:
        source = HubSource(ContentClient(f"https://localhost:{server.port}", GUARD_S, ca_file=paths["ca"]))
        yield source
        source.close()


def fetch(source: HubSource, name: str) -> bytes:
    return b"".join(source.stream(name, 0).chunks())


def test_a_get_after_the_hub_closed_the_idle_connection_is_sent_again(hub, monkeypatch):
    monkeypatch.setattr(https.TlsRequestHandler, "idle_timeout", 0.2)
    assert fetch(hub, "first") == b"first"
    kept = hub.client._conn.sock
    assert kept is not None  # kept alive by the hub...
    assert select.select([kept], [], [], GUARD_S)[0]  # ...until it closes it, idle
    assert fetch(hub, "second") == b"second"


def test_a_file_left_part_read_does_not_spoil_the_next_answer(hub):
    chunks = hub.stream("big", 0).chunks()
    assert len(next(chunks)) > 0
    chunks.close()  # the sync stopped reading (a disk error, say)
    assert fetch(hub, "after") == b"after"
    assert fetch(hub, "big") == BIG


def test_any_hub_request_after_the_hub_closed_the_idle_connection_is_sent_again(hub, monkeypatch):
    monkeypatch.setattr(https.TlsRequestHandler, "idle_timeout", 0.2)
    assert hub.client.request("GET", "/v1/content/one") == (200, b"one")
    kept = hub.client._conn.sock
    assert kept is not None and select.select([kept], [], [], GUARD_S)[0]  # closed by the hub, idle
    assert hub.client.request("GET", "/v1/content/two") == (200, b"two")
