"""A real push service for the hub's Web Push tests: an HTTP server on 127.0.0.1 that takes what the
hub POSTs to a subscription's endpoint as a browser's push service would. It checks the VAPID
Authorization (RFC 8292: an ES256 JWT whose `aud` is this service's origin, signed by the key in `k`,
which must be the hub's application server key), `Urgency` and `TTL`, and decrypts the aes128gcm body
(RFC 8291) with the subscription's own private key, as the phone's browser would.

    service = PushService(hub_public_key).start()
    phone = service.subscribe()            # a browser's PushSubscription: endpoint, keys, private key
    ...                                    # the hub pushes
    service.received(phone)                # [Received(payload=..., headers=...)], decrypted
    service.answer(phone, 410)             # from now on the endpoint says the subscription is gone
"""

from __future__ import annotations

import base64
import http.server
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass, field

import http_ece
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Phone:
    """A browser's push subscription, with the private half only the phone holds."""

    token: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    status: int = 201
    received: list = field(default_factory=list)
    refused: list = field(default_factory=list)

    @property
    def p256dh(self) -> str:
        return b64url(self.private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                                 serialization.PublicFormat.UncompressedPoint))

    @property
    def keys(self) -> dict:
        return {"p256dh": self.p256dh, "auth": b64url(self.auth)}


@dataclass(frozen=True)
class Received:
    payload: dict
    plaintext: bytes
    headers: dict
    claims: dict


class PushService:
    def __init__(self, application_server_key: str):
        self.application_server_key = application_server_key
        self.phones: dict[str, Phone] = {}
        self.lock = threading.Lock()
        service = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                phone = service.phones.get(self.path.rsplit("/", 1)[-1])
                if phone is None:
                    self._answer(404)
                    return
                try:
                    got = service.check(phone, dict(self.headers.items()), body)
                except AssertionError as exc:
                    with service.lock:
                        phone.refused.append(str(exc))
                    self._answer(400)
                    return
                with service.lock:
                    phone.received.append(got)
                self._answer(phone.status)

            def _answer(self, status: int) -> None:
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> PushService:
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def subscribe(self) -> Phone:
        token = secrets.token_urlsafe(24)
        phone = Phone(token, f"{self.origin}/wpush/v2/{token}", ec.generate_private_key(ec.SECP256R1()),
                      os.urandom(16))
        self.phones[token] = phone
        return phone

    def answer(self, phone: Phone, status: int) -> None:
        phone.status = status

    def check(self, phone: Phone, headers: dict, body: bytes) -> Received:
        """What a push service checks, and what the phone's browser does: AssertionError if any fails."""
        headers = {name.lower(): value for name, value in headers.items()}
        scheme, _, params = headers.get("authorization", "").partition(" ")
        assert scheme == "vapid", f"Authorization is not vapid: {headers.get('authorization')!r}"
        fields = dict(part.strip().split("=", 1) for part in params.split(","))
        assert fields["k"] == self.application_server_key, "k is not the hub's application server key"
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(fields["k"]))
        claims = jwt.decode(fields["t"], public, algorithms=["ES256"], audience=self.origin)
        assert claims["exp"] <= time.time() + 24 * 3600, "the JWT lives longer than 24 hours"
        assert claims["sub"].startswith(("mailto:", "https://")), claims["sub"]
        assert headers.get("urgency") == "high", headers.get("urgency")
        assert int(headers["ttl"]) > 0, headers.get("ttl")
        assert headers.get("content-encoding") == "aes128gcm", headers.get("content-encoding")
        plaintext = http_ece.decrypt(body, private_key=phone.private_key, auth_secret=phone.auth,
                                     version="aes128gcm")
        return Received(json.loads(plaintext), plaintext, headers, claims)

    def wait(self, phone: Phone, count: int, timeout_s: float = 15) -> list[Received]:
        deadline = time.monotonic() + timeout_s
        while len(phone.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not phone.refused, phone.refused
        return list(phone.received)
