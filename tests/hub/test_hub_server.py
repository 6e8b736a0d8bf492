"""The hub over real HTTP: werkzeug's threaded server on a free loopback port."""

from __future__ import annotations

import hashlib
import threading

import pytest
from hubkit import edge_records, http, post_envelope, stored_count

from hub.server import HubServer
from wire import receipts
from wire.keys import HubPublicKeys


@pytest.fixture
def server(app):
    with HubServer(app, "127.0.0.1", 0) as running:
        yield running


def test_server_listens_on_loopback_port_and_answers_healthz(server):
    assert server.host == "127.0.0.1" and server.port > 0
    assert http("GET", f"{server.url}/healthz") == (200, {"ok": True})


def test_batch_posted_over_http_is_stored_and_receipt_verifies(app, server, edge):
    envelope = edge.seal(edge_records(5))
    status, document = post_envelope(server.url, envelope)
    assert status == 200
    hub_public = HubPublicKeys.from_document(app.extensions["hub_keys"].public_document())
    fields = receipts.verify_receipt(document, hub_public.receipt, document["receipt"]["batch"],
                                     hashlib.sha256(envelope).hexdigest())
    assert fields["stored"] == 5
    assert stored_count() == 5
    assert post_envelope(server.url, envelope)[0] == 409


def test_concurrent_batches_from_several_edges_are_all_stored(server, make_edge):
    """Threads hit the database at once: SQLite waits for its write lock, PostgreSQL for ours."""
    fleet = [make_edge(f"edge-{n}") for n in range(4)]
    envelopes = [e.seal(edge_records(20, device=f"tablet-{i}")) for e in fleet for i in range(3)]
    results = []
    threads = [threading.Thread(target=lambda env=env: results.append(post_envelope(server.url, env)))
               for env in envelopes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(status for status, _ in results) == [200] * len(envelopes)
    assert sum(body["receipt"]["stored"] for _, body in results) == 20 * len(envelopes)
    assert stored_count() == 20 * len(envelopes)


def test_same_batch_posted_twice_at_once_is_stored_once(server, edge):
    envelope = edge.seal(edge_records(10))
    results = []
    threads = [threading.Thread(target=lambda: results.append(post_envelope(server.url, envelope))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(status for status, _ in results) == [200, 409, 409, 409]
    assert stored_count() == 10
