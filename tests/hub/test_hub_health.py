"""Only /healthz is open to anyone, and it says nothing but whether the hub is up."""

from __future__ import annotations

import pytest

from hub.app import create_app


def test_healthz_answers_ok_and_nothing_else(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"ok": True}


UNREACHABLE = ["sqlite:////nonexistent-dir/hub.db", "postgresql://127.0.0.1:1/nothing-listens-here"]


@pytest.fixture(params=UNREACHABLE, ids=["sqlite", "postgres"])
def client_without_database(request, instance):
    return create_app({"DATABASE_URL": request.param}, instance_path=instance).test_client()


def test_healthz_says_not_ok_when_the_database_cannot_be_reached(client_without_database):
    response = client_without_database.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"ok": False}


def test_an_edges_batch_gets_503_when_the_database_cannot_be_reached(edge, client_without_database):
    """The edge (enrolled while the database answered) is known from its certificate by a database
    query, which fails. A request connects at its first query (hub/db.py), so a batch without a
    certificate gets 401 before the database is asked anything."""
    response = client_without_database.post("/v1/batches", data=b"x", content_type="application/cbor",
                                             environ_base=edge.environ)
    assert response.status_code == 503
    assert response.get_json()["error"] == "database_unavailable"


def test_unknown_route_is_a_json_404(client):
    response = client.get("/v1/keys")
    assert response.status_code == 404
    assert set(response.get_json()) == {"error", "reason"}


def test_wrong_method_is_a_json_405(client):
    response = client.get("/v1/batches")
    assert response.status_code == 405
    assert response.get_json()["error"] == "method_not_allowed"
