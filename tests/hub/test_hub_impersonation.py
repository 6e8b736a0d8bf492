"""A stolen edge cannot pose as the hub (or as another edge) to anyone who trusts the hub root.

Its tablet CA is cross-certified by the hub root, so whatever that CA signs chains to the root,
which every edge trusts for the hub's TLS. The cross-certificate permits the edge's own DNS
name only, and no IP address; and the hub alone decides that name. Checked with real TLS
handshakes (OpenSSL through Python's ssl, as the edge's HubClient does) against a rogue server.
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
from contextlib import contextmanager

import pytest
from hubkit import EdgeIdentity, enrol_edge, https, tls_client

from provisioning import pki

HUB_NAMES = ["localhost", "127.0.0.1"]  # hubkit.TLS_NAMES: what an edge connects to the hub by


@pytest.fixture
def thief(app):
    """edge-evil, enrolled honestly, then stolen: its tablet CA key and cross-certificate."""
    identity = EdgeIdentity.new("edge-evil")
    edge = enrol_edge(app, "edge-evil", identity)
    return identity, pki.load_cert(edge.answer["cross_certificate"].encode()), edge


@contextmanager
def rogue_server(tmp_path, tablet_ca: pki.Issuer, cross, names: list[str]):
    """A TLS server presenting a certificate for `names` from the stolen tablet CA, with the
    cross-certificate as its chain; yields its port."""
    key = pki.new_key()
    leaf = pki.issue(tablet_ca, key.public_key(), names[0], pki.SERVER, 30, dns_names=names)
    (tmp_path / "rogue.pem").write_bytes(pki.certs_to_pem([leaf, cross]))
    (tmp_path / "rogue.key").write_bytes(pki.key_to_pem(key))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "rogue.pem", tmp_path / "rogue.key")
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _address = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                try:
                    with context.wrap_socket(conn, server_side=True) as tls:
                        tls.sendall(b'{"sealing_key": "the thief\'s"}')
                except (ssl.SSLError, OSError):
                    pass

    thread = threading.Thread(target=serve, name="rogue-hub", daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def handshake(root_file, port: int, server_name: str) -> bytes:
    """Connect as an edge does to its hub: trusting only the hub root, checking `server_name`."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw, \
            tls_client(root_file).wrap_socket(raw, server_hostname=server_name) as tls:
        return tls.recv(100)


def test_the_stolen_chain_works_for_the_edges_own_name(tmp_path, root_file, thief):
    """The control: the rogue server's chain is sound, so the refusals below are about names."""
    identity, cross, _edge = thief
    with rogue_server(tmp_path, identity.tablet_ca, cross, ["edge-evil.throughgate.internal"]) as port:
        assert handshake(root_file, port, "edge-evil.throughgate.internal").startswith(b"{")


@pytest.mark.parametrize("names, connect_to", [
    (["edge-evil.throughgate.internal", "127.0.0.1"], "127.0.0.1"),  # an IP address next to its own name
    (["127.0.0.1"], "127.0.0.1"),
    (["localhost"], "localhost"),                                    # the hub's DNS name
    (["edge-victim.throughgate.internal"], "edge-victim.throughgate.internal"),  # another edge
])
def test_a_stolen_edge_cannot_pose_as_the_hub_or_another_edge(tmp_path, root_file, thief, names, connect_to):
    identity, cross, _edge = thief
    with rogue_server(tmp_path, identity.tablet_ca, cross, names) as port, \
            pytest.raises(ssl.SSLCertVerificationError, match="name constraint|permitted|excluded"):
        handshake(root_file, port, connect_to)


@pytest.mark.parametrize("names", [["localhost"], ["edge-evil.throughgate.internal", "localhost"],
                                   ["edge-victim.throughgate.internal"], ["127.0.0.1"]])
def test_renewal_cannot_widen_the_names_the_hub_vouches_for(server, thief, connect_as, names):
    _identity, _cross, edge = thief
    csr = pki.csr_to_pem(pki.make_csr(pki.new_key(), edge.edge_id)).decode()
    status, body = https("POST", f"{server.url}/v1/edge/renew", connect_as(edge),
                         json.dumps({"csr": csr, "dns_names": names}).encode(), {"Content-Type": "application/json"})
    assert status == 400 and body["error"] == "bad_request"
    assert '["edge-evil.throughgate.internal"]' in body["reason"]


def test_a_renewed_cross_certificate_still_vouches_for_the_edge_only(tmp_path, server, root_file, thief, connect_as):
    identity, _cross, edge = thief
    csr = pki.csr_to_pem(pki.make_csr(pki.new_key(), edge.edge_id)).decode()
    status, body = https("POST", f"{server.url}/v1/edge/renew", connect_as(edge), json.dumps({"csr": csr}).encode(),
                         {"Content-Type": "application/json"})
    assert status == 200
    renewed = pki.load_cert(body["cross_certificate"].encode())
    for name in HUB_NAMES:
        with rogue_server(tmp_path, identity.tablet_ca, renewed, [name]) as port, \
                pytest.raises(ssl.SSLCertVerificationError):
            handshake(root_file, port, name)
