"""GET /v1/enrol/ca and POST /v1/enrol: what an edge gets for a token, and what it must send."""

from __future__ import annotations

import json

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID
from hubkit import EdgeIdentity, tablet_dns_name

from hub import ca, tokens
from hub.models import Edge
from provisioning import pki


@pytest.fixture
def identity():
    return EdgeIdentity.new("edge-1")


@pytest.fixture
def enrolled(client, app, identity):
    """The hub's answer to a good enrolment of edge-1."""
    token, _info = tokens.create("edge-1", 600)
    response = client.post("/v1/enrol", json=identity.request(str(token)))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_root_certificate_is_served_as_pem_and_matches_the_pin(client, app, instance):
    response = client.get("/v1/enrol/ca")
    assert response.status_code == 200 and response.mimetype == "application/x-pem-file"
    root = pki.load_cert(response.data)
    assert pki.spki_sha256(root) == ca.root_pin(app.extensions["hub_ca"])
    assert response.data == ca.files(instance).root_cert.read_bytes()


def test_enrolment_returns_a_client_certificate_for_the_edge_that_chains_to_the_root(enrolled, app, identity):
    cert = pki.load_cert(enrolled["certificate"].encode())
    root = pki.load_cert(enrolled["ca"].encode())
    assert root == app.extensions["hub_ca"].cert
    pki.verify_client(cert, [], [root])
    assert pki.common_name(cert) == "edge-1"
    assert pki.spki_sha256(cert) == pki.spki_sha256(identity.tls_key.public_key())
    usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usage) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    assert 29 < (cert.not_valid_after_utc - cert.not_valid_before_utc).days <= 31
    assert enrolled["hub_keys"] == app.extensions["hub_keys"].get().public_document()


def test_cross_certificate_vouches_for_the_edges_own_names_only(enrolled, identity):
    root = pki.load_cert(enrolled["ca"].encode())
    cross = pki.load_cert(enrolled["cross_certificate"].encode())
    assert cross.subject == identity.tablet_ca.cert.subject
    assert pki.spki_sha256(cross) == pki.spki_sha256(identity.tablet_ca.cert)

    def server_cert(name: str) -> x509.Certificate:
        return pki.issue(identity.tablet_ca, pki.new_key().public_key(), name, pki.SERVER, 90, dns_names=[name])

    own = tablet_dns_name("edge-1")
    pki.verify_server(server_cert(own), [cross], [root], own)
    for other in ("edge-2.throughgate.internal", "hub.example.org", "localhost"):
        with pytest.raises(pki.PkiError):
            pki.verify_server(server_cert(other), [cross], [root], other)


def test_enrolment_pins_the_tablet_ca_and_records_the_names(enrolled, identity):
    edge = Edge.get(Edge.edge_id == "edge-1")
    assert edge.tablet_ca_sha256 == pki.spki_sha256(identity.tablet_ca.cert)
    assert json.loads(edge.dns_names) == [tablet_dns_name("edge-1")]


def test_dns_names_are_kept_in_lower_case_once_each(client, app, identity):
    token, _info = tokens.create("edge-1", 600)
    names = ["Edge-1.Throughgate.Internal", "edge-1.throughgate.internal"]
    response = client.post("/v1/enrol", json=identity.request(str(token)) | {"dns_names": names})
    assert response.status_code == 200
    assert json.loads(Edge.get(Edge.edge_id == "edge-1").dns_names) == ["edge-1.throughgate.internal"]


def _spoil_tablet_ca(body: dict, identity: EdgeIdentity) -> None:
    leaf = pki.issue(identity.tablet_ca, pki.new_key().public_key(), "x", pki.CLIENT, 30)
    body["tablet_ca"] = pki.cert_to_pem(leaf).decode()


@pytest.mark.parametrize("spoil, field", [
    (lambda b, i: b.pop("token"), "'token'"),
    (lambda b, i: b.update(edge_id="edge one"), "not an edge id"),
    (lambda b, i: b.update(csr="-----BEGIN CERTIFICATE REQUEST-----\nnope\n-----END CERTIFICATE REQUEST-----\n"),
     "'csr'"),
    (lambda b, i: b.update(signing_key=b["csr"]), "'signing_key'"),
    (lambda b, i: b.update(tablet_ca="not a certificate"), "'tablet_ca'"),
    (_spoil_tablet_ca, "not a CA certificate"),
    (lambda b, i: b.update(dns_names=[]), "'dns_names'"),
    (lambda b, i: b.update(dns_names=["*.throughgate.internal"]), "not a DNS name"),
    (lambda b, i: b.update(dns_names=["hmp_north.throughgate.internal"]), "not a DNS name"),
    (lambda b, i: b.update(dns_names="edge-1.throughgate.internal"), "'dns_names'"),
])
def test_a_bad_field_gets_400_naming_it_and_spends_nothing(client, app, identity, spoil, field):
    token, _info = tokens.create("edge-1", 600)
    body = identity.request(str(token))
    spoil(body, identity)
    response = client.post("/v1/enrol", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_request" and field in response.get_json()["reason"]
    assert Edge.select().count() == 0
    assert client.post("/v1/enrol", json=identity.request(str(token))).status_code == 200


def test_a_body_that_is_not_a_json_object_gets_400(client):
    for data in (b"not json", b"[1, 2]"):
        response = client.post("/v1/enrol", data=data, content_type="application/json")
        assert response.status_code == 400 and response.get_json()["error"] == "bad_request"
