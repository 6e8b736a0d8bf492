"""tablet.identity: the tablet's key stays put and private, and its TLS context trusts only the
pinned CA, for the edge's name, at whatever address it connects to."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import stat

import pytest

from provisioning import pki
from tablet.identity import TabletIdentity
from tests.unit_tablet.tabletkit import NAME, EdgeCa


def handshake(context: ssl.SSLContext, port: int, server_hostname: str = "127.0.0.1") -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock, \
            context.wrap_socket(sock, server_hostname=server_hostname):
        pass


def test_key_is_made_once_and_readable_by_the_owner_only(tmp_path):
    identity = TabletIdentity(tmp_path / "t")
    first = pki.key_to_pem(identity.key())

    assert pki.key_to_pem(identity.key()) == first
    assert stat.S_IMODE(identity.key_path.stat().st_mode) == 0o600


def test_csr_names_the_device_and_carries_the_tablets_key(tmp_path):
    identity = TabletIdentity(tmp_path / "t")
    csr = pki.load_csr(identity.csr_pem("tab-0007"))

    assert pki.common_name(csr) == "tab-0007"
    assert pki.spki_sha256(csr) == pki.spki_sha256(identity.key().public_key())


def test_enrolment_state_survives_a_restart(identity, edge_ca):
    again = TabletIdentity(identity.folder)

    assert again.enrolled
    assert (again.device, again.edge, again.state.broker_name, again.state.ca_pin) == (
        "tab-0001", "edge-1", NAME, edge_ca.pin)


def test_a_folder_without_enrolment_says_how_to_enrol(tmp_path):
    with pytest.raises(FileNotFoundError, match="throughgate tablet enrol"):
        _ = TabletIdentity(tmp_path / "empty").state


def test_renewed_certificate_keeps_the_key_and_moves_renew_after(identity, edge_ca):
    key_before = identity.key_path.read_bytes()
    cert = pki.issue(edge_ca.issuer, identity.key().public_key(), "tab-0001", pki.CLIENT, 60, unit="edge-1")

    identity.save_certificate(pki.cert_to_pem(cert).decode(), "2099-01-01T00:00:00.000Z")

    assert identity.key_path.read_bytes() == key_before
    assert identity.certificate().serial_number == cert.serial_number
    assert not identity.due_for_renewal()


def test_due_for_renewal_after_two_thirds_of_the_certificates_life(identity):
    now = pki.utcnow()

    assert not identity.due_for_renewal(now)
    assert identity.due_for_renewal(now + dt.timedelta(days=21))


def test_context_checks_the_edges_name_while_connecting_to_an_address(identity, edge_ca, listener_for):
    listener = listener_for(edge_ca)

    handshake(identity.ssl_context(), listener.port)  # server_hostname "127.0.0.1" is overridden

    listener.stop()
    assert listener.peers == ["tab-0001"]  # and the edge saw the tablet's certificate


def test_context_refuses_a_look_alike_with_the_same_name(identity, listener_for):
    listener = listener_for(EdgeCa.make())  # same edge id and name, another CA

    with pytest.raises(ssl.SSLCertVerificationError, match="certificate verify failed"):
        handshake(identity.ssl_context(), listener.port)


def test_context_refuses_a_certificate_of_the_pinned_ca_for_another_name(identity, edge_ca, listener_for):
    listener = listener_for(edge_ca)

    with pytest.raises(ssl.SSLCertVerificationError, match="Hostname mismatch"):
        handshake(identity.ssl_context(server_name="other.throughgate.internal"), listener.port)


def test_context_trusts_the_pinned_ca_only(identity):
    context = identity.ssl_context()

    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert [c["subject"] for c in context.get_ca_certs()] == [((("organizationName", "Throughgate"),),
                                                               (("organizationalUnitName", "edge-1"),),
                                                               (("commonName", "edge-1 tablet CA"),))]
