"""The edges a hub trusts: enrolled, re-enrolled, revoked and listed (service functions)."""

from __future__ import annotations

import pytest
from hubkit import enrol_edge

from hub.enrolment import edges
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


@pytest.mark.parametrize("edge_id", ["", "-edge", "edge-", "edge one", "e" * 64, "edge/1", "edge-1\n",
                                     "edge.1", "north.edge-1", "edge_1", "Edge-1", None, 7])
def test_bad_edge_id_is_refused(edge_id):
    """An edge id is one lower-case DNS label: no edge's name `<id>.<suffix>` is inside another's
    (a cross-certificate permits its name and all below), and no two ids differ only in case."""
    with pytest.raises(Refused, match="not an edge id|not a string"):
        edges.check_edge_id(edge_id)


@pytest.mark.parametrize("edge_id", ["edge-1", "e", "7", "e" * 63, "hmp-north-2"])
def test_an_edge_is_named_by_its_id_under_the_suffix(edge_id):
    assert edges.tablet_name(edge_id, "throughgate.internal", ["localhost", "127.0.0.1"]) == \
        f"{edge_id}.throughgate.internal"


@pytest.mark.parametrize("hub_name", [
    "hub.throughgate.internal",         # the edge's name itself
    "HUB.Throughgate.Internal.",        # in any case, fully qualified
    "api.hub.throughgate.internal",     # a name under it: the constraint permits subdomains
    "*.throughgate.internal",           # a wildcard matching it
    "*.hub.throughgate.internal",       # a wildcard under it
])
def test_an_edge_name_covering_one_of_the_hubs_names_is_refused(hub_name):
    with pytest.raises(Refused, match="covers the hub's own name") as refused:
        edges.tablet_name("hub", "throughgate.internal", ["localhost", hub_name])
    assert (refused.value.status, refused.value.code) == (409, "edge_name_conflict")


@pytest.mark.parametrize("hub_name", ["throughgate.internal", "hub2.throughgate.internal", "127.0.0.1", "::1",
                                      "*.example.org", "hub.example.org"])
def test_hub_names_beside_or_above_the_edge_name_are_no_conflict(hub_name):
    assert edges.tablet_name("hub", "throughgate.internal", [hub_name]) == "hub.throughgate.internal"


def test_revoking_an_unknown_edge_says_how_to_list_edges(app):
    with pytest.raises(Refused, match="throughgate hub edges list"):
        edges.revoke("edge-404", timestamp())
