"""Activating a phone with a one-time code, revoking it, and checking each signed request.

A request is the phone's when its HTTP Message Signature (RFC 9421) verifies with a registered,
unrevoked phone's key, was made within SIGNATURE_SKEW_S of the hub's clock, and its nonce was not
seen before from that key (kept NONCE_KEEP_S, longer than the skew allows a request to be replayed).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import peewee

from hub import db
from hub.people import service as people
from hub.people.models import RELEASED
from hub.phones.models import Phone, PhoneNonce
from hub.push import subscriptions as push_subscriptions
from hub.refusals import Refused
from provisioning import signatures
from wire.records import timestamp

SIGNATURE_SKEW_S = 300
NONCE_KEEP_S = 2 * SIGNATURE_SKEW_S
PRUNE_EVERY_S = 60
_pruned_at = 0.0
MAX_LABEL = 64


@dataclass(frozen=True)
class Caller:
    key_id: str
    person_id: str


def _refused(exc: signatures.SignatureError) -> Refused:
    return Refused(401, exc.code, f"{exc.reason}: the phone's request could not be trusted; if it keeps happening, "
                   "check the phone's clock, or set the phone up again with a new code from your worker")


def activate(method: str, url: str, headers, body: bytes, address: str) -> tuple[Phone, bool]:
    """Register the key the request is signed with for the person whose code the body carries:
    (the phone, whether it is new). The same phone sending the same activation again (a lost
    answer) gets its registration back, not an error."""
    try:
        offer = json.loads(body or b"{}")
        jwk = offer["key"]
        public_key = signatures.load_jwk(jwk)
    except (ValueError, KeyError, TypeError, signatures.SignatureError):
        raise Refused(400, "bad_request", 'send {"code": "...", "key": <the phone\'s public key as a JWK>, '
                      '"label": "..."} signed with that key') from None
    key_id = signatures.key_id(public_key)
    try:
        signatures.verify(method, url, headers, body, lambda kid: public_key if kid == key_id else None,
                          max_skew_s=SIGNATURE_SKEW_S)
    except signatures.SignatureError as exc:
        raise _refused(exc) from None
    label = " ".join(str(offer.get("label") or "phone").split())[:MAX_LABEL] or "phone"
    now = timestamp()
    with db.proxy.atomic():
        known = Phone.get_or_none(Phone.key_id == key_id)
        if known is not None and known.revoked_at is None:
            return known, False
        if known is not None:
            raise Refused(401, "phone_revoked", "this phone was switched off by your worker: ask them for a new "
                          "code, and set the phone up again (it makes a new key)")
        person = people.redeem_code(str(offer.get("code", "")), now)
        if person.status != RELEASED:
            raise Refused(409, "not_released", "this person is not released yet: the code works after release")
        phone = Phone.create(key_id=key_id, person=person, jwk=json.dumps(jwk, sort_keys=True),
                             alg=jwk.get("crv", ""), label=label, activated_at=now, last_seen_at=now)
    return phone, True


def _registered(key_id: str) -> Phone | None:
    phone = Phone.get_or_none(Phone.key_id == key_id)
    if phone is not None and phone.revoked_at:
        raise Refused(401, "phone_revoked", "this phone was switched off by your worker (lost or replaced): set it "
                      "up again with a new code from them")
    return phone


def _prune_nonces(now_s: float) -> None:
    """Forget nonces older than NONCE_KEEP_S, at most once every PRUNE_EVERY_S in this process (a scan
    of the table per request would sit on every sync); a nonce is only ever kept longer, never less."""
    global _pruned_at
    if now_s - _pruned_at >= PRUNE_EVERY_S:
        _pruned_at = now_s
        PhoneNonce.delete().where(PhoneNonce.seen_at < now_s - NONCE_KEEP_S).execute()


def check(method: str, url: str, headers, body: bytes) -> Caller:
    """The phone that signed this request; Refused (401) otherwise: unsigned, tampered, replayed,
    unknown or revoked key, or too far from the hub's clock."""
    found: list[Phone] = []

    def key_of(key_id: str):
        phone = _registered(key_id)
        if phone is None:
            return None
        found.append(phone)
        return signatures.load_jwk(json.loads(phone.jwk))

    try:
        verified = signatures.verify(method, url, headers, body, key_of, max_skew_s=SIGNATURE_SKEW_S)
    except signatures.SignatureError as exc:
        raise _refused(exc) from None
    now_s = time.time()
    try:
        with db.proxy.atomic():
            PhoneNonce.insert(key_id=verified.key_id, nonce=verified.nonce[:64], seen_at=now_s).execute()
    except peewee.IntegrityError:
        raise Refused(401, "replayed", "this request was already received once: a copy of it is not accepted") \
            from None
    _prune_nonces(now_s)
    phone, now = found[-1], timestamp()
    if (phone.last_seen_at or "")[:16] != now[:16]:  # to the minute: at most one write a minute
        Phone.update(last_seen_at=now).where(Phone.key_id == phone.key_id).execute()
    return Caller(phone.key_id, phone.person_id)


def revoke(key_id: str, by: str) -> Phone:
    phone = Phone.get_or_none(Phone.key_id == key_id)
    if phone is None:
        raise Refused(404, "unknown_phone", f"no phone {key_id!r}: `throughgate hub people show PERSON` lists them")
    if phone.revoked_at is None:
        with db.proxy.atomic():
            Phone.update(revoked_at=timestamp(), revoked_by=by[:80]).where(Phone.key_id == key_id).execute()
            push_subscriptions.remove(key_id)  # nothing is pushed to a revoked phone
    return Phone.get(Phone.key_id == key_id)


def phones_of(person_id: str) -> list[Phone]:
    return list(Phone.select().where(Phone.person == person_id).order_by(Phone.activated_at))
