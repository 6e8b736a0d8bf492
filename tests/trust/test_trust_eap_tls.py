"""EAP-TLS on the wifi, end to end: the real hostapd 2.10 (driver=none, a RADIUS server) behind
edge.wifi.radius_proxy, and eapol_test as the tablet, on a real edge (trustkit: `edge init`, tablets
enrolled with one-time codes through edge.tablets.registry) and its files from edge.wifi.eap.

hostapd 2.10 cannot choose its address: it listens on 0.0.0.0:<port>. It takes a free high port
here and answers only 127.0.0.1 (wifi/radius-clients); the proxy binds 127.0.0.1 on port 0.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from trustkit import Credential, EdgeKit

from edge.identity import tablet_ca
from edge.tablets import registry as tablets
from edge.wifi import eap
from edge.wifi.radius_proxy import RadiusProxy
from provisioning import pki
from provisioning.files import write_atomic

EAPOL_TEST = shutil.which("eapol_test")
pytestmark = pytest.mark.skipif(
    not (Path(eap.HOSTAPD).exists() and EAPOL_TEST),
    reason="needs hostapd and eapol_test: apt-get install hostapd eapoltest (`make test` does)")

RELOAD_S = 2  # crl_reload_interval for these tests; production keeps 300
MARGIN_S = 1.5


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serial(credential: Credential) -> int:
    return pki.load_cert(credential.cert.read_bytes()).serial_number


class Wifi:
    """hostapd and the proxy for an EdgeKit's edge. `port` is the proxy's, `direct` hostapd's."""

    def __init__(self, kit: EdgeKit):
        self.kit, self.files, self.name = kit, kit.files, kit.config.server_name
        self.hostapd: eap.ChildHostapd | None = None
        self.proxy: RadiusProxy | None = None

    def start(self, crl_reload_interval: int = RELOAD_S) -> Wifi:
        self.direct = free_udp_port()
        self.wifi = eap.write_eap_files(self.files, port=self.direct, crl_reload_interval=crl_reload_interval)
        self.secret = eap.secret(self.wifi)
        self.hostapd = eap.ChildHostapd(self.wifi).start()
        self.proxy = RadiusProxy(("127.0.0.1", 0), ("127.0.0.1", self.direct), self.secret.encode()).start()
        self.port = self.proxy.address[1]
        return self

    def stop(self) -> None:
        if self.proxy:
            self.proxy.stop()
        if self.hostapd:
            self.hostapd.stop()

    def keep(self, key, cert) -> Credential:
        """Save a certificate made outside the kit (renewed, or never recorded in the store)."""
        stem = self.kit.root / "extra" / f"{pki.common_name(cert)}-{cert.serial_number:x}"
        stem.parent.mkdir(exist_ok=True)
        write_atomic(stem.with_suffix(".key"), pki.key_to_pem(key), 0o600)
        write_atomic(stem.with_suffix(".pem"), pki.cert_to_pem(cert))
        return Credential(pki.common_name(cert), stem.with_suffix(".pem"), stem.with_suffix(".key"))

    def authenticate(self, tablet: Credential, identity: str | None = None, port: int | None = None,
                     domain: str | None = None) -> bool:
        """eapol_test as the tablet: EAP-TLS with `identity`, checking the edge's certificate
        against the tablet CA and its name (domain_match). True on EAP-Success."""
        conf = self.kit.root / "peer.conf"
        conf.write_text(f'network={{\n key_mgmt=WPA-EAP\n eap=TLS\n identity="{identity or tablet.device}"\n'
                        f' ca_cert="{self.files.ca_cert}"\n client_cert="{tablet.cert}"\n'
                        f' private_key="{tablet.key}"\n domain_match="{domain or self.name}"\n}}\n')
        done = subprocess.run([EAPOL_TEST, "-c", str(conf), "-a", "127.0.0.1", "-p", str(port or self.port),
                               "-s", self.secret, "-t", "5"], capture_output=True, text=True, timeout=20)
        assert done.stdout.rstrip().endswith(("SUCCESS", "FAILURE")), done.stdout[-2000:]
        return done.returncode == 0


@pytest.fixture
def kit(tmp_path):
    made = EdgeKit(tmp_path).build(["tab-0001", "tab-0002"])
    yield made
    made.stop()


@pytest.fixture
def wifi(kit):
    made = Wifi(kit)
    yield made
    made.stop()


@pytest.fixture
def proxy_log(caplog):
    caplog.set_level(logging.INFO, logger="edge.wifi.radius_proxy")
    return caplog


def decisions(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "edge.wifi.radius_proxy" and r.getMessage().startswith(("accept", "reject"))]


def test_enrolled_tablet_is_accepted_and_checks_the_edges_name(kit, wifi, proxy_log):
    wifi.start()
    tablet = kit.enrol("tab-0003")  # enrolled while hostapd runs: enrolment refreshes the wifi (SIGHUP)
    assert wifi.authenticate(tablet)
    assert not wifi.authenticate(tablet, domain="edge-2.throughgate.internal")  # the tablet checks the edge
    accepts = [d for d in decisions(proxy_log) if d.startswith("accept")]
    assert len(accepts) == 1 and accepts[0].startswith("accept user=tab-0003 nas=127.0.0.1:")
    assert all(wifi.secret not in r.getMessage() for r in proxy_log.records)


def test_a_serial_with_an_odd_number_of_hex_digits_is_still_bound(kit, wifi):
    """hostapd names `cert-<SERIAL>` two hex digits a byte: serial 0x123 is cert-0123."""
    number, key, cert = serial(kit.tablet("tab-0001")), None, None
    for _ in range(300):  # a random serial has an odd number of hex digits 1 time in 16
        key = pki.new_key()
        cert = tablets.renew("tab-0001", number, pki.csr_to_pem(pki.make_csr(key, "tab-0001")).decode(),
                             kit.files, kit.config.tablets.cert_days).certificate
        number = cert.serial_number
        if len(f"{number:X}") % 2:
            break
    assert len(f"{number:X}") % 2, "no odd-length serial in 300 certificates"
    wifi.start()
    assert wifi.authenticate(wifi.keep(key, cert))


def test_revoked_tablet_is_refused_within_the_crl_reload_interval_without_a_restart(kit, wifi, proxy_log):
    keep, gone = kit.tablet("tab-0001"), kit.tablet("tab-0002")
    wifi.start()
    pid = wifi.hostapd.proc.pid
    assert wifi.authenticate(gone) and wifi.authenticate(gone, port=wifi.direct)

    tablets.revoke("tab-0002", kit.files, kit.config.tablets.crl_days)
    revoked_at = time.monotonic()
    assert eap.refresh(kit.files)
    assert not wifi.authenticate(gone)  # through the proxy: its eap_user entry is gone at once
    assert decisions(proxy_log)[-1].startswith("reject user=tab-0002 certificate-of=None ")
    # hostapd's own check, the CRL, follows within crl_reload_interval (asked directly, no proxy).
    while wifi.authenticate(gone, port=wifi.direct):
        assert time.monotonic() - revoked_at < RELOAD_S + MARGIN_S, "hostapd still accepts a revoked certificate"
        time.sleep(0.2)
    took = time.monotonic() - revoked_at
    assert wifi.authenticate(keep) and wifi.authenticate(keep, port=wifi.direct)
    assert wifi.hostapd.proc.poll() is None and wifi.hostapd.proc.pid == pid
    print(f"revocation refused by hostapd's CRL after {took:.2f}s (crl_reload_interval={RELOAD_S})")


@pytest.mark.parametrize("which", ["foreign", "expired"])
def test_certificate_of_a_foreign_ca_or_expired_is_refused_by_hostapd(kit, wifi, proxy_log, which):
    credential = getattr(kit, which)
    wifi.start()
    assert not wifi.authenticate(credential, port=wifi.direct)
    assert not wifi.authenticate(credential)
    assert decisions(proxy_log)[-1].startswith(f"reject user={credential.device} nas=127.0.0.1:")
    assert decisions(proxy_log)[-1].endswith("(by hostapd: certificate refused)")


@pytest.mark.parametrize("claimed", ["tab-0002", "cert-<serial of tab-0002>"])
def test_certificate_under_another_tablets_identity_is_refused_by_the_proxy(kit, wifi, proxy_log, claimed):
    mine, theirs = kit.tablet("tab-0001"), kit.tablet("tab-0002")
    claimed = claimed.replace("<serial of tab-0002>", eap.serial_hex(serial(theirs)))
    wifi.start()
    assert wifi.authenticate(mine, identity=claimed, port=wifi.direct)  # hostapd alone: the gap
    assert not wifi.authenticate(mine, identity=claimed)  # the proxy closes it
    assert decisions(proxy_log)[-1].startswith(f"reject user={claimed} certificate-of=tab-0001 ")
    assert wifi.authenticate(theirs) and wifi.authenticate(mine)


def test_certificate_of_the_edges_ca_but_not_in_the_store_is_refused_by_the_proxy(kit, wifi):
    key = pki.new_key()
    stray = wifi.keep(key, pki.issue(tablet_ca(kit.files), key.public_key(), "tab-0009", pki.CLIENT, 30,
                                     unit=kit.edge_id))
    wifi.start()
    assert wifi.authenticate(stray, port=wifi.direct)
    assert not wifi.authenticate(stray)


def test_expired_crl_locks_no_one_out_and_its_serials_stay_refused(kit, wifi):
    keep, listed = kit.tablet("tab-0001"), kit.tablet("tab-0002")
    past = pki.utcnow() - dt.timedelta(days=3)
    crl = pki.make_crl(tablet_ca(kit.files), [(serial(listed), past)], 99, valid_days=1, now=past)
    assert pki.remaining(crl) < dt.timedelta(0)
    write_atomic(kit.files.crl, pki.crl_to_pem(crl))
    wifi.start()
    assert wifi.authenticate(keep, port=wifi.direct) and wifi.authenticate(keep)
    assert not wifi.authenticate(listed, port=wifi.direct)  # listed in the stale CRL: hostapd still refuses
    assert not wifi.authenticate(listed)
