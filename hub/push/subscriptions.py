"""A phone's Web Push subscription: what PushManager.subscribe gave the phone's app, `{"endpoint",
"keys": {"p256dh", "auth"}}` (the browser's PushSubscription.toJSON()). One a phone: a new one
replaces it; revoking the phone removes it; a push service answering 404 or 410 removes it.

The endpoint is where the hub will POST, so it is checked first: an https URL on one of the push
services the hub sends to (PUSH_SERVICES: each host and its subdomains). PUSH_INSECURE_LOOPBACK, for
tests and development only, also lets http://127.0.0.1:PORT/... through."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec

from hub.push.models import PushOutbox, PushSubscription
from hub.push.vapid import b64url, unb64url
from hub.refusals import Refused
from wire.records import timestamp

MAX_ENDPOINT = 1024
_DNS_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+")
"""A host name as requests (urllib3) reads it too: urlsplit takes `127.0.0.1\\.fcm.googleapis.com` for a host
that requests sends to 127.0.0.1, so a host with any other character is refused."""


@dataclass(frozen=True)
class Subscription:
    endpoint: str
    p256dh: str
    auth: str


def services(setting: str) -> tuple[str, ...]:
    return tuple(host.strip().strip(".").lower() for host in str(setting or "").split(",") if host.strip())


def _allowed_host(host: str, allowed: tuple[str, ...]) -> bool:
    return any(host == name or host.endswith("." + name) for name in allowed)


def check_endpoint(endpoint, allowed: tuple[str, ...], insecure_loopback: bool = False) -> str:
    """The endpoint, if the hub may push to it; Refused (400) saying why otherwise."""
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > MAX_ENDPOINT:
        raise Refused(400, "bad_subscription", f"'endpoint' is the push subscription's URL, at most {MAX_ENDPOINT} "
                      "characters: send what PushSubscription.toJSON() gives")
    try:
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        raise Refused(400, "bad_subscription", "'endpoint' is not a URL: send what PushSubscription.toJSON() "
                      "gives") from None
    if insecure_loopback and parts.scheme == "http" and host == "127.0.0.1" and port:
        return endpoint
    if parts.scheme != "https" or not host or parts.username or parts.password:
        raise Refused(400, "bad_subscription", f"the push endpoint must be an https URL, not {parts.scheme or 'no'}"
                      ": the hub pushes only over TLS")
    if not _DNS_NAME.fullmatch(host) or port not in (None, 443):
        raise Refused(400, "bad_subscription", "the push endpoint's host must be a push service's name, on port 443: "
                      "send what PushSubscription.toJSON() gives")
    if not _allowed_host(host, allowed):
        raise Refused(400, "push_service_not_allowed", f"this hub does not push to {host}: it pushes to "
                      f"{', '.join(allowed) or 'no push service'} (PUSH_SERVICES); ask the hub's operator")
    return endpoint


def _key(value, name: str, size: int) -> str:
    try:
        raw = unb64url(value) if isinstance(value, str) else b""
    except ValueError:
        raw = b""
    if len(raw) != size:
        raise Refused(400, "bad_subscription", f"'keys.{name}' is {size} bytes in base64url: send what "
                      "PushSubscription.toJSON() gives")
    return b64url(raw)


def parse(sent, allowed: tuple[str, ...], insecure_loopback: bool = False) -> Subscription:
    """A subscription from the phone's JSON, checked: Refused (400) with what to send otherwise."""
    if not isinstance(sent, dict) or not isinstance(sent.get("keys"), dict):
        raise Refused(400, "bad_subscription", 'send {"endpoint": "https://...", "keys": {"p256dh": "...", '
                      '"auth": "..."}}: what PushSubscription.toJSON() gives')
    endpoint = check_endpoint(sent.get("endpoint"), allowed, insecure_loopback)
    p256dh = _key(sent["keys"].get("p256dh"), "p256dh", 65)
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(p256dh))
    except ValueError:
        raise Refused(400, "bad_subscription", "'keys.p256dh' is not a point on P-256: send what "
                      "PushSubscription.toJSON() gives") from None
    return Subscription(endpoint, p256dh, _key(sent["keys"].get("auth"), "auth", 16))


def save(key_id: str, person_id: str, subscription: Subscription) -> bool:
    """Register or replace the phone's subscription; True when it had none before."""
    found = PushSubscription.get_or_none(PushSubscription.phone == key_id)
    if found is None:
        PushSubscription.create(phone=key_id, person=person_id, endpoint=subscription.endpoint,
                                p256dh=subscription.p256dh, auth=subscription.auth, made_at=timestamp())
        return True
    if (found.endpoint, found.p256dh, found.auth) != (subscription.endpoint, subscription.p256dh, subscription.auth):
        PushOutbox.delete().where(PushOutbox.phone == key_id).execute()  # for the old endpoint
        PushSubscription.update(endpoint=subscription.endpoint, p256dh=subscription.p256dh, auth=subscription.auth,
                                made_at=timestamp()).where(PushSubscription.phone == key_id).execute()
    return False


def remove(key_id: str) -> bool:
    """Forget a phone's subscription and what waits for it; True when it had one."""
    PushOutbox.delete().where(PushOutbox.phone == key_id).execute()
    return PushSubscription.delete().where(PushSubscription.phone == key_id).execute() > 0


def of_phone(key_id: str) -> PushSubscription | None:
    return PushSubscription.get_or_none(PushSubscription.phone == key_id)
