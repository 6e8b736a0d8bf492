"""Registering, listing and revoking the edges a hub trusts."""

from __future__ import annotations

import pytest

from hub import edges
from wire.keys import key_id, new_signing_key, verify_key_to_pem


@pytest.fixture
def edge_key():
    return new_signing_key().public_key()


def test_registered_edge_is_listed_active_with_its_key_id(app, edge_key):
    info = edges.register("edge-1", verify_key_to_pem(edge_key))
    assert (info.status, info.key_id, info.revoked_at) == ("active", key_id(edge_key), None)
    assert edges.list_edges() == [info]


def test_revoked_edge_stays_listed_as_revoked(app, edge_key):
    edges.register("edge-1", verify_key_to_pem(edge_key))
    info = edges.revoke("edge-1")
    assert info.status == "revoked" and info.revoked_at
    assert edges.revoke("edge-1") == info  # revoking twice changes nothing
    assert [e.status for e in edges.list_edges()] == ["revoked"]


@pytest.mark.parametrize("edge_id", ["", "-edge", "edge one", "e" * 65, "edge/1", "edge-1\n"])
def test_bad_edge_id_is_refused(app, edge_key, edge_id):
    with pytest.raises(edges.EdgeError, match="not an edge id"):
        edges.register(edge_id, verify_key_to_pem(edge_key))


def test_key_that_is_not_an_ed25519_public_key_is_refused(app):
    with pytest.raises(edges.EdgeError, match="BEGIN PUBLIC KEY"):
        edges.register("edge-1", b"-----BEGIN PUBLIC KEY-----\nnonsense\n-----END PUBLIC KEY-----\n")


def test_edge_id_cannot_be_registered_twice(app, edge_key):
    edges.register("edge-1", verify_key_to_pem(edge_key))
    with pytest.raises(edges.EdgeError, match="already registered"):
        edges.register("edge-1", verify_key_to_pem(new_signing_key().public_key()))


def test_revoking_an_unknown_edge_says_how_to_list_edges(app):
    with pytest.raises(edges.EdgeError, match="throughgate hub edges list"):
        edges.revoke("edge-404")
