"""The edge talks only to the hub itself: a server whose certificate chains to the hub root through
an edge's cross-certificate (a stolen edge posing as the hub) is refused before anything is sent."""

from __future__ import annotations

import pytest
from httpskit import serve_https

from edge.uplink.hubclient import HubClient
from provisioning import pki


@pytest.fixture
def hub_root(tmp_path):
    root = pki.make_root(pki.new_key(), "hub root", 30, path_length=1)
    (tmp_path / "root.pem").write_bytes(pki.cert_to_pem(root.cert))
    return root


def test_the_real_hub_certificate_is_accepted(tmp_path, hub_root):
    key = pki.new_key()
    cert = pki.issue(hub_root, key.public_key(), "localhost", pki.SERVER, 30, dns_names=["localhost"])
    server = serve_https(tmp_path, pki.cert_to_pem(cert), key)
    try:
        client = HubClient(f"https://localhost:{server.server_address[1]}", ca_file=tmp_path / "root.pem")
        assert client.request("GET", "/")[0] == 200
    finally:
        server.shutdown()


def test_a_chain_through_an_edges_cross_certificate_is_not_the_hub(tmp_path, hub_root):
    tablet_ca = pki.make_root(pki.new_key(), "edge-9 tablet CA", 365, unit="edge-9")
    cross = pki.cross_certify(hub_root, tablet_ca.cert, 30, ["localhost"])  # as if a hub had been fooled
    key = pki.new_key()
    cert = pki.issue(tablet_ca, key.public_key(), "localhost", pki.SERVER, 30, dns_names=["localhost"])
    server = serve_https(tmp_path, pki.cert_to_pem(cert) + pki.cert_to_pem(cross), key)
    try:
        client = HubClient(f"https://localhost:{server.server_address[1]}", ca_file=tmp_path / "root.pem")
        with pytest.raises(OSError, match="not the hub"):
            client.request("GET", "/")
    finally:
        server.shutdown()
