"""GET /v1/enrol/ca and POST /v1/enrol: what an edge gets for a token, and what it must send."""

from __future__ import annotations

import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import ExtendedKeyUsageOID
from hubkit import EdgeIdentity, tablet_dns_name

from hub import ca
from hub.enrolment import tokens
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
    with_address = pki.issue(identity.tablet_ca, pki.new_key().public_key(), own, pki.SERVER, 90,
                             dns_names=[own, "127.0.0.1"])
    with pytest.raises(pki.PkiError, match="excluded name constraint"):
        pki.verify_server(with_address, [cross], [root], own)


def test_the_answer_names_the_edge_as_its_cross_certificate_does(enrolled):
    assert enrolled["dns_name"] == tablet_dns_name("edge-1") == "edge-1.throughgate.internal"
    assert permitted_names(enrolled["cross_certificate"]) == [enrolled["dns_name"]]


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


def test_the_hub_names_an_edge_that_sends_no_names(client, identity):
    token, _info = tokens.create("edge-1", 600)
    body = identity.request(str(token))
    del body["dns_names"]
    response = client.post("/v1/enrol", json=body)
    assert response.status_code == 200
    assert permitted_names(response.get_json()["cross_certificate"]) == ["edge-1.throughgate.internal"]
    assert json.loads(Edge.get(Edge.edge_id == "edge-1").dns_names) == ["edge-1.throughgate.internal"]
    assert response.get_json()["dns_name"] == "edge-1.throughgate.internal"


@pytest.mark.parametrize("names", [
    ["localhost"],                                          # the hub's own TLS name
    ["127.0.0.1"],                                          # the hub's address, as a name
    ["edge-2.throughgate.internal"],                        # another edge's name
    ["edge-1.throughgate.internal", "localhost"],           # its own name and more
    ["throughgate.internal"],                               # every edge's parent
    ["mqtt.edge-1.throughgate.internal"],
])
def test_names_other_than_the_edges_own_get_400_saying_which_and_spend_nothing(client, identity, names):
    token, _info = tokens.create("edge-1", 600)
    response = client.post("/v1/enrol", json=identity.request(str(token)) | {"dns_names": names})
    assert response.status_code == 400 and response.get_json()["error"] == "bad_request"
    reason = response.get_json()["reason"]
    assert '\'dns_names\' must be ["edge-1.throughgate.internal"]' in reason and "tls_name" in reason
    assert Edge.select().count() == 0
    assert client.post("/v1/enrol", json=identity.request(str(token))).status_code == 200


@pytest.mark.parametrize("hub_settings", [{"EDGE_DNS_SUFFIX": "prisons.example.org"}])
def test_edge_dns_suffix_decides_the_name(app, client, identity):
    token, _info = tokens.create("edge-1", 600)
    refused = client.post("/v1/enrol", json=identity.request(str(token)))  # edge-1.throughgate.internal
    assert refused.status_code == 400 and '["edge-1.prisons.example.org"]' in refused.get_json()["reason"]
    names = {"dns_names": ["edge-1.prisons.example.org"]}
    response = client.post("/v1/enrol", json=identity.request(str(token)) | names)
    assert response.status_code == 200
    assert permitted_names(response.get_json()["cross_certificate"]) == ["edge-1.prisons.example.org"]
    assert response.get_json()["dns_name"] == "edge-1.prisons.example.org"


@pytest.mark.parametrize("hub_settings", [{"TLS_NAMES": "hub.throughgate.internal,127.0.0.1"}])
def test_an_edge_whose_name_covers_the_hubs_cannot_enrol(app, client):
    """A token made before TLS_NAMES changed, say: the hub still refuses to vouch for its own name."""
    token, _info = tokens.create("hub", 600)  # the service function: the admin API would refuse it now
    response = client.post("/v1/enrol", json=EdgeIdentity.new("hub").request(str(token)))
    assert response.status_code == 409 and response.get_json()["error"] == "edge_name_conflict"
    assert Edge.select().count() == 0 and tokens.list_tokens()[0].used_at is None


def permitted_names(cross_pem: str) -> list[str]:
    cross = pki.load_cert(cross_pem.encode())
    constraints = cross.extensions.get_extension_for_class(x509.NameConstraints).value
    return [name.value for name in constraints.permitted_subtrees]


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


def with_duplicate_extension(builder, key):
    """Signed with one extension twice, which `cryptography` parses only on access (and refuses)."""
    builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
    builder._extensions.append(builder._extensions[-1])  # the builders refuse to add it twice themselves
    return builder.sign(key, hashes.SHA256())


def _duplicate_in_tablet_ca(body: dict, identity: EdgeIdentity) -> None:
    ca = identity.tablet_ca
    builder = (x509.CertificateBuilder().subject_name(ca.cert.subject).issuer_name(ca.cert.subject)
               .public_key(ca.key.public_key()).serial_number(1)
               .not_valid_before(ca.cert.not_valid_before_utc).not_valid_after(ca.cert.not_valid_after_utc))
    body["tablet_ca"] = pki.cert_to_pem(with_duplicate_extension(builder, ca.key)).decode()


def _duplicate_in_csr(body: dict, identity: EdgeIdentity) -> None:
    builder = x509.CertificateSigningRequestBuilder().subject_name(pki.name(identity.edge_id))
    body["csr"] = pki.csr_to_pem(with_duplicate_extension(builder, identity.tls_key)).decode()


@pytest.mark.parametrize("spoil, field", [(_duplicate_in_tablet_ca, "'tablet_ca'"), (_duplicate_in_csr, "'csr'")])
def test_a_duplicate_extension_gets_400_naming_the_field(client, identity, spoil, field):
    token, _info = tokens.create("edge-1", 600)
    body = identity.request(str(token))
    spoil(body, identity)
    response = client.post("/v1/enrol", json=body)
    assert response.status_code == 400 and response.get_json()["error"] == "bad_request"
    assert field in response.get_json()["reason"] and "Duplicate" in response.get_json()["reason"]
    assert client.post("/v1/enrol", json=identity.request(str(token))).status_code == 200


@pytest.mark.parametrize("data", [b"[" * 30000 + b"]" * 30000, b'{"token": ' + b"[" * 30000 + b"]" * 30000 + b"}"])
def test_deeply_nested_json_gets_400(client, data):
    assert len(data) < 64 * 1024  # under the body limit: the parser meets it
    response = client.post("/v1/enrol", data=data, content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"] == "bad_request"
    assert "nested too deeply" in response.get_json()["reason"]


def test_a_body_that_is_not_a_json_object_gets_400(client):
    for data in (b"not json", b"[1, 2]"):
        response = client.post("/v1/enrol", data=data, content_type="application/json")
        assert response.status_code == 400 and response.get_json()["error"] == "bad_request"
