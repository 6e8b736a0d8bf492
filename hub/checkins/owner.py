"""The owner, not just the phone: WebAuthn (the `webauthn` package, py_webauthn) where the phone supports it.

- Registration: the person makes a credential on this phone for the hub (relying party: PUBLIC_URL's host,
  origin PUBLIC_URL's), with user verification, over a challenge that is a nonce the hub gave this phone in the
  last NONCE_FOR_REGISTRATION. A credential that is backup-eligible (authenticator data flag BE=1: a passkey
  that syncs to other devices) is refused: it would prove someone holds the person's account, not this phone.
- Assertion: each check-in may carry one, with user verification, over wire.checkin.challenge(document).
  The fingerprint or face is matched on the phone; the hub receives only the authenticator's signature.

The webauthn package is imported on first use (it loads pyOpenSSL for attestation formats the hub does not
ask for); a hub without it answers 503 saying what to install.
"""

from __future__ import annotations

import base64
import warnings
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import peewee

from hub.checkins.models import CheckinCredential, CheckinNonce
from hub.phones.service import Caller
from hub.refusals import Refused
from wire.checkin import challenge, parse_time
from wire.records import timestamp

NONCE_FOR_REGISTRATION = timedelta(minutes=10)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _library():
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pyOpenSSL's DSA deprecation, not ours
            import webauthn
            from webauthn.helpers import exceptions, structs
    except ImportError:  # pragma: no cover (the lock installs it)
        raise Refused(503, "webauthn_missing", "this hub cannot check WebAuthn: install the `webauthn` package "
                      "(pip install webauthn) and restart it") from None
    return webauthn, exceptions, structs


def relying_party(config) -> tuple[str, str]:
    """(RP ID, origin) from PUBLIC_URL; Refused 409 when it is unset."""
    url = config.get("PUBLIC_URL")
    parts = urlsplit(url or "")
    if not parts.hostname:
        raise Refused(409, "webauthn_unavailable", "this hub has no PUBLIC_URL, so a phone cannot make a WebAuthn "
                      "credential for it: set PUBLIC_URL in hub.toml (the address the app is opened at)")
    return parts.hostname, f"{parts.scheme}://{parts.netloc}"


def register(caller: Caller, sent, config, now: datetime | None = None) -> CheckinCredential:
    """Keep a credential for this phone; Refused saying why not (400, 409, 422 synced_passkey)."""
    rp_id, origin = relying_party(config)
    if not isinstance(sent, dict) or not isinstance(sent.get("nonce"), str) or not isinstance(sent.get("credential"),
                                                                                               dict):
        raise Refused(400, "bad_request", 'send {"nonce": the nonce the registration\'s challenge is, "credential": '
                      "the PublicKeyCredential's toJSON()}")
    now = now or datetime.now(UTC)
    nonce = CheckinNonce.get_or_none((CheckinNonce.nonce == sent["nonce"][:64]) & (CheckinNonce.key_id ==
                                                                                    caller.key_id))
    if nonce is None or parse_time(nonce.issued_at) < now - NONCE_FOR_REGISTRATION:
        raise Refused(409, "stale_nonce", "the challenge is not a nonce this hub gave this phone in the last 10 "
                      "minutes: fetch GET /v1/phone/checkins and make the credential again with its nonce")
    webauthn, exceptions, structs = _library()
    try:
        verified = webauthn.verify_registration_response(
            credential=sent["credential"], expected_challenge=nonce.nonce.encode("ascii"), expected_rp_id=rp_id,
            expected_origin=origin, require_user_verification=True)
    except (exceptions.InvalidRegistrationResponse, exceptions.InvalidJSONStructure, ValueError, KeyError,
            TypeError) as exc:
        raise Refused(400, "webauthn_refused", f"the credential could not be checked: {exc}") from None
    if verified.credential_device_type == structs.CredentialDeviceType.MULTI_DEVICE:
        raise Refused(422, "synced_passkey", "this credential is backup eligible (a passkey that can be synced to "
                      "other devices through a password manager or cloud account), so it would not show that this "
                      "phone was used: make one kept on this phone only (a device-bound credential), or check in "
                      "without it")
    credential_id = _b64(verified.credential_id)
    try:
        return CheckinCredential.create(credential_id=credential_id, key_id=caller.key_id, person=caller.person_id,
                                        public_key=_b64(verified.credential_public_key),
                                        sign_count=verified.sign_count, registered_at=timestamp(now))
    except peewee.IntegrityError:
        known = CheckinCredential.get(CheckinCredential.credential_id == credential_id)
        if known.key_id != caller.key_id:
            raise Refused(409, "credential_exists", "this credential is registered for another phone") from None
        return known


def credentials_of(key_id: str) -> list[CheckinCredential]:
    return list(CheckinCredential.select().where(CheckinCredential.key_id == key_id))


def check(caller: Caller, document: dict, assertion, config) -> tuple[bool, list[tuple[str, str]]]:
    """(owner confirmed, flags) for a check-in's assertion (None when the phone sent none)."""
    known = credentials_of(caller.key_id)
    if assertion is None:
        if known:
            return False, [("owner_not_confirmed", "this phone has a registered credential, but the check-in came "
                            "without the owner's confirmation (fingerprint, face or PIN on the phone)")]
        return False, []
    if not isinstance(assertion, dict):
        return False, [("owner_check_failed", "the owner's confirmation is not a WebAuthn assertion")]
    found = next((c for c in known if c.credential_id == str(assertion.get("rawId") or assertion.get("id"))), None)
    if found is None:
        return False, [("owner_check_failed", "the owner's confirmation was made with a credential not registered "
                        "for this phone")]
    try:
        rp_id, origin = relying_party(config)
        webauthn, exceptions, structs = _library()
        verified = webauthn.verify_authentication_response(
            credential=assertion, expected_challenge=challenge(document), expected_rp_id=rp_id,
            expected_origin=origin, credential_public_key=_unb64(found.public_key),
            credential_current_sign_count=found.sign_count, require_user_verification=True)
    except Refused as exc:
        return False, [("owner_check_failed", exc.reason)]
    except Exception as exc:  # the library's InvalidAuthenticationResponse, or a malformed structure
        return False, [("owner_check_failed", f"the owner's confirmation does not hold for this check-in: "
                        f"{str(exc)[:200] or type(exc).__name__}")]
    if verified.credential_device_type == structs.CredentialDeviceType.MULTI_DEVICE:
        return False, [("owner_check_failed", "the credential now says it can be synced to other devices")]
    CheckinCredential.update(sign_count=verified.new_sign_count).where(
        CheckinCredential.credential_id == found.credential_id).execute()
    return True, []


def summary(key_id: str) -> dict:
    return {"registered": bool(credentials_of(key_id)), "challenge": "the SHA-256 of the canonical check-in document"}

