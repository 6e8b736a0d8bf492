"""Enrolment tokens: each enrols one edge once, before it expires, and only with its secret."""

from __future__ import annotations

import datetime as dt
import secrets
import threading

import pytest
from hubkit import EdgeIdentity

from hub import db
from hub.enrolment import edges, tokens
from hub.enrolment import service as enrolment
from hub.models import Edge, EdgeCertificate, EnrolmentToken
from hub.refusals import Refused
from provisioning.tokens import BootstrapToken
from wire.records import timestamp


def enrol(client, token, edge_id: str = "edge-1", identity: EdgeIdentity | None = None):
    identity = identity or EdgeIdentity.new(edge_id)
    return client.post("/v1/enrol", json=identity.request(str(token), edge_id))


def test_token_works_once_and_a_second_use_gets_410_saying_when(client, app):
    token, _info = tokens.create("edge-1", 600)
    assert enrol(client, token).status_code == 200
    again = enrol(client, token)
    assert again.status_code == 410
    body = again.get_json()
    used_at = EnrolmentToken.get(EnrolmentToken.token_id == token.token_id).used_at
    assert body["error"] == "token_used" and body["used_at"] == used_at and used_at in body["reason"]
    assert EdgeCertificate.select().count() == 1


def test_expired_token_gets_410(client, app):
    token, info = tokens.create("edge-1", 60, now=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2))
    response = enrol(client, token)
    assert response.status_code == 410
    assert response.get_json()["error"] == "token_expired" and info.expires in response.get_json()["reason"]
    assert Edge.select().count() == 0


def test_wrong_secret_gets_401_and_leaves_the_token_usable(client, app):
    token, _info = tokens.create("edge-1", 600)
    guessed = BootstrapToken(token.token_id, secrets.token_urlsafe(32))
    response = enrol(client, guessed)
    assert response.status_code == 401 and response.get_json()["error"] == "token_invalid"
    assert enrol(client, token).status_code == 200


@pytest.mark.parametrize("text", ["", "tgb1.nothex.abc", "not a token at all", "tgb1.00000000." + "A" * 43])
def test_malformed_or_unknown_token_gets_401(client, app, text):
    body = EdgeIdentity.new("edge-1").request(text or "x")
    response = client.post("/v1/enrol", json=body)
    assert response.status_code == 401 and response.get_json()["error"] == "token_invalid"


def test_token_for_another_edge_gets_403_and_stays_usable_for_its_own(client, app):
    token, _info = tokens.create("edge-1", 600)
    response = enrol(client, token, edge_id="edge-2")
    assert response.status_code == 403 and response.get_json()["error"] == "token_edge_mismatch"
    assert enrol(client, token, edge_id="edge-1").status_code == 200


def test_a_refused_enrolment_does_not_spend_the_token(client, app):
    token, _info = tokens.create("edge-1", 600)
    body = EdgeIdentity.new("edge-1").request(str(token)) | {"dns_names": ["Not A Name!"]}
    assert client.post("/v1/enrol", json=body).status_code == 400
    assert enrol(client, token).status_code == 200


def test_token_for_an_edge_revoked_since_gets_403_edge_revoked(client, app, make_edge):
    make_edge("edge-1")
    token, _info = tokens.create("edge-1", 600)
    edges.revoke("edge-1", timestamp())
    response = enrol(client, token)
    assert response.status_code == 403 and response.get_json()["error"] == "edge_revoked"
    assert EnrolmentToken.get(EnrolmentToken.token_id == token.token_id).used_at is None


def test_no_token_is_made_for_a_revoked_edge(app, make_edge):
    make_edge("edge-1")
    edges.revoke("edge-1", timestamp())
    with pytest.raises(Refused, match="new edge id"):
        tokens.create("edge-1", 600)


@pytest.mark.parametrize("ttl", [0, -5, 31 * 24 * 3600, "3600", 1.5])
def test_token_lifetime_must_be_whole_seconds_up_to_30_days(app, ttl):
    with pytest.raises(Refused, match="ttl_s"):
        tokens.create("edge-1", ttl)


def test_the_hub_keeps_only_a_digest_of_the_secret(app):
    token, _info = tokens.create("edge-1", 600)
    row = EnrolmentToken.get(EnrolmentToken.token_id == token.token_id)
    assert token.secret not in str(row.__data__)
    assert [t.token_id for t in tokens.list_tokens()] == [token.token_id]


def test_one_token_redeemed_by_8_threads_at_once_enrols_exactly_once(app, hub_db_url):
    """Run on SQLite and PostgreSQL: one UPDATE ... WHERE used_at IS NULL wins."""
    token, _info = tokens.create("edge-1", 600)
    requests = [EdgeIdentity.new("edge-1").request(str(token)) for _ in range(8)]
    barrier, results = threading.Barrier(8), []

    def attempt(body: dict) -> None:
        barrier.wait()
        try:
            with db.connected():
                enrolment.enrol(body, app.extensions["hub_ca"], app.extensions["hub_keys"].get(),
                                app.extensions["hub_terms"])
            results.append("enrolled")
        except Refused as exc:
            results.append(exc.code)

    threads = [threading.Thread(target=attempt, args=(body,)) for body in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["enrolled"] + ["token_used"] * 7
    with db.connected():
        assert EdgeCertificate.select().count() == 1 and Edge.select().count() == 1
