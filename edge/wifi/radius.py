"""RADIUS packets (RFC 2865) with EAP (RFC 3579): reading them, checking who signed them, and
signing an Access-Reject. Pure functions; edge/wifi/radius_proxy.py does the I/O."""

from __future__ import annotations

import hashlib
import hmac
import struct
from dataclasses import dataclass

ACCESS_REQUEST, ACCESS_ACCEPT, ACCESS_REJECT, ACCESS_CHALLENGE = 1, 2, 3, 11
USER_NAME, REPLY_MESSAGE, CLASS, EAP_MESSAGE, MESSAGE_AUTHENTICATOR = 1, 18, 25, 79, 80
EAP_FAILURE = 4
MAX_PACKET = 4096  # RFC 2865's largest RADIUS packet


class Malformed(ValueError):
    """Not a RADIUS packet we can read; the message says why."""


@dataclass(frozen=True)
class Packet:
    code: int
    ident: int
    authenticator: bytes
    attributes: tuple[tuple[int, bytes], ...]
    raw: bytes

    def first(self, kind: int) -> bytes | None:
        return next((value for t, value in self.attributes if t == kind), None)


def parse(data: bytes) -> Packet:
    if len(data) < 20:
        raise Malformed(f"{len(data)} bytes: shorter than a RADIUS header")
    code, ident, length = struct.unpack("!BBH", data[:4])
    if not 20 <= length <= min(len(data), MAX_PACKET):
        raise Malformed(f"length field {length} for {len(data)} bytes received")
    attributes, pos = [], 20
    while pos < length:
        if pos + 2 > length or data[pos + 1] < 2 or pos + data[pos + 1] > length:
            raise Malformed(f"attribute at byte {pos} runs past the packet")
        attributes.append((data[pos], data[pos + 2:pos + data[pos + 1]]))
        pos += data[pos + 1]
    return Packet(code, ident, data[4:20], tuple(attributes), data[:length])


def _md5(data: bytes) -> bytes:
    return hashlib.md5(data, usedforsecurity=False).digest()  # RADIUS (RFC 2865) prescribes MD5


def _message_authenticator(raw: bytes, authenticator: bytes, secret: bytes) -> bytes:
    """HMAC-MD5 over the packet with Message-Authenticator zeroed and `authenticator` in the header
    (the request's own for a request, the request's for a reply: RFC 3579 3.2)."""
    body, pos = bytearray(raw), 20
    while pos < len(body):
        if body[pos] == MESSAGE_AUTHENTICATOR:
            body[pos + 2:pos + body[pos + 1]] = bytes(body[pos + 1] - 2)
        pos += body[pos + 1]
    body[4:20] = authenticator
    return hmac.new(secret, bytes(body), hashlib.md5).digest()


def request_ok(packet: Packet, secret: bytes) -> bool:
    """An Access-Request carrying EAP must hold a valid Message-Authenticator (RFC 3579)."""
    given = packet.first(MESSAGE_AUTHENTICATOR)
    return given is not None and hmac.compare_digest(
        _message_authenticator(packet.raw, packet.authenticator, secret), given)


def response_ok(packet: Packet, request_authenticator: bytes, secret: bytes) -> bool:
    """A reply signed with our secret for this request: Response Authenticator and Message-Authenticator."""
    expected = _md5(packet.raw[:4] + request_authenticator + packet.raw[20:] + secret)
    given = packet.first(MESSAGE_AUTHENTICATOR)
    return (hmac.compare_digest(expected, packet.authenticator) and given is not None
            and hmac.compare_digest(_message_authenticator(packet.raw, request_authenticator, secret), given))


def build_reject(ident: int, request_authenticator: bytes, eap_id: int, secret: bytes, reason: str) -> bytes:
    """A signed Access-Reject: Message-Authenticator first (the BlastRADIUS advice), EAP-Failure."""
    def attribute(kind: int, value: bytes) -> bytes:
        return bytes([kind, len(value) + 2]) + value

    rest = (attribute(EAP_MESSAGE, struct.pack("!BBH", EAP_FAILURE, eap_id, 4))
            + attribute(REPLY_MESSAGE, reason.encode()))
    header = struct.pack("!BBH", ACCESS_REJECT, ident, 20 + 18 + len(rest))
    unsigned = header + request_authenticator + attribute(MESSAGE_AUTHENTICATOR, bytes(16)) + rest
    signed = header + request_authenticator + attribute(
        MESSAGE_AUTHENTICATOR, hmac.new(secret, unsigned, hashlib.md5).digest()) + rest
    return header + _md5(signed + secret) + signed[20:]


def user_name(packet: Packet) -> str | None:
    value = packet.first(USER_NAME)
    return None if value is None else text(value)


def text(value: bytes) -> str | None:
    """UTF-8 or nothing: two different invalid names must not decode to the same text."""
    try:
        return value.decode()
    except UnicodeDecodeError:
        return None
