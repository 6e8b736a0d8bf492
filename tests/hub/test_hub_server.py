"""The hub over real HTTPS: werkzeug's threaded server on a free loopback port, with the hub's
own certificate, and edges connecting with their client certificates."""

from __future__ import annotations

import hashlib
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from cryptography import x509
from hubkit import edge_records, https, post_envelope, stored_count, tls_client

from hub import ca
from hub.config import HubConfigError
from hub.server import tls_context
from provisioning import pki
from wire import receipts
from wire.keys import HubPublicKeys


def test_hub_run_on_a_port_in_use_says_so_and_what_to_do(instance, tmp_path):
    """Before, werkzeug closed the server that could not listen before it had its connection guard, and
    `hub run` ended in an AttributeError traceback."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "throughgate", "hub", "run", "--instance", str(instance),
                               "--host", "127.0.0.1", "--port", str(port)], capture_output=True, text=True,
                              timeout=120, cwd=Path(__file__).resolve().parents[2],
                              env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'hub.db'}"})
    assert done.returncode == 1, done.stderr
    assert f"error: cannot listen on 127.0.0.1:{port} (Address already in use): choose another --port" in done.stderr
    assert "Traceback" not in done.stderr


def test_server_listens_on_loopback_over_https_and_answers_healthz(server, connect_as):
    assert server.host == "127.0.0.1" and server.port > 0
    assert server.url.startswith("https://127.0.0.1:")
    assert https("GET", f"{server.url}/healthz", connect_as()) == (200, {"ok": True})


def test_server_certificate_is_issued_by_the_root_for_the_tls_names(server, instance):
    pem = ssl.get_server_certificate(("127.0.0.1", server.port))
    root = pki.load_cert(ca.files(instance).root_cert.read_bytes())
    cert = pki.load_cert(pem.encode())
    pki.verify_server(cert, [], [root], "localhost")
    alt = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert [str(ip) for ip in alt.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]


def test_server_takes_tls_1_2_and_nothing_older(server, instance, root_file):
    assert tls_context(ca.files(instance)).minimum_version == ssl.TLSVersion.TLSv1_2
    context = tls_client(root_file)
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw, \
            context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
        assert tls.version() == "TLSv1.2"


@pytest.mark.parametrize("which", ["server_cert", "server_key", "root_cert"])
def test_missing_tls_files_are_named_with_what_to_do(instance, which):
    paths = ca.files(instance)
    getattr(paths, which).unlink()
    with pytest.raises(HubConfigError) as refused:
        tls_context(paths)
    message = str(refused.value)
    assert f"{getattr(paths, which)} is missing" in message
    assert "backup" in message and "throughgate hub init" in message and "hub run" not in message


def test_a_key_that_does_not_fit_its_certificate_is_refused_naming_the_files(instance):
    paths = ca.files(instance)
    paths.server_key.write_bytes(pki.key_to_pem(pki.new_key()))
    with pytest.raises(HubConfigError, match="do not load together") as refused:
        tls_context(paths)
    assert str(paths.server_key) in str(refused.value) and "backup" in str(refused.value)


def test_a_client_that_never_handshakes_does_not_hold_up_others(server, connect_as):
    with socket.create_connection(("127.0.0.1", server.port), timeout=10):
        started = time.monotonic()
        assert https("GET", f"{server.url}/healthz", connect_as()) == (200, {"ok": True})
        assert time.monotonic() - started < 5


def test_batch_posted_over_https_is_stored_and_receipt_verifies(app, server, edge, connect_as):
    envelope = edge.seal(edge_records(5))
    status, document = post_envelope(server.url, connect_as(edge), envelope)
    assert status == 200
    hub_public = HubPublicKeys.from_document(app.extensions["hub_keys"].get().public_document())
    fields = receipts.verify_receipt(document, hub_public.receipt, document["receipt"]["batch"],
                                     hashlib.sha256(envelope).hexdigest())
    assert fields["stored"] == 5
    assert stored_count() == 5
    assert post_envelope(server.url, connect_as(edge), envelope)[0] == 409


def test_concurrent_batches_from_several_edges_are_all_stored(server, make_edge, connect_as):
    """Threads hit the database at once: SQLite waits for its write lock, PostgreSQL for ours."""
    fleet = [make_edge(f"edge-{n}") for n in range(4)]
    jobs = [(connect_as(e), e.seal(edge_records(20, device=f"tablet-{i}"))) for e in fleet for i in range(3)]
    results = []
    threads = [threading.Thread(target=lambda job=job: results.append(post_envelope(server.url, *job)))
               for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(status for status, _ in results) == [200] * len(jobs)
    assert sum(body["receipt"]["stored"] for _, body in results) == 20 * len(jobs)
    assert stored_count() == 20 * len(jobs)


def test_same_batch_posted_twice_at_once_is_stored_once(server, edge, connect_as):
    envelope, context = edge.seal(edge_records(10)), connect_as(edge)
    results = []
    threads = [threading.Thread(target=lambda: results.append(post_envelope(server.url, context, envelope)))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(status for status, _ in results) == [200, 409, 409, 409]
    assert stored_count() == 10
