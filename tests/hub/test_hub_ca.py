"""The hub's root CA and its own HTTPS certificate, as files in the instance."""

from __future__ import annotations

import datetime as dt
import stat

import pytest
from cryptography import x509

from hub import ca
from hub.config import HubConfigError
from provisioning import pki

NAMES = ["hub.example.org", "10.0.0.5"]


@pytest.fixture
def paths(tmp_path):
    return ca.files(tmp_path)


@pytest.fixture
def root(paths):
    return ca.create_root(paths)


def test_root_is_a_ten_year_ca_that_may_certify_one_level_below_it(root, paths):
    assert stat.S_IMODE(paths.root_key.stat().st_mode) == 0o600
    cert = pki.load_cert(paths.root_cert.read_bytes())
    constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    assert (constraints.ca, constraints.path_length) == (True, 1)
    assert (cert.not_valid_after_utc - cert.not_valid_before_utc).days >= 3650
    assert cert.subject == cert.issuer
    assert ca.root_pin(ca.load_root(paths)) == pki.spki_sha256(cert)


def test_an_existing_root_is_never_replaced(root, paths):
    before = paths.root_cert.read_bytes()
    with pytest.raises(HubConfigError, match="every edge pins it"):
        ca.create_root(paths)
    assert paths.root_cert.read_bytes() == before


def test_a_missing_root_says_to_run_init(paths):
    with pytest.raises(HubConfigError, match="run `throughgate hub init"):
        ca.load_root(paths)


def test_a_root_key_that_does_not_match_its_certificate_is_refused(root, paths, tmp_path):
    other = ca.create_root(ca.files(tmp_path / "other"))
    paths.root_key.write_bytes(pki.key_to_pem(other.key))
    with pytest.raises(HubConfigError, match="does not belong"):
        ca.load_root(paths)


def test_server_certificate_is_issued_by_the_root_for_the_tls_names_for_90_days(root, paths):
    cert = ca.issue_server_cert(root, paths, NAMES)
    assert stat.S_IMODE(paths.server_key.stat().st_mode) == 0o600
    pki.verify_server(cert, [], [root.cert], "hub.example.org")
    alt = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert [str(ip) for ip in alt.get_values_for_type(x509.IPAddress)] == ["10.0.0.5"]
    assert (cert.not_valid_after_utc - cert.not_valid_before_utc).days == 90


def test_server_certificate_is_re_issued_when_two_thirds_of_its_life_are_gone(root, paths):
    ca.issue_server_cert(root, paths, NAMES)
    later = pki.utcnow() + dt.timedelta(days=50)
    assert not ca.ensure_server_cert(root, paths, NAMES, now=later)
    before = paths.server_cert.read_bytes()
    assert ca.ensure_server_cert(root, paths, NAMES, now=pki.utcnow() + dt.timedelta(days=61))
    assert paths.server_cert.read_bytes() != before


@pytest.mark.parametrize("change", ["names", "key", "missing"])
def test_server_certificate_is_re_issued_when_it_no_longer_fits(root, paths, change):
    ca.issue_server_cert(root, paths, NAMES)
    names = NAMES
    if change == "names":
        names = ["hub2.example.org"]
    elif change == "key":
        paths.server_key.write_bytes(pki.key_to_pem(pki.new_key()))
    else:
        paths.server_cert.unlink()
    assert ca.ensure_server_cert(root, paths, names)
    cert = pki.load_cert(paths.server_cert.read_bytes())
    key = pki.load_key(paths.server_key.read_bytes())
    assert pki.spki_sha256(cert) == pki.spki_sha256(key.public_key())
    assert not ca.ensure_server_cert(root, paths, names)


def test_re_issuing_the_server_certificate_keeps_its_key(root, paths):
    ca.issue_server_cert(root, paths, NAMES)
    key_pem = paths.server_key.read_bytes()
    assert ca.ensure_server_cert(root, paths, ["hub2.example.org"])
    assert paths.server_key.read_bytes() == key_pem
    assert pki.spki_sha256(pki.load_cert(paths.server_cert.read_bytes())) == \
        pki.spki_sha256(pki.load_key(key_pem).public_key())


@pytest.mark.parametrize("spoil", ["missing", "garbage"])
def test_a_missing_or_unreadable_server_key_is_replaced_by_a_new_one(root, paths, spoil):
    ca.issue_server_cert(root, paths, NAMES)
    if spoil == "missing":
        paths.server_key.unlink()
    else:
        paths.server_key.write_bytes(b"not a key")
    assert ca.ensure_server_cert(root, paths, NAMES)
    assert stat.S_IMODE(paths.server_key.stat().st_mode) == 0o600
    key = pki.load_key(paths.server_key.read_bytes())
    assert pki.spki_sha256(pki.load_cert(paths.server_cert.read_bytes())) == pki.spki_sha256(key.public_key())
