"""Security pass: a push endpoint must take the hub only to a push service it knows (PUSH_SERVICES).

The hub checked the endpoint's host with Python's urlsplit, but pushes with requests (urllib3), and the two
read some URLs differently: `https://127.0.0.1\\.fcm.googleapis.com/x` is a host ending in
.fcm.googleapis.com to urlsplit, and a POST to 127.0.0.1 (path /%5C.fcm…) to requests. A phone (or whoever
holds its key) could so make the hub POST to any host it names: an address inside the hub's network, or
its own server, past the allowlist. Now the host must be a plain DNS name, on port 443."""

from __future__ import annotations

import pytest
import urllib3
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from phonekit import released_person
from requests.models import PreparedRequest

from hub import ca
from hub.push import subscriptions, vapid
from hub.push.models import PushSubscription
from hub.refusals import Refused
from phone import client
from provisioning.tokens import ActivationOffer

ALLOWED = subscriptions.services("fcm.googleapis.com,push.services.mozilla.com,notify.windows.com")
TRICKS = ["https://127.0.0.1\\.fcm.googleapis.com/wpush/x", "https://10.0.0.5\\.fcm.googleapis.com/x",
          "https://evil.example\\.notify.windows.com/x", "https://127.0.0.1;.fcm.googleapis.com/x",
          "https://127.0.0.1%2f.fcm.googleapis.com/x", "https://fcm.googleapis.com:6379/x",
          "https://fcm.googleapis.com:22/x", "https://[::1]/x", "https://0x7f000001/x",
          "https://fcm.googleapis.com\\@127.0.0.1/x", "https://127.0.0.1#@fcm.googleapis.com/x"]


def _where_requests_goes(endpoint: str) -> tuple[str, int]:
    prepared = PreparedRequest()
    prepared.prepare(method="POST", url=endpoint)
    parsed = urllib3.util.parse_url(prepared.url)
    return parsed.host, parsed.port or 443


def _keys() -> tuple[str, str]:
    point = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return vapid.b64url(point), vapid.b64url(b"a" * 16)


@pytest.mark.parametrize("endpoint", TRICKS)
def test_an_endpoint_the_hub_takes_is_pushed_to_on_a_known_service(endpoint):
    try:
        subscriptions.check_endpoint(endpoint, ALLOWED)
    except Refused:
        return
    host, port = _where_requests_goes(endpoint)
    assert any(host == name or host.endswith("." + name) for name in ALLOWED) and port == 443, (host, port)


def test_the_known_services_still_work():
    for endpoint in ("https://fcm.googleapis.com/fcm/send/abc:APA91b", "https://wns2-par02p.notify.windows.com/w/?token=x",
                     "https://updates.push.services.mozilla.com:443/wpush/v2/gAAA"):
        assert subscriptions.check_endpoint(endpoint, ALLOWED) == endpoint


def test_a_phone_cannot_subscribe_the_hub_to_a_loopback_address(app, server, instance, tmp_path):
    person, code = released_person(app)
    offer = ActivationOffer(server.url, code, ca.root_pin(ca.load_root(ca.files(instance)))).to_link()
    folder = tmp_path / "phone"
    client.activate(offer, folder, "Alex's phone")
    p256dh, auth = _keys()
    with pytest.raises(client.PhoneError) as refused:
        client.push_subscribe(folder, TRICKS[0], p256dh, auth)
    assert refused.value.status == 400 and refused.value.code == "bad_subscription"
    assert PushSubscription.select().count() == 0
