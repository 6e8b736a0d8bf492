"""/v1/edge/*: an enrolled edge renews its certificate, learns the hub's keys and rotates its
signing key; every route needs its client certificate (environ SSL_CLIENT_CERT, as the TLS
server fills it: test_hub_mtls.py shows the real server does)."""

from __future__ import annotations

import pytest
from cryptography import x509
from hubkit import EdgeIdentity, FakeEdge, edge_records, post_batch, stored_count, tablet_dns_name

from hub.enrolment import edges, signing_keys, tokens
from hub.models import Edge, EdgeCertificate
from provisioning import pki
from wire.keys import key_id, new_signing_key, verify_key_to_pem
from wire.records import timestamp

ROUTES = [("POST", "/v1/edge/renew"), ("GET", "/v1/edge/hub-keys"), ("POST", "/v1/edge/signing-keys"),
          ("POST", "/v1/batches")]


def call(client, method: str, path: str, edge: FakeEdge | None, body: dict | None = None):
    return client.open(path, method=method, json=body if method == "POST" else None,
                       environ_base=edge.environ if edge else {})


def permitted_names(cross) -> list[str]:
    constraints = cross.extensions.get_extension_for_class(x509.NameConstraints).value
    return [name.value for name in constraints.permitted_subtrees]


def csr_for(edge_id: str) -> tuple:
    key = pki.new_key()
    return key, pki.csr_to_pem(pki.make_csr(key, edge_id)).decode()


@pytest.mark.parametrize("method, path", ROUTES)
def test_every_edge_route_needs_a_client_certificate(client, method, path):
    response = call(client, method, path, None, {})
    assert response.status_code == 401 and response.get_json()["error"] == "client_certificate_required"


@pytest.mark.parametrize("method, path", ROUTES)
def test_a_certificate_the_hub_did_not_issue_gets_403(client, edge, method, path):
    other_root = pki.make_root(pki.new_key(), "Not the hub", 30, path_length=1)
    foreign = pki.issue(other_root, edge.tls_key.public_key(), edge.edge_id, pki.CLIENT, 30)
    stranger = FakeEdge(edge.edge_id, edge.key, edge.hub_key, pki.cert_to_pem(foreign).decode())
    response = call(client, method, path, stranger, {})
    assert response.status_code == 403 and response.get_json()["error"] == "unknown_certificate"


def test_garbage_in_the_certificate_slot_gets_403(client, edge):
    pem = "-----BEGIN CERTIFICATE-----\nxx\n-----END CERTIFICATE-----\n"
    garbage = FakeEdge(edge.edge_id, edge.key, edge.hub_key, pem)
    assert call(client, "GET", "/v1/edge/hub-keys", garbage).status_code == 403


@pytest.mark.parametrize("method, path", ROUTES)
def test_a_revoked_edge_gets_403_on_every_route(client, edge, method, path):
    edges.revoke(edge.edge_id, timestamp())
    response = call(client, method, path, edge, {})
    assert response.status_code == 403 and response.get_json()["error"] == "edge_revoked"


def test_hub_keys_are_the_current_public_document(client, app, edge):
    response = call(client, "GET", "/v1/edge/hub-keys", edge)
    assert response.status_code == 200
    assert response.get_json() == app.extensions["hub_keys"].get().public_document()


def test_renewal_issues_a_certificate_for_the_new_key_and_keeps_the_old_one_working(client, app, edge):
    key, csr = csr_for(edge.edge_id)
    response = call(client, "POST", "/v1/edge/renew", edge, {"csr": csr})
    assert response.status_code == 200
    answer = response.get_json()
    cert = pki.load_cert(answer["certificate"].encode())
    pki.verify_client(cert, [], [app.extensions["hub_ca"].cert])
    assert pki.common_name(cert) == edge.edge_id and pki.spki_sha256(cert) == pki.spki_sha256(key.public_key())
    old_serial = format(pki.load_cert(edge.cert_pem.encode()).serial_number, "x")
    assert EdgeCertificate.get(EdgeCertificate.serial == old_serial).superseded_at is not None
    renewed = FakeEdge(edge.edge_id, edge.key, edge.hub_key, answer["certificate"], key)
    assert post_batch(client, renewed, edge.seal(edge_records(1))).status_code == 200
    assert post_batch(client, edge, edge.seal(edge_records(1))).status_code == 200


def test_renewal_without_dns_names_is_named_by_the_hub(client, edge):
    new_ca = EdgeIdentity.new(edge.edge_id).tablet_ca
    _key, csr = csr_for(edge.edge_id)
    response = call(client, "POST", "/v1/edge/renew", edge,
                    {"csr": csr, "tablet_ca": pki.cert_to_pem(new_ca.cert).decode()})
    assert response.status_code == 200
    answer = response.get_json()
    assert answer["dns_name"] == tablet_dns_name(edge.edge_id) == "edge-1.throughgate.internal"
    assert permitted_names(pki.load_cert(answer["cross_certificate"].encode())) == [answer["dns_name"]]
    assert Edge.get(Edge.edge_id == edge.edge_id).dns_names == '["edge-1.throughgate.internal"]'


@pytest.mark.parametrize("hub_settings", [{"EDGE_DNS_SUFFIX": "prisons.example.org"}])
def test_renewal_names_the_edge_in_edge_dns_suffix(client):
    identity = EdgeIdentity.new("edge-1")
    token, _info = tokens.create("edge-1", 600)
    body = identity.request(str(token))
    del body["dns_names"]  # as the edge sends it: the name is the hub's
    enrolled = client.post("/v1/enrol", json=body).get_json()
    assert enrolled["dns_name"] == "edge-1.prisons.example.org"
    edge = FakeEdge.enrolled(identity, enrolled)
    _key, csr = csr_for(edge.edge_id)
    answer = call(client, "POST", "/v1/edge/renew", edge, {"csr": csr}).get_json()
    assert answer["dns_name"] == "edge-1.prisons.example.org"
    assert permitted_names(pki.load_cert(answer["cross_certificate"].encode())) == ["edge-1.prisons.example.org"]


def test_renewal_with_a_new_tablet_ca_re_pins_it_for_the_edges_own_name(client, edge):
    new_ca = EdgeIdentity.new(edge.edge_id).tablet_ca
    _key, csr = csr_for(edge.edge_id)
    response = call(client, "POST", "/v1/edge/renew", edge, {
        "csr": csr, "tablet_ca": pki.cert_to_pem(new_ca.cert).decode(), "dns_names": [tablet_dns_name(edge.edge_id)]})
    assert response.status_code == 200
    cross = pki.load_cert(response.get_json()["cross_certificate"].encode())
    assert pki.spki_sha256(cross) == pki.spki_sha256(new_ca.cert)
    assert permitted_names(cross) == [tablet_dns_name(edge.edge_id)]
    assert Edge.get(Edge.edge_id == edge.edge_id).tablet_ca_sha256 == pki.spki_sha256(new_ca.cert)


@pytest.mark.parametrize("names", [
    ["localhost"],
    ["127.0.0.1"],
    ["edge-2.throughgate.internal"],
    ["edge-1.throughgate.internal", "localhost"],
    ["mqtt.edge-1.throughgate.internal"],
])
def test_renewal_asking_for_other_names_gets_400_and_changes_nothing(client, edge, names):
    before = Edge.get(Edge.edge_id == edge.edge_id)
    _key, csr = csr_for(edge.edge_id)
    new_ca = EdgeIdentity.new(edge.edge_id).tablet_ca
    response = call(client, "POST", "/v1/edge/renew", edge,
                    {"csr": csr, "tablet_ca": pki.cert_to_pem(new_ca.cert).decode(), "dns_names": names})
    assert response.status_code == 400 and response.get_json()["error"] == "bad_request"
    assert '["edge-1.throughgate.internal"]' in response.get_json()["reason"]
    after = Edge.get(Edge.edge_id == edge.edge_id)
    assert (after.tablet_ca_sha256, after.dns_names) == (before.tablet_ca_sha256, before.dns_names)
    assert EdgeCertificate.select().count() == 1
    assert call(client, "POST", "/v1/edge/renew", edge, {"csr": csr}).status_code == 200  # still current


def test_renewal_names_the_edge_from_the_hubs_setting_not_from_what_was_stored(app, client, edge):
    Edge.update(dns_names='["localhost"]').where(Edge.edge_id == edge.edge_id).execute()  # say, from before
    _key, csr = csr_for(edge.edge_id)
    response = call(client, "POST", "/v1/edge/renew", edge, {"csr": csr})
    assert response.status_code == 200
    cross = pki.load_cert(response.get_json()["cross_certificate"].encode())
    assert permitted_names(cross) == [tablet_dns_name(edge.edge_id)]
    assert Edge.get(Edge.edge_id == edge.edge_id).dns_names == '["edge-1.throughgate.internal"]'


def test_a_superseded_certificate_cannot_renew_again(client, edge):
    """A copy of an old certificate and key must not fork a second identity (each renewal would
    otherwise give it a fresh certificate, for a fresh key, that outlives the copied one)."""
    new_key, csr = csr_for(edge.edge_id)
    answer = call(client, "POST", "/v1/edge/renew", edge, {"csr": csr}).get_json()
    current = FakeEdge(edge.edge_id, edge.key, edge.hub_key, answer["certificate"], new_key)
    pinned = Edge.get(Edge.edge_id == edge.edge_id).tablet_ca_sha256
    issued = EdgeCertificate.select().count()

    other_ca = EdgeIdentity.new(edge.edge_id).tablet_ca
    for body in ({"csr": csr_for(edge.edge_id)[1]},
                 {"csr": csr_for(edge.edge_id)[1], "tablet_ca": pki.cert_to_pem(other_ca.cert).decode()}):
        response = call(client, "POST", "/v1/edge/renew", edge, body)
        assert response.status_code == 403
        refusal = response.get_json()
        assert refusal["error"] == "superseded_certificate" and refusal["superseded_at"]
        assert "newest certificate" in refusal["reason"] and "enrol it again" in refusal["reason"]
    assert EdgeCertificate.select().count() == issued
    assert Edge.get(Edge.edge_id == edge.edge_id).tablet_ca_sha256 == pinned

    assert call(client, "POST", "/v1/edge/renew", current, {"csr": csr_for(edge.edge_id)[1]}).status_code == 200


def test_a_superseded_certificate_still_delivers_batches_and_reads_hub_keys_but_sends_no_signing_key(client, edge):
    call(client, "POST", "/v1/edge/renew", edge, {"csr": csr_for(edge.edge_id)[1]})
    assert post_batch(client, edge, edge.seal(edge_records(1))).status_code == 200
    assert call(client, "GET", "/v1/edge/hub-keys", edge).status_code == 200
    pem = verify_key_to_pem(new_signing_key().public_key()).decode()
    response = call(client, "POST", "/v1/edge/signing-keys", edge, {"signing_key": pem})
    assert response.status_code == 403 and response.get_json()["error"] == "superseded_certificate"
    assert [key.key_id for key in signing_keys.accepted(edge.edge_id, timestamp())] == [key_id(edge.key.public_key())]


def test_renewal_without_a_csr_gets_400(client, edge):
    response = call(client, "POST", "/v1/edge/renew", edge, {})
    assert response.status_code == 400 and "'csr'" in response.get_json()["reason"]


def test_batches_signed_by_the_previous_key_are_accepted_after_a_rotation(client, edge):
    in_flight = [edge.seal(edge_records(2, device=f"tablet-{i}")) for i in range(3)]  # sealed before
    new_key = new_signing_key()
    response = call(client, "POST", "/v1/edge/signing-keys", edge,
                    {"signing_key": verify_key_to_pem(new_key.public_key()).decode()})
    assert response.status_code == 200
    body = response.get_json()
    old_id, new_id = key_id(edge.key.public_key()), key_id(new_key.public_key())
    assert body == {"key_id": new_id, "accepted": [new_id, old_id]}
    rotated = FakeEdge(edge.edge_id, new_key, edge.hub_key, edge.cert_pem, edge.tls_key)
    assert post_batch(client, edge, rotated.seal(edge_records(1, device="tablet-9"))).status_code == 200
    assert [post_batch(client, edge, envelope).status_code for envelope in in_flight] == [200] * 3
    assert stored_count() == 7


@pytest.mark.parametrize("hub_settings", [{"EDGE_KEY_GRACE_DAYS": 0}])
def test_the_previous_key_is_refused_once_its_grace_is_over(client, app, edge):
    new_key = new_signing_key()
    pem = verify_key_to_pem(new_key.public_key()).decode()
    call(client, "POST", "/v1/edge/signing-keys", edge, {"signing_key": pem})
    response = post_batch(client, edge, edge.seal(edge_records(1)))
    assert response.status_code == 400 and response.get_json()["error"] == "bad_signature"


def test_sending_the_current_signing_key_again_changes_nothing(client, edge):
    pem = verify_key_to_pem(edge.key.public_key()).decode()
    body = call(client, "POST", "/v1/edge/signing-keys", edge, {"signing_key": pem}).get_json()
    assert body == {"key_id": key_id(edge.key.public_key()), "accepted": [key_id(edge.key.public_key())]}


def test_a_signing_key_that_is_not_ed25519_gets_400(client, edge):
    response = call(client, "POST", "/v1/edge/signing-keys", edge, {"signing_key": edge.cert_pem})
    assert response.status_code == 400 and "'signing_key'" in response.get_json()["reason"]
