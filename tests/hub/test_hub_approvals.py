"""Two admins for the most dangerous actions: an enrolment token, revoking an edge, rotating keys take
effect only when a second, different admin whose role may do them approves (API and CLI)."""

from __future__ import annotations

import datetime as dt

import pytest
from adminkit import admin_token, bearer
from hubkit import EdgeIdentity, edge_records, post_batch

from hub import cli, db
from hub.admins import roles
from hub.approvals import service as approvals
from hub.config import KEYS
from wire.records import timestamp

TWO_ADMINS = {"ADMIN_APPROVALS": True}


@pytest.fixture
def admins(app):
    """Tokens: alice and carol (fleet), bob and dave (security), erin (content)."""
    return {name: bearer(admin_token(name, role)) for name, role in (
        ("alice", roles.FLEET), ("carol", roles.FLEET), ("bob", roles.SECURITY), ("dave", roles.SECURITY),
        ("erin", roles.CONTENT))}


def enrol(client, token: str, edge_id: str = "edge-7"):
    return client.post("/v1/enrol", json=EdgeIdentity.new(edge_id).request(token))


def test_approvals_are_on_unless_a_hub_turns_them_off():
    assert KEYS["ADMIN_APPROVALS"].default is True


@pytest.mark.parametrize("hub_settings", [TWO_ADMINS])
def test_a_token_made_by_one_admin_does_not_work_until_a_second_admin_approves_it(client, admins):
    made = client.post("/v1/admin/enrolment-tokens", json={"edge_id": "edge-7"}, headers=admins["alice"])
    assert made.status_code == 202
    body = made.get_json()
    request_id = body["approval"]["id"]
    assert body["approval"]["status"] == "pending" and body["approval"]["requested_by"] == "alice"

    refused = enrol(client, body["token"])
    assert refused.status_code == 403 and refused.get_json()["error"] == "token_not_approved"
    assert f"throughgate hub approvals approve {request_id}" in refused.get_json()["reason"]

    own = client.post(f"/v1/admin/approvals/{request_id}/approve", headers=admins["alice"])
    assert own.status_code == 403 and own.get_json()["error"] == "same_admin"
    not_theirs = client.post(f"/v1/admin/approvals/{request_id}/approve", headers=admins["bob"])  # may not make one
    assert not_theirs.status_code == 403 and "may not decide on enrolment_tokens.create" in not_theirs.get_json()[
        "reason"]
    assert enrol(client, body["token"]).status_code == 403  # still waiting

    approved = client.post(f"/v1/admin/approvals/{request_id}/approve", headers=admins["carol"])
    assert approved.status_code == 200 and approved.get_json()["decided_by"] == "carol"
    assert enrol(client, body["token"]).status_code == 200
    again = client.post(f"/v1/admin/approvals/{request_id}/approve", headers=admins["carol"])
    assert again.status_code == 409 and again.get_json()["error"] == "request_approved"


@pytest.mark.parametrize("hub_settings", [TWO_ADMINS])
def test_a_refused_token_never_works(client, admins):
    body = client.post("/v1/admin/enrolment-tokens", json={"edge_id": "edge-7"}, headers=admins["alice"]).get_json()
    refusal = client.post(f"/v1/admin/approvals/{body['approval']['id']}/refuse", headers=admins["carol"])
    assert refusal.status_code == 200 and refusal.get_json()["status"] == "refused"
    refused = enrol(client, body["token"])
    assert refused.status_code == 403 and "refused by a second admin" in refused.get_json()["reason"]


@pytest.mark.parametrize("hub_settings", [TWO_ADMINS])
def test_revoking_an_edge_waits_for_a_second_admin(client, admins, edge):
    asked = client.post("/v1/admin/edges/edge-1/revoke", headers=admins["bob"])
    assert asked.status_code == 202 and asked.get_json()["status"] == "active"
    assert post_batch(client, edge, edge.seal(edge_records(1))).status_code == 200  # not revoked yet

    done = client.post(f"/v1/admin/approvals/{asked.get_json()['approval']['id']}/approve", headers=admins["alice"])
    assert done.status_code == 200
    response = post_batch(client, edge, edge.seal(edge_records(1)))
    assert response.status_code == 403 and response.get_json()["error"] == "edge_revoked"


@pytest.mark.parametrize("hub_settings", [TWO_ADMINS])
def test_rotating_keys_waits_for_a_second_security_admin(client, app, admins):
    before = app.extensions["hub_keys"].get().sealing.public_key().id
    asked = client.post("/v1/admin/keys/rotate", headers=admins["bob"])
    assert asked.status_code == 202 and app.extensions["hub_keys"].get().sealing.public_key().id == before
    request_id = asked.get_json()["approval"]["id"]
    assert client.post(f"/v1/admin/approvals/{request_id}/approve", headers=admins["alice"]).status_code == 403

    done = client.post(f"/v1/admin/approvals/{request_id}/approve", headers=admins["dave"]).get_json()
    after = app.extensions["hub_keys"].get().sealing.public_key().id
    assert after != before and done["detail"] == {"rotated_from": before, "rotated_to": after}


@pytest.mark.parametrize("hub_settings", [TWO_ADMINS])
def test_a_request_not_decided_in_time_expires(client, admins, edge):
    long_ago = timestamp(dt.datetime.now(dt.UTC) - dt.timedelta(days=2))
    with db.proxy.connection_context():
        asked = approvals.ask("edges.revoke", "edge-1", {}, "alice", 86400, long_ago)
    listed = client.get("/v1/admin/approvals", headers=admins["erin"]).get_json()
    assert [(r["id"], r["status"]) for r in listed] == [(asked.id, "expired")]
    late = client.post(f"/v1/admin/approvals/{asked.id}/approve", headers=admins["bob"])
    assert late.status_code == 409 and late.get_json()["error"] == "request_expired"
    assert post_batch(client, edge, edge.seal(edge_records(1))).status_code == 200


@pytest.mark.parametrize("hub_settings", [TWO_ADMINS])
def test_the_hubs_own_command_line_lists_and_approves_a_request(client, admins, instance, hub_db_url, monkeypatch,
                                                                 capsys):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("THROUGHGATE_HUB_DATABASE_URL", hub_db_url)
    body = client.post("/v1/admin/enrolment-tokens", json={"edge_id": "edge-7"}, headers=admins["alice"]).get_json()

    assert cli.main(["approvals", "list", "--instance", str(instance)]) == 0
    listed = capsys.readouterr().out
    assert "enrolment_tokens.create" in listed and "alice" in listed and "pending" in listed
    assert cli.main(["approvals", "approve", str(body["approval"]["id"]), "--instance", str(instance)]) == 0
    assert "takes effect now" in capsys.readouterr().out
    assert enrol(client, body["token"]).status_code == 200
    assert cli.main(["approvals", "refuse", str(body["approval"]["id"]), "--instance", str(instance)]) == 1
    assert "is approved (by cli:" in capsys.readouterr().err


def test_with_approvals_off_one_admin_acts_at_once(client, admins):
    made = client.post("/v1/admin/enrolment-tokens", json={"edge_id": "edge-7"}, headers=admins["alice"])
    assert made.status_code == 201 and "approval" not in made.get_json()
    assert enrol(client, made.get_json()["token"]).status_code == 200


@pytest.mark.parametrize("hub_settings", [TWO_ADMINS])
def test_one_admin_with_two_tokens_is_still_one_admin(client, admins, edge):
    alice_security = bearer(admin_token("alice", roles.SECURITY))  # alice's second token, another role
    asked = client.post("/v1/admin/edges/edge-1/revoke", headers=admins["alice"]).get_json()["approval"]
    own = client.post(f"/v1/admin/approvals/{asked['id']}/approve", headers=alice_security)
    assert own.status_code == 403 and own.get_json()["error"] == "same_admin"
    assert post_batch(client, edge, edge.seal(edge_records(1))).status_code == 200
