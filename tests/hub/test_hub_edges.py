"""The edges a hub trusts: enrolled, re-enrolled, revoked and listed (service functions)."""

from __future__ import annotations

import pytest
from hubkit import enrol_edge

from hub import edges
from hub.models import EdgeCertificate
from hub.refusals import Refused
from wire.keys import key_id
from wire.records import timestamp


def test_enrolled_edge_is_listed_active_with_its_key_id_and_certificate_expiry(app, edge):
    [info] = edges.list_edges(timestamp())
    assert (info.edge_id, info.status, info.revoked_at) == ("edge-1", "active", None)
    assert info.key_ids == (key_id(edge.key.public_key()),)
    assert info.cert_not_after == EdgeCertificate.get().not_after


def test_revoked_edge_stays_listed_as_revoked(app, edge):
    info = edges.revoke("edge-1", timestamp())
    assert info.status == "revoked" and info.revoked_at
    assert edges.revoke("edge-1", timestamp()) == info  # revoking twice changes nothing
    assert [e.status for e in edges.list_edges(timestamp())] == ["revoked"]


def test_re_enrolment_keeps_the_first_registration_and_replaces_the_certificates(app, edge):
    first = edges.list_edges(timestamp())[0]
    replacement = enrol_edge(app, "edge-1")
    [info] = edges.list_edges(timestamp())
    assert info.registered_at == first.registered_at and info.enrolled_at >= first.enrolled_at
    assert info.key_ids[0] == key_id(replacement.key.public_key())
    assert EdgeCertificate.select().where(EdgeCertificate.revoked_at.is_null()).count() == 1


@pytest.mark.parametrize("edge_id", ["", "-edge", "edge one", "e" * 65, "edge/1", "edge-1\n"])
def test_bad_edge_id_is_refused(edge_id):
    with pytest.raises(Refused, match="not an edge id"):
        edges.check_edge_id(edge_id)


def test_revoking_an_unknown_edge_says_how_to_list_edges(app):
    with pytest.raises(Refused, match="throughgate hub edges list"):
        edges.revoke("edge-404", timestamp())
