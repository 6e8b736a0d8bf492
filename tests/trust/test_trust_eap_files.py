"""edge.wifi.eap without hostapd: what it renders, which certificates it lets in, the files it writes."""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
from pathlib import Path

import pytest
from trustkit import EdgeKit

from edge.identity import EdgeFiles
from edge.tablets import registry as tablets
from edge.wifi import eap
from edge.wifi.radius_proxy import CLASS_PREFIX
from provisioning import pki

DOCS = Path(__file__).resolve().parents[2] / "docs" / "wifi.md"


@pytest.fixture
def kit(tmp_path):
    made = EdgeKit(tmp_path).build(["tab-0001", "tab-0002"])
    yield made
    made.stop()


def serial(kit: EdgeKit, device: str) -> int:
    return pki.load_cert(kit.tablet(device).cert.read_bytes()).serial_number


@pytest.mark.parametrize("number, name", [(0x1001, "1001"), (0x123, "0123"), (0x8A << 152 | 1, "8A" + "00" * 18 + "01"),
                                          (0xABC, "0ABC"), (5, "05")])
def test_serial_is_named_as_hostapd_names_it(number, name):
    assert eap.serial_hex(number) == name


def test_eap_users_bind_each_serial_to_its_device_and_end_with_the_catch_all():
    text = eap.render_eap_users([("tab-0002", 0x1002), ("tab-0001", 0x123)])
    entries = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert entries == ['"cert-0123"\tTLS', "radius_accept_attr=1:s:tab-0001",
                       f"radius_accept_attr=25:s:{CLASS_PREFIX}tab-0001",
                       '"cert-1002"\tTLS', "radius_accept_attr=1:s:tab-0002",
                       f"radius_accept_attr=25:s:{CLASS_PREFIX}tab-0002",
                       "*\tTLS"]  # last: hostapd takes the first match, and * matches cert-... too


@pytest.mark.parametrize("device", ["tab-0001\n*\tTLS", 'tab"1', "TAB-1", ""])
def test_eap_users_refuse_a_device_id_that_could_change_the_file(device):
    with pytest.raises(eap.EapError):
        eap.render_eap_users([(device, 1)])


def test_radius_server_config_keeps_crl_checks_and_no_resumption(tmp_path):
    edge, wifi = EdgeFiles(tmp_path), eap.EapFiles(tmp_path / "wifi")
    settings = dict(re.findall(r"^(\w+)=(.*)$", eap.render_radius_server(edge, wifi, 18999, 300), re.M))
    assert settings | {"check_crl": "1", "check_crl_strict": "0", "crl_reload_interval": "300",
                       "tls_session_lifetime": "0", "driver": "none", "radius_server_auth_port": "18999",
                       "ca_cert": str(wifi.ca_bundle), "server_cert": str(edge.server_cert)} == settings
    with pytest.raises(eap.EapError):
        eap.render_radius_server(edge, wifi, 18999, 0)


def test_every_hostapd_setting_is_explained_in_docs_wifi_md(tmp_path):
    docs = DOCS.read_text()
    rendered = eap.render_radius_server(EdgeFiles(tmp_path), eap.EapFiles(tmp_path / "wifi"))
    for key in re.findall(r"^(\w+)=", rendered, re.M):
        assert f"`{key}" in docs, key


def test_active_certificates_leave_out_revoked_and_expired_ones(kit):
    one, two = serial(kit, "tab-0001"), serial(kit, "tab-0002")
    key = pki.new_key()
    renewed = tablets.renew("tab-0001", one, pki.csr_to_pem(pki.make_csr(key, "tab-0001")).decode(), kit.files,
                            kit.config.tablets.cert_days).certificate.serial_number
    assert sorted(eap.active_certs()) == sorted([("tab-0001", one), ("tab-0001", renewed), ("tab-0002", two)])
    tablets.revoke("tab-0002", kit.files, kit.config.tablets.crl_days)
    assert sorted(eap.active_certs()) == sorted([("tab-0001", one), ("tab-0001", renewed)])
    later = pki.utcnow() + dt.timedelta(days=kit.config.tablets.cert_days + 1)
    assert eap.active_certs(later) == []


def test_files_are_written_with_the_secret_made_once_and_private(kit):
    assert not eap.refresh(kit.files)  # wifi not set up: nothing to do
    wifi = eap.write_eap_files(kit.files, port=18999)
    first = eap.secret(wifi)
    assert len(first) >= 32
    for path in (wifi.secret, wifi.clients):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert first in wifi.clients.read_text() and wifi.clients.read_text().split()[-2] == "127.0.0.1/32"
    bundle = wifi.ca_bundle.read_bytes()
    assert pki.load_certs(bundle) == [pki.load_cert(kit.files.ca_cert.read_bytes())]
    assert bundle.endswith(kit.files.crl.read_bytes())
    assert f"cert-{eap.serial_hex(serial(kit, 'tab-0001'))}" in wifi.users.read_text()

    eap.write_eap_files(kit.files, port=18999)
    assert eap.secret(wifi) == first
    tablets.revoke("tab-0001", kit.files, kit.config.tablets.crl_days)
    assert not eap.refresh(kit.files)  # written, but no hostapd to tell
    assert f"cert-{eap.serial_hex(serial(kit, 'tab-0001'))}" not in wifi.users.read_text()
    assert wifi.ca_bundle.read_bytes().endswith(kit.files.crl.read_bytes())


def test_reload_signals_only_a_hostapd(tmp_path):
    pid_file = tmp_path / "hostapd.pid"
    assert not eap.reload_users(pid_file)  # no file
    pid_file.write_text(f"{os.getpid()}\n")  # a stale file naming another process (this one)
    assert not eap.reload_users(pid_file)  # and this test is still alive: no SIGHUP sent
    pid_file.write_text("not a pid\n")
    assert not eap.reload_users(pid_file)
