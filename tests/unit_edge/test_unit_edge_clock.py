"""The edge notices when its clock is far from the hub's (from the Date header of real HTTPS
responses) and raises an alarm a person can act on; a small skew is tolerated silently."""

from __future__ import annotations

import pytest
from httpskit import serve_https

from edge import store
from edge.config import EdgeConfig
from edge.service import EdgeService
from edge.uplink.hubclient import HubClient
from provisioning import pki


@pytest.fixture
def skewed_hub(tmp_path):
    """A real HTTPS server whose clock is `offset` seconds off ours (it says so in its Date header)."""
    root = pki.make_root(pki.new_key(), "test root", 30, path_length=1)
    key = pki.new_key()
    cert = pki.issue(root, key.public_key(), "localhost", pki.SERVER, 30, dns_names=["localhost"])
    (tmp_path / "root.pem").write_bytes(pki.cert_to_pem(root.cert))
    offset = {"s": 0.0}
    server = serve_https(tmp_path, pki.cert_to_pem(cert), key, offset)
    client = HubClient(f"https://localhost:{server.server_address[1]}", ca_file=tmp_path / "root.pem")
    yield client, offset
    client.close()
    server.shutdown()


def _service(tmp_path, client) -> EdgeService:
    config = EdgeConfig(instance=tmp_path, edge_id="edge-1")
    store.open_store(str(tmp_path / "edge.db"))
    service = EdgeService(config)
    service.hub_client = client
    return service


def test_box_clock_an_hour_off_raises_a_clock_skew_alarm(tmp_path, skewed_hub):
    client, offset = skewed_hub
    offset["s"] = -3600
    client.request("GET", "/")
    assert client.clock_skew_s == pytest.approx(-3600, abs=5)
    service = _service(tmp_path, client)
    service.check_clock()
    alarms = [a.message for a in store.open_alarms() if a.code == "clock_skew"]
    assert alarms and "timedatectl" in alarms[0] and "-360" in alarms[0]


def test_small_skew_is_tolerated_and_clears_the_alarm(tmp_path, skewed_hub):
    client, offset = skewed_hub
    service = _service(tmp_path, client)
    offset["s"] = 7200
    client.request("GET", "/")
    service.check_clock()
    offset["s"] = 30
    client.request("GET", "/")
    service.check_clock()
    assert not [a for a in store.open_alarms() if a.code == "clock_skew"]
