"""tablet.discovery and edge.host.discovery without a network: what the edge announces passes the
tablet's filter, look-alikes do not, and the TLS proof tells the edge from a copy. (Zeroconf itself
runs only inside network namespaces: tests/trust/test_trust_discovery_netns.py.)"""

from __future__ import annotations

import pytest

from edge.host import discovery as edge_discovery
from tablet import discovery
from tests.unit_tablet.tabletkit import NAME, EdgeCa


def announced_txt(edge: str, pin: str, name: str = NAME) -> dict[str, str]:
    """The TXT exactly as the edge puts it on the wire, read back as the tablet does."""
    info = edge_discovery.service_info(edge, name, pin, 8883, 8443, ["10.0.0.1"])
    return discovery.parse_txt(info.text)


def test_both_sides_agree_on_the_service_type():
    assert edge_discovery.SERVICE_TYPE == discovery.SERVICE_TYPE == "_throughgate._tcp.local."


def test_the_edges_announcement_is_what_the_contract_says(edge_ca):
    info = edge_discovery.service_info("edge-1", NAME, edge_ca.pin, 8883, 8443, ["10.0.0.1"])

    assert info.name == "edge-1._throughgate._tcp.local."
    assert (info.port, info.parsed_addresses()) == (8883, ["10.0.0.1"])
    assert discovery.parse_txt(info.text) == {"v": "1", "edge": "edge-1", "ca": edge_ca.pin, "https": "8443",
                                              "name": NAME}


def test_the_tablet_keeps_its_own_edge(identity, edge_ca):
    assert discovery.matches(announced_txt("edge-1", edge_ca.pin), identity.state)


@pytest.mark.parametrize("edge, pin_of", [("edge-1", "other"), ("edge-2", "own"), ("edge-2", "other")])
def test_the_tablet_drops_another_edge_or_another_ca(identity, edge_ca, edge, pin_of):
    pin = edge_ca.pin if pin_of == "own" else EdgeCa.make().pin

    assert not discovery.matches(announced_txt(edge, pin), identity.state)


def test_a_future_txt_version_is_not_guessed_at(identity, edge_ca):
    assert not discovery.matches({**announced_txt("edge-1", edge_ca.pin), "v": "2"}, identity.state)


def test_parse_txt_reads_length_prefixed_pairs_and_ignores_junk():
    raw = b"\x03v=1\x0bedge=edge-1\x00\x04ca=x\x06EDGE=y\x07noequal"

    assert discovery.parse_txt(raw) == {"v": "1", "edge": "edge-1", "ca": "x", "noequal": ""}


def test_merged_responders_give_every_address_when_one_txt_matches(identity, edge_ca):
    """A hostile responder answering for the edge's own name: its TXT cannot hide the edge's."""
    hostile = announced_txt("edge-1", EdgeCa.make().pin)
    real = announced_txt("edge-1", edge_ca.pin)
    services = [("edge-1.local.", 8883)]
    addresses = {"edge-1.local.": ["10.0.0.1", "10.0.0.3"]}

    heard = discovery.Announcement("edge-1._throughgate._tcp.local.", [hostile, real], services, addresses)

    found = discovery.candidates(heard, identity.state)

    assert [(c.address, c.port, c.name, c.https_port) for c in found] == [("10.0.0.1", 8883, NAME, 8443),
                                                                          ("10.0.0.3", 8883, NAME, 8443)]


def test_no_candidates_when_no_txt_matches(identity):
    other = announced_txt("edge-1", EdgeCa.make().pin)

    heard = discovery.Announcement("x", [other], [("h.local.", 1)], {"h.local.": ["10.0.0.9"]})

    assert discovery.candidates(heard, identity.state) == []


def test_advertiser_announces_on_ipv4_addresses_only(edge_ca):
    with pytest.raises(ValueError, match="IPv4"):
        edge_discovery.Advertiser("edge-1", NAME, edge_ca.pin, 8883, 8443, ["fe80::1"])
    with pytest.raises(ValueError, match="address"):
        edge_discovery.Advertiser("edge-1", NAME, edge_ca.pin, 8883, 8443, [])


def serving(listener_for, ca: EdgeCa) -> discovery.Candidate:
    return discovery.Candidate("127.0.0.1", listener_for(ca).port, ca.name)


def test_connectable_proves_the_real_edge(identity, edge_ca, listener_for):
    assert discovery.connectable(serving(listener_for, edge_ca), identity)


def test_connectable_refuses_a_look_alike_that_copies_name_and_txt(identity, listener_for):
    candidate = serving(listener_for, EdgeCa.make())  # same edge id and TLS name, its own CA

    assert not discovery.connectable(candidate, identity)
    assert "not from the pinned tablet CA" in discovery.tls_error(candidate, identity)


def test_connectable_is_false_when_nothing_listens(identity):
    assert not discovery.connectable(discovery.Candidate("127.0.0.1", 9, NAME), identity, timeout=1)
