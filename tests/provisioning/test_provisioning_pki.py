"""The chain of trust's certificate rules, checked with `cryptography`'s verifier and with OpenSSL."""

from __future__ import annotations

import datetime as dt
import ssl
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from provisioning import pki

EDGE_NAME = "edge-1.throughgate.internal"


@pytest.fixture(scope="module")
def hub():
    return pki.make_root(pki.new_key(), "Throughgate hub root", 3650, path_length=1)


@pytest.fixture(scope="module")
def tablet_ca():
    return pki.make_root(pki.new_key(), "edge-1 tablet CA", 3650, unit="edge-1")


@pytest.fixture(scope="module")
def server(tablet_ca):
    key = pki.new_key()
    return key, pki.issue(tablet_ca, key.public_key(), EDGE_NAME, pki.SERVER, 90, unit="edge-1",
                          dns_names=[EDGE_NAME])


def test_edge_server_certificate_checks_out_against_its_own_tablet_ca(tablet_ca, server):
    pki.verify_server(server[1], [], [tablet_ca.cert], EDGE_NAME)


def test_hub_root_vouches_for_an_edge_through_its_cross_certificate(hub, tablet_ca, server):
    cross = pki.cross_certify(hub, tablet_ca.cert, 365, [EDGE_NAME])
    pki.verify_server(server[1], [cross], [hub.cert], EDGE_NAME)
    assert pki.spki_sha256(cross) == pki.spki_sha256(tablet_ca.cert)


def test_cross_certificate_does_not_vouch_for_names_outside_the_edge(hub, tablet_ca):
    cross = pki.cross_certify(hub, tablet_ca.cert, 365, [EDGE_NAME])
    key = pki.new_key()
    rogue = pki.issue(tablet_ca, key.public_key(), "hub", pki.SERVER, 30, dns_names=["hub.example.org"])
    with pytest.raises(pki.PkiError, match="name constraint"):
        pki.verify_server(rogue, [cross], [hub.cert], "hub.example.org")


def test_server_certificate_for_another_name_is_refused(tablet_ca, server):
    with pytest.raises(pki.PkiError):
        pki.verify_server(server[1], [], [tablet_ca.cert], "edge-2.throughgate.internal")


def test_tablet_certificate_from_another_edge_is_refused(tablet_ca):
    other = pki.make_root(pki.new_key(), "edge-2 tablet CA", 3650, unit="edge-2")
    cert = pki.issue(other, pki.new_key().public_key(), "tab-0001", pki.CLIENT, 30, unit="edge-2")
    pki.verify_client(cert, [], [other.cert])
    with pytest.raises(pki.PkiError):
        pki.verify_client(cert, [], [tablet_ca.cert])


def test_expired_tablet_certificate_is_refused(tablet_ca):
    long_ago = pki.utcnow() - dt.timedelta(days=60)
    cert = pki.issue(tablet_ca, pki.new_key().public_key(), "tab-0001", pki.CLIENT, 30, unit="edge-1", now=long_ago)
    with pytest.raises(pki.PkiError):
        pki.verify_client(cert, [], [tablet_ca.cert])


def test_client_certificate_names_its_holder_in_cn_and_uri(tablet_ca):
    cert = pki.issue(tablet_ca, pki.new_key().public_key(), "tab-0007", pki.CLIENT, 30, unit="edge-1")
    assert pki.common_name(cert) == "tab-0007"
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.UniformResourceIdentifier) == ["urn:throughgate:edge-1:tab-0007"]
    usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usage) == [x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]


def test_tablet_ca_cannot_make_another_ca(tablet_ca):
    assert tablet_ca.cert.extensions.get_extension_for_class(x509.BasicConstraints).value.path_length == 0


def test_validity_starts_an_hour_early_for_a_slow_clock(tablet_ca):
    now = pki.utcnow()
    cert = pki.issue(tablet_ca, pki.new_key().public_key(), "tab-1", pki.CLIENT, 30, unit="edge-1", now=now)
    assert cert.not_valid_before_utc <= now - dt.timedelta(minutes=59)


@pytest.mark.parametrize("make_key, message", [
    (lambda: ec.generate_private_key(ec.SECP384R1()), "P-256"),
    (lambda: rsa.generate_private_key(65537, 1024), "2048"),  # noqa: S505 (the point of the test)
    (lambda: ed25519.Ed25519PrivateKey.generate(), "P-256"),
])
def test_key_types_android_wifi_cannot_use_are_refused(make_key, message):
    key = make_key()
    if isinstance(key, ed25519.Ed25519PrivateKey):
        with pytest.raises(pki.PkiError, match=message):
            pki._check_key_type(key.public_key())
        return
    csr = pki.csr_to_pem(pki.make_csr(key, "tab-1"))
    with pytest.raises(pki.PkiError, match=message):
        pki.load_csr(csr)


def test_csr_with_a_broken_signature_is_refused():
    pem = pki.csr_to_pem(pki.make_csr(pki.new_key(), "tab-1"))
    der = bytearray(x509.load_pem_x509_csr(pem).public_bytes(pki.serialization.Encoding.DER))
    der[-5] ^= 0x01
    tampered = x509.load_der_x509_csr(bytes(der)).public_bytes(pki.serialization.Encoding.PEM)
    with pytest.raises(pki.PkiError, match="signature"):
        pki.load_csr(tampered)


def test_garbage_is_refused_with_a_reason():
    with pytest.raises(pki.PkiError, match="certificate request"):
        pki.load_csr(b"hello")
    with pytest.raises(pki.PkiError, match="BEGIN CERTIFICATE"):
        pki.load_cert(b"hello")


def test_crl_lists_revoked_serials_and_openssl_reads_it(tmp_path, tablet_ca):
    cert = pki.issue(tablet_ca, pki.new_key().public_key(), "tab-0002", pki.CLIENT, 30, unit="edge-1")
    crl = pki.make_crl(tablet_ca, [(cert.serial_number, pki.utcnow())], number=7, valid_days=14)
    assert crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None
    assert crl.is_signature_valid(tablet_ca.key.public_key())
    assert dt.timedelta(days=13) < pki.remaining(crl) <= dt.timedelta(days=14)
    (tmp_path / "crl.pem").write_bytes(pki.crl_to_pem(crl))
    (tmp_path / "ca.pem").write_bytes(pki.cert_to_pem(tablet_ca.cert))
    (tmp_path / "tab.pem").write_bytes(pki.cert_to_pem(cert))
    done = subprocess.run(["openssl", "verify", "-crl_check", "-CAfile", str(tmp_path / "ca.pem"),
                           "-CRLfile", str(tmp_path / "crl.pem"), str(tmp_path / "tab.pem")],
                          capture_output=True, text=True)
    assert done.returncode != 0 and "revoked" in (done.stdout + done.stderr)


def test_openssl_accepts_the_edge_server_through_the_hub_root(tmp_path, hub, tablet_ca, server):
    """What a tablet's TLS stack (OpenSSL, via Python's ssl) does with the chain."""
    cross = pki.cross_certify(hub, tablet_ca.cert, 365, [EDGE_NAME])
    (tmp_path / "root.pem").write_bytes(pki.cert_to_pem(hub.cert))
    (tmp_path / "chain.pem").write_bytes(pki.cert_to_pem(cross))
    (tmp_path / "srv.pem").write_bytes(pki.cert_to_pem(server[1]))
    done = subprocess.run(["openssl", "verify", "-CAfile", str(tmp_path / "root.pem"), "-untrusted",
                           str(tmp_path / "chain.pem"), "-verify_hostname", EDGE_NAME, str(tmp_path / "srv.pem")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    ssl.create_default_context(cafile=str(tmp_path / "root.pem"))  # loads as a trust anchor


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.1", "::1"])
def test_cross_certificate_vouches_for_no_ip_address(tmp_path, hub, tablet_ca, address):
    """A DNS-only constraint would leave IP subjectAltNames free: a stolen edge could vouch for the
    hub's own address. Refused by `cryptography` and by OpenSSL, even next to the edge's own name."""
    cross = pki.cross_certify(hub, tablet_ca.cert, 365, [EDGE_NAME])
    rogue = pki.issue(tablet_ca, pki.new_key().public_key(), EDGE_NAME, pki.SERVER, 30,
                      dns_names=[EDGE_NAME, address])
    with pytest.raises(pki.PkiError, match="excluded name constraint"):
        pki.verify_server(rogue, [cross], [hub.cert], EDGE_NAME)
    (tmp_path / "root.pem").write_bytes(pki.cert_to_pem(hub.cert))
    (tmp_path / "chain.pem").write_bytes(pki.cert_to_pem(cross))
    (tmp_path / "rogue.pem").write_bytes(pki.cert_to_pem(rogue))
    done = subprocess.run(["openssl", "verify", "-CAfile", str(tmp_path / "root.pem"), "-untrusted",
                           str(tmp_path / "chain.pem"), "-verify_ip", address, str(tmp_path / "rogue.pem")],
                          capture_output=True, text=True)
    assert done.returncode != 0 and "excluded" in (done.stdout + done.stderr).lower(), done.stdout + done.stderr


def test_renewal_is_due_after_two_thirds_of_the_life(tablet_ca):
    start = pki.utcnow()
    cert = pki.issue(tablet_ca, pki.new_key().public_key(), "tab-1", pki.CLIENT, 30, unit="edge-1", now=start)
    assert not pki.due_for_renewal(cert, now=start + dt.timedelta(days=19))
    assert pki.due_for_renewal(cert, now=start + dt.timedelta(days=21))
