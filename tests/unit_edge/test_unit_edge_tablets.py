"""Tablet enrolment at the edge: codes work once, for one device, in time; revocation reaches the CRL;
the HTTPS service refuses guessing. Real store, real certificates, a real TLS server."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import ssl

import pytest

from edge import identity, store
from edge.service import EdgeService
from edge.tablets import registry as tablets
from edge.tablets.api import TabletApiServer
from provisioning import pki


def _csr(device="tab-0001") -> str:
    return pki.csr_to_pem(pki.make_csr(pki.new_key(), device)).decode()


def test_code_enrols_its_device_once(edge):
    config, files = edge
    code, _ = tablets.create_code("tab-0001", 60)
    issued = tablets.redeem(code.lower(), "tab-0001", _csr(), files, 30)
    assert pki.common_name(issued.certificate) == "tab-0001"
    pki.verify_client(issued.certificate, [], [identity.tablet_ca(files).cert])
    with pytest.raises(tablets.TabletError) as refused:
        tablets.redeem(code, "tab-0001", _csr(), files, 30)
    assert refused.value.code == "code_used" and refused.value.status == 410


def test_code_for_one_device_does_not_enrol_another(edge):
    _, files = edge
    code, _ = tablets.create_code("tab-0001", 60)
    with pytest.raises(tablets.TabletError) as refused:
        tablets.redeem(code, "tab-0002", _csr(), files, 30)
    assert refused.value.code == "code_invalid"
    assert tablets.redeem(code, "tab-0001", _csr(), files, 30)  # still good for its own device


def test_no_tablet_can_be_enrolled_as_the_console_whose_records_staff_make(edge):
    with pytest.raises(tablets.TabletError) as refused:
        tablets.create_code("console", 60)
    assert refused.value.code == "bad_device" and "reserved" in refused.value.reason


def test_expired_code_is_refused_with_when(edge):
    _, files = edge
    code, expires = tablets.create_code("tab-0001", 60, now=pki.utcnow() - dt.timedelta(minutes=5))
    with pytest.raises(tablets.TabletError) as refused:
        tablets.redeem(code, "tab-0001", _csr(), files, 30)
    assert refused.value.code == "code_expired" and expires in refused.value.reason


def test_certificate_request_with_a_weak_key_is_refused(edge):
    _, files = edge
    from cryptography.hazmat.primitives.asymmetric import ec
    code, _ = tablets.create_code("tab-0001", 60)
    weak = pki.csr_to_pem(pki.make_csr(ec.generate_private_key(ec.SECP192R1()), "tab-0001")).decode()
    with pytest.raises(tablets.TabletError) as refused:
        tablets.redeem(code, "tab-0001", weak, files, 30)
    assert refused.value.code == "bad_csr"


def test_revocation_lists_every_certificate_of_the_tablet_in_a_new_crl(edge):
    _, files = edge
    first_crl = pki.load_crl(files.crl.read_bytes())
    code, _ = tablets.create_code("tab-0001", 60)
    first = tablets.redeem(code, "tab-0001", _csr(), files, 30).certificate
    second = tablets.renew("tab-0001", first.serial_number, _csr(), files, 30).certificate
    assert tablets.revoke("tab-0001", files, 14) == 2
    crl = pki.load_crl(files.crl.read_bytes())
    assert crl.is_signature_valid(identity.tablet_ca(files).key.public_key())
    for cert in (first, second):
        assert crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None
    number = crl.extensions.get_extension_for_class(pki.x509.CRLNumber).value.crl_number
    assert number > first_crl.extensions.get_extension_for_class(pki.x509.CRLNumber).value.crl_number
    with pytest.raises(tablets.TabletError, match="revoked"):
        tablets.create_code("tab-0001", 60)
    with pytest.raises(tablets.TabletError, match="revoked"):
        tablets.renew("tab-0001", second.serial_number, _csr(), files, 30)


def test_crl_running_out_raises_an_alarm_and_reissue_clears_it(edge):
    config, files = edge
    tablets.write_crl(files, 1.0)  # a CRL with a day left, as if re-issue had failed for days
    service = EdgeService(config)
    config.tablets.crl_alarm_days = 2
    service.files = files
    service.refresh_crl()  # re-issues: nextUpdate back to crl_days away
    assert pki.remaining(pki.load_crl(files.crl.read_bytes())) > dt.timedelta(days=13)
    assert not [a for a in store.open_alarms() if a.code == "crl_expiring"]
    tablets.write_crl(files, 1.0)
    files.ca_key.rename(files.ca_key.with_suffix(".away"))  # now re-issuing fails
    service.refresh_crl()
    alarms = [a.message for a in store.open_alarms() if a.code == "crl_expiring"]
    assert alarms and "no tablet can connect" in alarms[0]


def test_guessing_codes_over_https_is_stopped(edge):
    config, files = edge
    config.tablets.api_port = 0
    server = TabletApiServer(config).start()
    context = ssl.create_default_context(cafile=str(files.ca_cert))
    context.check_hostname = False
    try:
        statuses = []
        for _ in range(12):
            conn = http.client.HTTPSConnection("127.0.0.1", server.port, context=context)
            conn.request("POST", "/v1/tablets/enrol", json.dumps({"code": "ABCD-EFGH-JKMN", "device": "tab-0001",
                                                                  "csr": _csr()}),
                         {"Content-Type": "application/json"})
            response = conn.getresponse()
            statuses.append((response.status, json.loads(response.read())))
        assert [s for s, _ in statuses[:10]] == [401] * 10
        status, body = statuses[10]
        assert status == 429 and body["error"] == "too_many_attempts" and body["retry_after"] > 0
    finally:
        server.stop()


def _api(edge):
    config, files = edge
    config.tablets.api_port = 0
    return TabletApiServer(config).start()


def _post(port: int, files, path: str, body: dict, cert=None):
    context = ssl.create_default_context(cafile=str(files.ca_cert))
    context.check_hostname = False
    if cert:
        context.load_cert_chain(*cert)
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=10)
    conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
    response = conn.getresponse()
    return response.status, json.loads(response.read())


def test_a_silent_connection_does_not_stop_enrolment(edge):
    _, files = edge
    server = _api(edge)
    import socket
    silent = socket.create_connection(("127.0.0.1", server.port))  # connects, never says a word
    try:
        code, _ = tablets.create_code("tab-0001", 60)
        status, body = _post(server.port, files, "/v1/tablets/enrol", {"code": code, "device": "tab-0001",
                                                                       "csr": _csr()})
        assert status == 200 and body["device"] == "tab-0001"
    finally:
        silent.close()
        server.stop()


def test_parallel_guesses_cannot_slip_past_the_limit(edge):
    _, files = edge
    server = _api(edge)
    from concurrent.futures import ThreadPoolExecutor
    try:
        guess = {"code": "ABCD-EFGH-JKMN", "device": "tab-0001", "csr": _csr()}
        with ThreadPoolExecutor(30) as pool:
            statuses = list(pool.map(lambda _: _post(server.port, files, "/v1/tablets/enrol", guess)[0], range(40)))
        assert statuses.count(401) == 10 and statuses.count(429) == 30, statuses
    finally:
        server.stop()


def _cert_files(tmp_path, issued, key) -> tuple[str, str]:
    cert_path, key_path = tmp_path / "t.pem", tmp_path / "t.key"
    cert_path.write_bytes(pki.cert_to_pem(issued.certificate))
    key_path.write_bytes(pki.key_to_pem(key))
    return str(cert_path), str(key_path)


def test_only_the_current_certificate_renews(edge, tmp_path):
    _, files = edge
    key = pki.new_key()
    code, _ = tablets.create_code("tab-0001", 60)
    first = tablets.redeem(code, "tab-0001", pki.csr_to_pem(pki.make_csr(key, "x")).decode(), files, 30)
    server = _api(edge)
    try:
        csr = {"csr": pki.csr_to_pem(pki.make_csr(key, "x")).decode()}
        assert _post(server.port, files, "/v1/tablets/renew", csr, _cert_files(tmp_path, first, key))[0] == 200
        status, body = _post(server.port, files, "/v1/tablets/renew", csr, _cert_files(tmp_path, first, key))
        assert status == 403 and body["error"] == "superseded_certificate"
    finally:
        server.stop()


def test_enrolling_a_device_id_again_cuts_off_the_tablet_it_replaces(edge):
    _, files = edge
    code, _ = tablets.create_code("tab-0001", 60)
    lost = tablets.redeem(code, "tab-0001", _csr(), files, 30).certificate
    code, _ = tablets.create_code("tab-0001", 60)
    replacement = tablets.redeem(code, "tab-0001", _csr(), files, 30)
    assert replacement.revoked_older == 1
    crl = pki.load_crl(files.crl.read_bytes())
    assert crl.get_revoked_certificate_by_serial_number(lost.serial_number) is not None
    assert crl.get_revoked_certificate_by_serial_number(replacement.certificate.serial_number) is None


def test_tablet_api_serves_a_reissued_server_certificate_without_a_restart(edge):
    config, files = edge
    server = _api(edge)
    try:
        def served_serial() -> int:
            context = ssl.create_default_context(cafile=str(files.ca_cert))
            context.check_hostname = False
            import socket
            with socket.create_connection(("127.0.0.1", server.port)) as sock, context.wrap_socket(sock) as tls:
                return pki.x509.load_der_x509_certificate(tls.getpeercert(binary_form=True)).serial_number
        before = served_serial()
        config.tls_name = "edge-1.prison.example"  # a renamed edge: the certificate is re-issued
        assert identity.ensure_server_cert(files, config.edge_id, config.server_name)
        server.reload_certificate()
        assert served_serial() != before
    finally:
        server.stop()
