"""edge.wifi.radius and edge.wifi.radius_proxy without hostapd: the packet rules, the binding rule, and the
running proxy against a fake hostapd (a UDP socket in the test) on loopback ports."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import socket
import struct
import subprocess
import sys
import time

import pytest

from edge.wifi import radius
from edge.wifi import radius_proxy as rp

SECRET = b"test-secret"


def attribute(kind: int, value: bytes) -> bytes:
    return bytes([kind, len(value) + 2]) + value


def sign_request(ident: int, user: str | bytes | None, secret: bytes = SECRET) -> bytes:
    """An Access-Request as an access point sends it: EAP-Response/Identity and a Message-Authenticator."""
    authenticator = os.urandom(16)
    if isinstance(user, str):
        user = user.encode()
    attrs = attribute(radius.USER_NAME, user) if user is not None else b""
    attrs += attribute(radius.EAP_MESSAGE, b"\x02\x01\x00\x0d\x01" + b"tab-0001")
    attrs += attribute(radius.MESSAGE_AUTHENTICATOR, bytes(16))
    header = struct.pack("!BBH", radius.ACCESS_REQUEST, ident, 20 + len(attrs))
    mac = hmac.new(secret, header + authenticator + attrs, hashlib.md5).digest()
    return header + authenticator + attrs[:-16] + mac


def sign_reply(code: int, request: bytes, attrs: bytes, secret: bytes = SECRET, with_mac: bool = True) -> bytes:
    """A reply as hostapd signs it for `request` (RFC 2865 Response Authenticator, RFC 3579 MAC)."""
    if with_mac:
        attrs += attribute(radius.MESSAGE_AUTHENTICATOR, bytes(16))
    header = struct.pack("!BBH", code, request[1], 20 + len(attrs))
    if with_mac:
        mac = hmac.new(secret, header + request[4:20] + attrs, hashlib.md5).digest()
        attrs = attrs[:-16] + mac
    return header + hashlib.md5(header + request[4:20] + attrs + secret, usedforsecurity=False).digest() + attrs


def accept(request: bytes, bound_to: str | None) -> bytes:
    attrs = attribute(radius.EAP_MESSAGE, b"\x03\x07\x00\x04")  # EAP-Success, id 7
    if bound_to is not None:
        attrs += attribute(radius.CLASS, f"{rp.CLASS_PREFIX}{bound_to}".encode())
    return sign_reply(radius.ACCESS_ACCEPT, request, attrs)


# packets -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("data", [
    b"", b"\x01\x01\x00\x14",  # shorter than a header
    b"\x01\x01\x00\x30" + bytes(16),  # length field beyond the data
    b"\x01\x01\x00\x13" + bytes(16),  # length field below 20
    b"\x01\x01\x00\x17" + bytes(16) + b"\x01\x05\x41",  # attribute longer than the packet
    b"\x01\x01\x00\x16" + bytes(16) + b"\x01\x00",  # attribute length 0
    b"\x01\x01\x00\x15" + bytes(16) + b"\x01",  # attribute header cut short
])
def test_parse_refuses_malformed_packets(data):
    with pytest.raises(radius.Malformed):
        radius.parse(data)


def test_request_needs_a_message_authenticator_made_with_the_secret():
    assert radius.request_ok(radius.parse(sign_request(1, "tab-0001")), SECRET)
    assert not radius.request_ok(radius.parse(sign_request(1, "tab-0001", b"other")), SECRET)
    unsigned = sign_request(1, "tab-0001")[:-18]
    unsigned = unsigned[:2] + struct.pack("!H", len(unsigned)) + unsigned[4:]
    assert not radius.request_ok(radius.parse(unsigned), SECRET)


def test_reply_must_be_signed_for_its_own_request():
    request = sign_request(5, "tab-0001")
    reply = radius.parse(accept(request, "tab-0001"))
    assert radius.response_ok(reply, request[4:20], SECRET)
    assert not radius.response_ok(reply, os.urandom(16), SECRET)
    assert not radius.response_ok(reply, request[4:20], b"other")
    bare = radius.parse(sign_reply(radius.ACCESS_ACCEPT, request, b"", with_mac=False))
    assert not radius.response_ok(bare, request[4:20], SECRET)  # no Message-Authenticator: not trusted


@pytest.mark.parametrize("user, bound_to, accepted", [
    ("tab-0001", "tab-0001", True),
    ("tab-0002", "tab-0001", False),  # someone else's certificate
    ("tab-000", "tab-0001", False),  # a prefix is not a match
    ("tab-0001", None, False),  # no Class: serial not enrolled, revoked, or resumed session
    (None, "tab-0001", False),  # no User-Name in the request
])
def test_decide_accepts_only_the_tablet_the_certificate_names(user, bound_to, accepted):
    assert rp.decide(user, radius.parse(accept(sign_request(1, user), bound_to))) == (accepted, bound_to)


@pytest.mark.parametrize("raw", [b"tab-0001\xff", b"\xfetab-0001"])
def test_a_user_name_that_is_not_utf8_is_no_name(raw):
    assert radius.user_name(radius.parse(sign_request(1, raw))) is None


def test_reject_is_signed_for_the_request_and_carries_eap_failure():
    request = sign_request(9, "tab-0002")
    reject = radius.parse(radius.build_reject(9, request[4:20], 7, SECRET, rp.NOT_BOUND))
    assert (reject.code, reject.ident) == (radius.ACCESS_REJECT, 9)
    assert radius.response_ok(reject, request[4:20], SECRET)
    assert reject.attributes[0][0] == radius.MESSAGE_AUTHENTICATOR
    assert reject.first(radius.EAP_MESSAGE) == b"\x04\x07\x00\x04"
    assert reject.first(radius.REPLY_MESSAGE) == rp.NOT_BOUND.encode()


# the running proxy -----------------------------------------------------------------------------------
@pytest.fixture
def hostapd():
    """A fake hostapd: a UDP socket the test reads from and answers on."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(2)
    yield sock
    sock.close()


@pytest.fixture
def proxy_factory(hostapd):
    made = []

    def make(**options) -> rp.RadiusProxy:
        made.append(rp.RadiusProxy(("127.0.0.1", 0), hostapd.getsockname(), SECRET, **options).start())
        return made[-1]

    yield make
    for proxy in made:
        proxy.stop()


@pytest.fixture
def nas(proxy_factory):
    """An access point's socket, talking to a fresh proxy."""
    proxy = proxy_factory()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.connect(proxy.address)
    sock.settimeout(2)
    yield sock
    sock.close()


def relay(nas, hostapd, request: bytes, answer) -> bytes:
    nas.send(request)
    data, source = hostapd.recvfrom(4096)
    assert data == request  # relayed unchanged
    hostapd.sendto(answer(data), source)
    return nas.recv(4096)


def test_bound_accept_is_relayed_unchanged(nas, hostapd, caplog):
    caplog.set_level(logging.INFO, logger="edge.wifi.radius_proxy")
    request = sign_request(3, "tab-0001")
    assert relay(nas, hostapd, request, lambda r: accept(r, "tab-0001")) == accept(request, "tab-0001")
    assert any(r.getMessage().startswith("accept user=tab-0001 nas=127.0.0.1:") for r in caplog.records)


def test_challenge_and_reject_are_relayed_unchanged(nas, hostapd):
    request = sign_request(4, "tab-0001")
    challenge = sign_reply(radius.ACCESS_CHALLENGE, request, attribute(radius.EAP_MESSAGE, b"\x01\x02\x00\x06\x0d\x20"))
    assert relay(nas, hostapd, request, lambda r: challenge) == challenge
    request = sign_request(5, "tab-0001")
    reject = sign_reply(radius.ACCESS_REJECT, request, attribute(radius.EAP_MESSAGE, b"\x04\x02\x00\x04"))
    assert relay(nas, hostapd, request, lambda r: reject) == reject


def test_accept_for_another_tablets_certificate_becomes_a_signed_reject(nas, hostapd, caplog):
    caplog.set_level(logging.INFO, logger="edge.wifi.radius_proxy")
    request = sign_request(6, "tab-0002")
    reply = radius.parse(relay(nas, hostapd, request, lambda r: accept(r, "tab-0001")))
    assert reply.code == radius.ACCESS_REJECT and radius.response_ok(reply, request[4:20], SECRET)
    assert reply.first(radius.EAP_MESSAGE) == b"\x04\x07\x00\x04"  # EAP-Failure with the Success's id
    assert radius.CLASS not in [kind for kind, _ in reply.attributes]
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("reject")]
    assert len(lines) == 1 and lines[0].startswith("reject user=tab-0002 certificate-of=tab-0001 nas=127.0.0.1:")
    assert all(SECRET.decode() not in r.getMessage() for r in caplog.records)


def test_a_name_with_a_line_break_cannot_forge_a_log_line(nas, hostapd, caplog):
    caplog.set_level(logging.INFO, logger="edge.wifi.radius_proxy")
    forged = "tab-0002\n2026-01-01 edge.wifi.radius_proxy INFO accept user=tab-0002"
    reply = radius.parse(relay(nas, hostapd, sign_request(2, forged), lambda r: accept(r, "tab-0001")))
    assert reply.code == radius.ACCESS_REJECT
    assert all("\n" not in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("data, why", [
    (b"\x01\x01\x00", "malformed"),
    (sign_request(7, "tab-0001", b"wrong-secret"), "no valid Message-Authenticator"),
    (sign_reply(radius.ACCESS_ACCEPT, sign_request(7, "tab-0001"), b""), "not an Access-Request"),
], ids=["truncated", "wrong-secret", "a-reply"])
def test_bad_packets_from_access_points_are_dropped_with_a_log_line(nas, hostapd, caplog, data, why):
    caplog.set_level(logging.INFO, logger="edge.wifi.radius_proxy")
    nas.send(data)
    hostapd.settimeout(0.3)
    with pytest.raises(TimeoutError):
        hostapd.recvfrom(4096)
    assert any(why in r.getMessage() for r in caplog.records if r.getMessage().startswith("drop"))


@pytest.mark.parametrize("answer, why", [
    (lambda r: b"\x02" + r[1:3], "malformed"),
    (lambda r: accept(r, "tab-0001")[:4] + bytes(16) + accept(r, "tab-0001")[20:], "not signed for its request"),
    (lambda r: accept(bytes([1, (r[1] + 1) % 256]) + r[2:], "tab-0001"), "answers no waiting request"),
], ids=["truncated", "unsigned", "unasked"])
def test_bad_replies_from_hostapd_are_dropped_with_a_log_line(nas, hostapd, caplog, answer, why):
    caplog.set_level(logging.INFO, logger="edge.wifi.radius_proxy")
    nas.send(sign_request(8, "tab-0001"))
    data, source = hostapd.recvfrom(4096)
    hostapd.sendto(answer(data), source)
    nas.settimeout(0.3)
    with pytest.raises(TimeoutError):
        nas.recv(4096)
    assert any(why in r.getMessage() for r in caplog.records if r.getMessage().startswith("drop"))


def test_unanswered_requests_are_capped_and_forgotten_after_the_timeout(proxy_factory, hostapd, caplog):
    proxy = proxy_factory(timeout_s=0.5, max_pending=3)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.connect(proxy.address)
        requests = [sign_request(ident, "tab-0001") for ident in range(5)]
        for request in requests:
            sock.send(request)
        relayed = []
        hostapd.settimeout(0.3)
        while True:
            try:
                relayed.append(hostapd.recvfrom(4096))
            except TimeoutError:
                break
        assert [data for data, _ in relayed] == requests[:3] and proxy.waiting == 3
        assert any("3 requests already waiting" in r.getMessage() for r in caplog.records)
        deadline = time.monotonic() + 10  # timeout_s is 0.5: the proxy's idle loop forgets them
        while proxy.waiting and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proxy.waiting == 0, "unanswered requests were not forgotten after the timeout"
        sock.send(sign_request(9, "tab-0001"))
        hostapd.recvfrom(4096)
        assert proxy.waiting == 1
        data, source = relayed[0]
        hostapd.sendto(accept(data, "tab-0001"), source)  # too late: its request was forgotten
        sock.settimeout(0.3)
        with pytest.raises(TimeoutError):
            sock.recv(4096)


def test_runs_as_a_module_with_a_secret_file(tmp_path, hostapd):
    (tmp_path / "radius.secret").write_text(SECRET.decode() + "\n")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    upstream = "{}:{}".format(*hostapd.getsockname())
    proc = subprocess.Popen([sys.executable, "-m", "edge.wifi.radius_proxy", "--listen", f"127.0.0.1:{port}",
                             "--upstream", upstream, "--secret-file", str(tmp_path / "radius.secret")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(0.5)
            request = sign_request(1, "tab-0001")
            deadline = time.monotonic() + 10
            while True:  # until the proxy is up
                sock.sendto(request, ("127.0.0.1", port))  # not connected: no ICMP errors while it starts
                hostapd.settimeout(0.2)
                try:
                    data, source = hostapd.recvfrom(4096)
                    break
                except TimeoutError:
                    assert time.monotonic() < deadline, "the proxy did not start"
            hostapd.sendto(accept(data, "tab-0001"), source)
            assert sock.recv(4096) == accept(request, "tab-0001")
    finally:
        proc.terminate()
        output = proc.communicate(timeout=10)[0]
    assert proc.returncode == 0, output
    assert "accept user=tab-0001" in output and SECRET.decode() not in output
