"""Check in on the person's phone (issue 14, "Check-ins" and "The app"), in Debian's Chromium against a real
`throughgate hub run` over HTTPS at https://localhost (WebAuthn takes a domain, not an IP address, as its relying
party; PUBLIC_URL names it). A worker set a schedule whose window is open; the phone's Check in screen says so.
Chromium's virtual authenticator (CDP WebAuthn: a platform authenticator with user verification, a fingerprint
or face in software) stands for the phone's: first one whose credentials are backup eligible (a synced passkey),
which the hub refuses and the screen explains, then a device-bound one, registered. axe-core finds nothing on the
screen in English and in Welsh (360 px, 44 px targets). With the network off, a photo (a file through the camera's
input) and a place (playwright's geolocation) are given and the check-in is sent: it is signed on the phone at once
(a JWS the hub's own verifier accepts with the phone's key, the last nonce the hub gave it, counter 1) with the
owner's assertion, and waits in the outbox. Back online the photo is uploaded and the hub stores one check-in,
verified, owner confirmed, nothing flagged; the worker's side shows its drift; the phone shows what became of it."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from formkit import png
from hubkit import make_instance
from hubprocess import HubProcess
from phonekit import hub_app, on_hub, released_person, until
from test_app_phone_browser import PHONE, _accessible, spki_hash

import webapp
from hub import ca
from hub.checkins import schedules, service
from hub.checkins.models import Checkin, CheckinCredential, CheckinNonce
from hub.phones.models import Phone
from provisioning import signatures
from provisioning.tokens import ActivationOffer
from tests import browserkit
from wire import checkin as wire

WAIT_MS = 10_000
PLACE = {"latitude": 51.4816, "longitude": -3.1791, "accuracy": 8}
AUTHENTICATOR = {"protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
                 "isUserVerified": True}
"""A phone's own fingerprint or face reader, as Chromium's virtual authenticator (it always verifies the user)."""


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    """A real hub whose PUBLIC_URL is https://localhost:<port>, the origin the app is opened at: (process, app,
    origin)."""
    if not webapp.built():
        pytest.fail(webapp.NOT_BUILT, pytrace=False)
    root = tmp_path_factory.mktemp("app-phone-checkin")
    instance = make_instance(root / "hub")
    url = f"sqlite:///{instance / 'hub.db'}"
    process = HubProcess(instance, url, root / "hub.log")
    origin = f"https://localhost:{process.port}"
    process.env["THROUGHGATE_HUB_PUBLIC_URL"] = origin
    process.start()
    try:
        yield process, hub_app(instance, url), origin
    finally:
        process.stop()


@pytest.fixture(scope="module")
def browser(hub):
    args = [*(a for a in browserkit.CHROMIUM_ARGS if not a.startswith("--host-resolver-rules=")),
            "--host-resolver-rules=MAP localhost 127.0.0.1, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",  # loopback only
            f"--ignore-certificate-errors-spki-list={spki_hash(hub[0].instance)}"]
    with browserkit.chromium(args) as chromium:
        yield chromium




def test_a_check_in_made_offline_reaches_the_hub_signed_on_the_phone_and_confirmed_by_its_owner(browser, hub):
    process, app, origin = hub
    person, code = released_person(app)
    opened = (datetime.now(UTC) - timedelta(hours=1)).isoformat(timespec="seconds")
    schedule = on_hub(app, lambda: schedules.set_schedule(person, "olivia", 7, opened, 24, 51.4816, -3.1791, 200))
    offer = ActivationOffer(origin, code, ca.root_pin(ca.load_root(ca.files(process.instance)))).to_link()
    context = browserkit.new_context(browser, viewport=PHONE, geolocation=PLACE, permissions=["geolocation"])
    try:
        page = context.new_page()
        page.goto(offer)
        page.wait_for_function("(code) => (document.getElementById('code') || {}).value === code", arg=code)
        page.get_by_role("button", name="Set up this phone").click()
        page.wait_for_selector("html[data-screen='messages']", timeout=WAIT_MS)
        phone = on_hub(app, lambda: Phone.get(Phone.person == person))

        # The phone's authenticator offers a synced passkey (backup eligible): refused, and said why in words.
        cdp = context.new_cdp_session(page)
        cdp.send("WebAuthn.enable", {"enableUI": False})
        synced = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
            **AUTHENTICATOR, "defaultBackupEligibility": True, "defaultBackupState": True}})["authenticatorId"]
        page.goto(f"{origin}/app/#/home")
        page.locator("a.tile[data-screen='checkin']", has_text="Check in").click()
        page.get_by_text("Check in now. You can check in until").wait_for(timeout=WAIT_MS)
        page.get_by_text("Your fingerprint or face never leaves this phone.").wait_for()
        offer_button = page.get_by_role("button", name="Use your fingerprint or face to confirm it is you")
        offer_button.click()
        page.get_by_role("alert").filter(has_text="can be copied to your other devices").wait_for(timeout=WAIT_MS)
        assert on_hub(app, lambda: CheckinCredential.select().count()) == 0

        # A credential kept on this phone only: registered at the hub for this phone's key.
        cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": synced})
        cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})
        offer_button.click()
        page.get_by_text("Done. From now on, your phone asks for your fingerprint or face").wait_for(timeout=WAIT_MS)
        [credential] = on_hub(app, lambda: list(CheckinCredential.select()))
        assert credential.key_id == phone.key_id
        _accessible(page, "checkin")
        page.get_by_role("button", name="Cymraeg").click()
        page.get_by_role("heading", name="Cofrestru", level=1).wait_for()
        page.get_by_text("Cofrestrwch nawr.").wait_for()
        _accessible(page, "checkin")
        page.get_by_role("button", name="English").click()
        page.get_by_role("heading", name="Check in", level=1).wait_for()

        # No signal: the check-in is made, confirmed and signed on the phone, and waits.
        context.set_offline(True)
        page.get_by_role("button", name="Send my check-in").click()
        page.get_by_role("alert").filter(has_text="Take a photo first.").wait_for()
        page.get_by_label("1. Take a photo of yourself").set_input_files(
            files=[{"name": "me.png", "mimeType": "image/png", "buffer": png(40, 30, noise=True)}])
        page.get_by_text("Photo ready.").wait_for(timeout=WAIT_MS)
        page.get_by_role("button", name="Find where I am").click()
        page.get_by_text("Found where you are, to within 8 metres.").wait_for(timeout=WAIT_MS)
        page.get_by_role("button", name="Send my check-in").click()
        page.get_by_text("Your check-in is signed and kept on this phone.").wait_for(timeout=WAIT_MS)
        page.locator(".checkin-list li[data-state='waiting']").wait_for()
        [(checkin_id, kind, body)] = page.evaluate(
            "async () => (await throughgate.outbox.pending()).map((i) => [i.id, i.kind, i.body])")
        assert kind == "checkin" and set(body) == {"jws", "attachments", "webauthn"}
        document = wire.verify(body["jws"], signatures.load_jwk(json.loads(phone.jwk)), phone.key_id)
        assert document["checkin_id"] == checkin_id and document["person"] == person and document["counter"] == 1
        assert document["gps"] == {"lat": 51.4816, "lon": -3.1791, "accuracy": 8, "mock": False}
        assert document["slot"] == f"{schedule.schedule_id}/0" and body["attachments"] == [document["photo"]]
        nonces = on_hub(app, lambda: [n.nonce for n in CheckinNonce.select().where(
            CheckinNonce.key_id == phone.key_id).order_by(CheckinNonce.issued_at)])
        assert document["nonce"] == nonces[-1]  # the last one the hub gave this phone
        assert on_hub(app, lambda: Checkin.select().count()) == 0

        # Online: the photo goes up, then the check-in: one at the hub, the phone's, confirmed by its owner.
        context.set_offline(False)
        [row] = until(lambda: on_hub(app, lambda: list(Checkin.select())), "the check-in at the hub")
        assert (row.checkin_id, row.outcome, row.owner_confirmed) == (checkin_id, "accepted", True), row.reasons
        assert row.jws == body["jws"] and row.photo_sha256 == document["photo"]["sha256"]
        [shown] = on_hub(app, lambda: service.of_person(person))
        assert re.fullmatch(r"\d+ s", shown.drift), shown.drift  # receipt time less the phone's: seconds here
        assert shown.distance_m is not None and shown.distance_m < 1
        page.locator(".checkin-list li[data-outcome='accepted']", has_text="Received. There is nothing more to do.") \
            .wait_for(timeout=WAIT_MS)
        assert page.evaluate("async () => (await throughgate.outbox.pending()).length") == 0
        assert "breach" not in page.locator("#main").text_content().lower()
    finally:
        context.close()
