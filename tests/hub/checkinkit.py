"""Check-ins for the hub's tests: a phone's key registered for a person, requests signed with it (RFC 9421)
through a Flask test client, a photo sealed in the person's folder as a finished upload leaves it, check-ins
signed as the phone signs them, and a software WebAuthn authenticator that makes real authenticatorData,
clientDataJSON and ES256 signatures (WebAuthn Level 3, 6.1 and 6.5; attestation "none")."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass, field

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from hub import db
from hub.people import service as people
from hub.phones.models import Phone
from hub.sync import sealed, uploads
from hub.sync.models import PhoneUpload
from provisioning import signatures
from wire import checkin as wire
from wire.records import timestamp

PHONE_BASE = "http://localhost"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Phone_:
    key: object
    key_id: str
    person: str
    counter: int = 0

    def caller(self):
        from hub.phones.service import Caller

        return Caller(self.key_id, self.person)


def release(app, person: str) -> None:
    with app.app_context(), db.proxy.connection_context():
        if people.find(person).status != "released":
            people.release(person, "test", 7)


def phone_for(app, person: str, p256: bool = False) -> Phone_:
    key = ec.generate_private_key(ec.SECP256R1()) if p256 else ed25519.Ed25519PrivateKey.generate()
    jwk = signatures.public_jwk(key.public_key())
    key_id = signatures.key_id(key.public_key())
    with app.app_context(), db.proxy.connection_context():
        Phone.create(key_id=key_id, person=person, jwk=json.dumps(jwk, sort_keys=True), alg=jwk["crv"], label="phone",
                     activated_at=timestamp())
    return Phone_(key, key_id, person)


def signed(client, phone: Phone_, method: str, path: str, body=None):
    data = json.dumps(body).encode() if body is not None else b""
    headers = {"Content-Type": "application/json"} if data else {}
    headers.update(signatures.sign(method, PHONE_BASE + path, headers, data, phone.key))
    return client.open(path, method=method, data=data, headers=headers, base_url=PHONE_BASE)


def sealed_photo(app, person: str, data: bytes) -> dict:
    sha = hashlib.sha256(data).hexdigest()
    with app.app_context(), db.proxy.connection_context():
        store = uploads.Store(app.config["ATTACHMENTS_DIR"], app.config["ATTACHMENTS_KEY_FILE"])
        if PhoneUpload.get_or_none((PhoneUpload.person == person) & (PhoneUpload.sha256 == sha)) is None:
            store.blob(person, sha).parent.mkdir(parents=True, exist_ok=True)
            sealed.append(store.blob(person, sha), store.key, sha, 0, data, len(data))
            PhoneUpload.create(person=person, sha256=sha, key_id="k" * 43, media_type="image/png", bytes=len(data),
                               started_at=timestamp(), completed_at=timestamp())
    return {"sha256": sha, "type": "image/png", "bytes": len(data)}


def document(phone: Phone_, photo: dict, nonce: str, slot: str | None, device_time: str, lat=51.4816, lon=-3.1791,
             accuracy=12.0, mock=False, checkin_id: str | None = None) -> dict:
    phone.counter += 1
    return {"v": 1, "checkin_id": checkin_id or str(uuid.uuid4()), "person": phone.person, "key_id": phone.key_id,
            "slot": slot, "photo": photo, "gps": {"lat": lat, "lon": lon, "accuracy": accuracy, "mock": mock},
            "device_time": device_time, "counter": phone.counter, "nonce": nonce}


def change(phone: Phone_, doc: dict, **body) -> dict:
    return {"id": doc["checkin_id"], "kind": "checkin",
            "body": {"jws": wire.sign(doc, phone.key, phone.key_id), "attachments": [doc["photo"]], **body}}


def swap_payload(jws: str, doc: dict) -> str:
    """The JWS with another payload and the phone's original signature: what tampering after signing makes."""
    head, _payload, signature = jws.split(".")
    return f"{head}.{b64(wire.canonical(doc))}.{signature}"


@dataclass
class Authenticator:
    """A platform authenticator in software: one ES256 credential, user verification, and the backup flags
    (BE: backup eligible, a synced passkey; BS: backed up) as the test sets them."""

    rp_id: str
    origin: str
    backup_eligible: bool = False
    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    credential_id: bytes = field(default_factory=lambda: secrets.token_bytes(16))
    count: int = 0

    def _flags(self, attested: bool) -> int:
        flags = 0x01 | 0x04  # UP, UV
        if self.backup_eligible:
            flags |= 0x08 | 0x10  # BE, BS
        return flags | (0x40 if attested else 0)

    def _cose(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    def _client_data(self, kind: str, challenge: bytes) -> bytes:
        return json.dumps({"type": kind, "challenge": b64(challenge), "origin": self.origin,
                           "crossOrigin": False}).encode()

    def register(self, challenge: bytes) -> dict:
        self.count += 1
        auth_data = (hashlib.sha256(self.rp_id.encode()).digest() + bytes([self._flags(True)])
                     + self.count.to_bytes(4, "big") + b"\x00" * 16 + len(self.credential_id).to_bytes(2, "big")
                     + self.credential_id + self._cose())
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {"id": b64(self.credential_id), "rawId": b64(self.credential_id), "type": "public-key",
                "response": {"clientDataJSON": b64(self._client_data("webauthn.create", challenge)),
                             "attestationObject": b64(attestation)}, "clientExtensionResults": {}}

    def assert_(self, challenge: bytes) -> dict:
        self.count += 1
        auth_data = (hashlib.sha256(self.rp_id.encode()).digest() + bytes([self._flags(False)])
                     + self.count.to_bytes(4, "big"))
        client_data = self._client_data("webauthn.get", challenge)
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {"id": b64(self.credential_id), "rawId": b64(self.credential_id), "type": "public-key",
                "response": {"clientDataJSON": b64(client_data), "authenticatorData": b64(auth_data),
                             "signature": b64(signature)}, "clientExtensionResults": {}}
