"""/v1/admin/*: the hub's operators make enrolment tokens, revoke edges and list them."""

from __future__ import annotations

import datetime as dt

import pytest
from hubkit import EdgeIdentity, edge_records, post_batch

from hub import ca
from hub.enrolment import tokens
from wire.keys import key_id

ADMIN_ROUTES = [("POST", "/v1/admin/enrolment-tokens"), ("POST", "/v1/admin/edges/edge-1/revoke"),
                ("GET", "/v1/admin/edges")]


@pytest.mark.parametrize("method, path", ADMIN_ROUTES)
def test_admin_routes_need_the_admin_token(client, edge, method, path):
    response = client.open(path, method=method, json={"edge_id": "edge-9"} if method == "POST" else None,
                           environ_base=edge.environ)  # an edge's certificate is no admin token
    assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"


def test_token_from_the_admin_api_enrols_its_edge(client, app, auth_headers):
    response = client.post("/v1/admin/enrolment-tokens", json={"edge_id": "edge-7", "ttl_s": 120},
                           headers=auth_headers)
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"token", "token_id", "edge_id", "expires", "hub_ca_sha256"}
    assert body["edge_id"] == "edge-7" and body["token"].startswith(f"tgb1.{body['token_id']}.")
    assert body["hub_ca_sha256"] == ca.root_pin(app.extensions["hub_ca"])
    enrolled = client.post("/v1/enrol", json=EdgeIdentity.new("edge-7").request(body["token"]))
    assert enrolled.status_code == 200


@pytest.mark.parametrize("hub_settings", [{"TLS_NAMES": "hub.throughgate.internal,127.0.0.1"}])
def test_no_token_for_an_edge_whose_name_would_cover_the_hubs(client, app, auth_headers):
    response = client.post("/v1/admin/enrolment-tokens", json={"edge_id": "hub"}, headers=auth_headers)
    assert response.status_code == 409 and response.get_json()["error"] == "edge_name_conflict"
    assert "hub.throughgate.internal" in response.get_json()["reason"] and tokens.list_tokens() == []


def test_token_lifetime_defaults_to_token_ttl_s(client, app, auth_headers):
    app.config["TOKEN_TTL_S"] = 7200
    client.post("/v1/admin/enrolment-tokens", json={"edge_id": "edge-7"}, headers=auth_headers)
    [made] = tokens.list_tokens()
    lifetime = dt.datetime.fromisoformat(made.expires) - dt.datetime.fromisoformat(made.created)
    assert lifetime == dt.timedelta(seconds=7200)


@pytest.mark.parametrize("body, status", [
    ({"edge_id": "edge one"}, 400),
    ({"edge_id": "edge-7", "ttl_s": 0}, 400),
    ({}, 400),
])
def test_a_bad_token_request_is_refused(client, auth_headers, body, status):
    response = client.post("/v1/admin/enrolment-tokens", json=body, headers=auth_headers)
    assert response.status_code == status and response.get_json()["error"] == "bad_request"


def test_revoking_an_edge_refuses_its_next_batch(client, edge, auth_headers):
    response = client.post(f"/v1/admin/edges/{edge.edge_id}/revoke", headers=auth_headers)
    assert response.status_code == 200
    assert response.get_json()["status"] == "revoked" and response.get_json()["revoked_at"]
    assert post_batch(client, edge, edge.seal(edge_records(1))).get_json()["error"] == "edge_revoked"
    again = client.post("/v1/admin/enrolment-tokens", json={"edge_id": edge.edge_id}, headers=auth_headers)
    assert again.status_code == 409 and again.get_json()["error"] == "edge_revoked"


def test_revoking_an_unknown_edge_gets_404(client, auth_headers):
    response = client.post("/v1/admin/edges/edge-404/revoke", headers=auth_headers)
    assert response.status_code == 404 and response.get_json()["error"] == "unknown_edge"


def test_edges_are_listed_with_certificate_expiry_and_signing_keys(client, make_edge, auth_headers):
    north, south = make_edge("edge-north"), make_edge("edge-south")
    client.post("/v1/admin/edges/edge-south/revoke", headers=auth_headers)
    listed = client.get("/v1/admin/edges", headers=auth_headers).get_json()
    assert [(e["edge_id"], e["status"]) for e in listed] == [("edge-north", "active"), ("edge-south", "revoked")]
    assert listed[0]["key_ids"] == [key_id(north.key.public_key())]
    assert listed[0]["cert_not_after"] > listed[0]["enrolled_at"]
    assert listed[1]["key_ids"] == [key_id(south.key.public_key())]
