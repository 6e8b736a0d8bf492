"""Mutual TLS over a real HubServer on 127.0.0.1: which client certificates reach a batch, which
are refused, and that revoking an edge acts on the very next request."""

from __future__ import annotations

import json
import ssl
import threading
import urllib.error
from concurrent.futures import ThreadPoolExecutor

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from hubkit import EdgeIdentity, FakeEdge, edge_records, enrol_edge, https, post_envelope, stored_count, tls_client

from hub.enrolment import edges
from hub.models import EdgeCertificate
from provisioning import pki
from wire.records import timestamp

TLS_REFUSED = (ssl.SSLError, urllib.error.URLError, ConnectionError)


def test_batch_with_the_edge_certificate_is_accepted(server, edge, connect_as):
    status, body = post_envelope(server.url, connect_as(edge), edge.seal(edge_records(2)))
    assert status == 200 and body["receipt"]["stored"] == 2


def test_batch_without_a_client_certificate_gets_401(server, edge, root_file):
    status, body = post_envelope(server.url, tls_client(root_file), edge.seal(edge_records(2)))
    assert status == 401 and body["error"] == "client_certificate_required"
    assert stored_count() == 0


def test_certificate_from_a_foreign_ca_fails_the_tls_handshake(server, edge, connect_as):
    foreign_root = pki.make_root(pki.new_key(), "Some other CA", 30, path_length=1)
    forged = pki.issue(foreign_root, edge.tls_key.public_key(), edge.edge_id, pki.CLIENT, 30)
    stranger = FakeEdge(edge.edge_id, edge.key, edge.hub_key, pki.cert_to_pem(forged).decode(), edge.tls_key)
    with pytest.raises(TLS_REFUSED):
        post_envelope(server.url, connect_as(stranger), edge.seal(edge_records(1)))
    assert stored_count() == 0


def test_revoked_edge_is_refused_on_its_next_request_without_a_restart(server, edge, connect_as):
    context = connect_as(edge)
    assert post_envelope(server.url, context, edge.seal(edge_records(1)))[0] == 200
    edges.revoke(edge.edge_id, timestamp())
    status, body = post_envelope(server.url, context, edge.seal(edge_records(1)))
    assert status == 403 and body["error"] == "edge_revoked"
    status, body = https("GET", f"{server.url}/v1/edge/hub-keys", context)
    assert status == 403 and body["error"] == "edge_revoked"
    assert "ask the hub's operator" in body["reason"] and "new edge id" in body["reason"]  # what to do
    assert stored_count() == 1


def test_batch_for_another_edge_gets_403_edge_mismatch(server, make_edge, connect_as):
    north, south = make_edge("edge-north"), make_edge("edge-south")
    status, body = post_envelope(server.url, connect_as(north), south.seal(edge_records(1)))
    assert status == 403 and body["error"] == "edge_mismatch"
    assert stored_count() == 0


def test_certificate_of_the_root_but_unknown_to_the_hub_gets_403(app, server, edge, connect_as):
    """Issued by the root but never recorded (say, from a database restored to an older backup)."""
    unrecorded = pki.issue(app.extensions["hub_ca"], edge.tls_key.public_key(), edge.edge_id, pki.CLIENT, 30)
    ghost = FakeEdge(edge.edge_id, edge.key, edge.hub_key, pki.cert_to_pem(unrecorded).decode(), edge.tls_key)
    status, body = post_envelope(server.url, connect_as(ghost), edge.seal(edge_records(1)))
    assert status == 403 and body["error"] == "unknown_certificate"


def test_a_tablet_ca_cannot_mint_another_edges_identity(app, server, make_edge, connect_as):
    """Edge north's tablet CA is cross-certified by the root, so TLS accepts a client certificate it
    makes, sent with the cross-certificate as its chain. The hub still refuses it, even for edge
    south's CN and serial: an edge's certificate must be issued by the root itself."""
    north_identity = EdgeIdentity.new("edge-north")
    north = enrol_edge(app, "edge-north", north_identity)
    south = make_edge("edge-south")
    south_serial = pki.load_cert(south.cert_pem.encode()).serial_number
    key = pki.new_key()
    minted = pki.issue(north_identity.tablet_ca, key.public_key(), "edge-south", pki.CLIENT, 30)
    forged = _with_serial(minted, south_serial, north_identity.tablet_ca)
    chain = pki.certs_to_pem([forged, pki.load_cert(north.answer["cross_certificate"].encode())]).decode()
    impostor = FakeEdge("edge-south", south.key, south.hub_key, chain, key)
    status, body = post_envelope(server.url, connect_as(impostor), south.seal(edge_records(1)))
    assert status == 403 and body["error"] == "unknown_certificate"
    assert stored_count() == 0


def _with_serial(cert, serial: int, issuer: pki.Issuer) -> x509.Certificate:
    builder = (x509.CertificateBuilder().subject_name(cert.subject).issuer_name(cert.issuer)
               .public_key(cert.public_key()).serial_number(serial)
               .not_valid_before(cert.not_valid_before_utc).not_valid_after(cert.not_valid_after_utc))
    for extension in cert.extensions:
        builder = builder.add_extension(extension.value, extension.critical)
    return builder.sign(issuer.key, hashes.SHA256())


def test_renewal_gives_a_new_certificate_and_the_old_one_works_until_it_expires(server, edge, connect_as,
                                                                                tmp_path):
    old_context = connect_as(edge)
    new_key = pki.new_key()
    csr = pki.csr_to_pem(pki.make_csr(new_key, edge.edge_id)).decode()
    status, answer = https("POST", f"{server.url}/v1/edge/renew", old_context, json.dumps({"csr": csr}).encode(),
                           {"Content-Type": "application/json"})
    assert status == 200, answer
    assert set(answer) == {"certificate", "cross_certificate", "dns_name", "hub_keys"}
    renewed = FakeEdge(edge.edge_id, edge.key, edge.hub_key, answer["certificate"], new_key)
    assert pki.load_cert(answer["certificate"].encode()).serial_number != \
        pki.load_cert(edge.cert_pem.encode()).serial_number
    assert post_envelope(server.url, connect_as(renewed), edge.seal(edge_records(1)))[0] == 200
    assert post_envelope(server.url, old_context, edge.seal(edge_records(1)))[0] == 200


def renew(server, context, edge_id: str) -> tuple[int, dict]:
    csr = pki.csr_to_pem(pki.make_csr(pki.new_key(), edge_id)).decode()
    return https("POST", f"{server.url}/v1/edge/renew", context, json.dumps({"csr": csr}).encode(),
                 {"Content-Type": "application/json"})


def test_a_copied_old_certificate_cannot_renew_again_and_again(server, edge, connect_as):
    """Renewing with the edge's first certificate works once; after that it is superseded, and a
    copy of it (with its key) gets no new certificates: no second identity forks off. It still
    delivers batches until it expires."""
    original = connect_as(edge)
    statuses = [renew(server, original, edge.edge_id) for _ in range(3)]
    assert [status for status, _body in statuses] == [200, 403, 403]
    assert {body["error"] for _status, body in statuses[1:]} == {"superseded_certificate"}
    assert EdgeCertificate.select().where(EdgeCertificate.edge == edge.edge_id).count() == 2
    assert post_envelope(server.url, original, edge.seal(edge_records(1)))[0] == 200


def test_of_concurrent_renewals_with_one_certificate_only_one_succeeds(server, edge, connect_as):
    context = connect_as(edge)
    barrier = threading.Barrier(4)

    def racer(_i):
        barrier.wait()
        return renew(server, context, edge.edge_id)[0]

    with ThreadPoolExecutor(4) as pool:
        statuses = sorted(pool.map(racer, range(4)))
    assert statuses == [200, 403, 403, 403]
    assert EdgeCertificate.select().where(EdgeCertificate.superseded_at.is_null()).count() == 1


def test_re_enrolment_stops_the_old_certificates_at_once(app, server, edge, connect_as):
    old_context = connect_as(edge)
    replacement = enrol_edge(app, edge.edge_id)
    status, body = post_envelope(server.url, old_context, edge.seal(edge_records(1)))
    assert status == 403 and body["error"] == "unknown_certificate" and "enrolled again" in body["reason"]
    assert post_envelope(server.url, connect_as(replacement), replacement.seal(edge_records(1)))[0] == 200
