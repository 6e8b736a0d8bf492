"""The person's app on their phone (app/src/phone/), in Debian's Chromium against a real `throughgate hub run`
over HTTPS: activation with the release letter's offer (what its square code holds), a message to their
worker, a message written with the network off (it waits in "Waiting to send", survives a reload, and reaches
the hub exactly once when the network is back), a worker's reply shown and its read receipt at the hub, a
request to move an appointment at the hub, the health summary kept on the phone, and axe-core on each screen.
Every data request is signed in the browser with the phone's non-extractable WebCrypto key (RFC 9421), and the
hub's own verifier (provisioning/signatures.py) is what accepts them."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
import subprocess
import time
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from phonekit import offer_for, on_hub, released_person, until
from workkit import running_hub

import webapp
from hub import ca
from hub.appointments import jitsi
from hub.appointments import service as appointments
from hub.appointments.models import AppointmentChange
from hub.medical import service as health
from hub.medical.models import HealthWorkerShare
from hub.phones import service as phones
from hub.phones.models import Phone
from hub.plans import service as plans
from hub.push.models import PushSubscription
from hub.sync import messages, uploads, uploads_api
from hub.sync.models import Message, MessageAttachment, PhoneChange
from hub.workers import caseload
from tests import browserkit
from wire import ips_build

WAIT_MS = 10_000
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGOQLdgBRAwQCgAhLgUV"
                       "+SYaPgAAAABJRU5ErkJggg==")
"""A 2 by 2 pixel PNG: a worker's photo."""


def _noisy_png(side: int) -> bytes:
    """A PNG of random pixels (it hardly compresses): side 450 is about 600 KB, three of the hub's 256 KiB chunks."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + os.urandom(side * 3) for _ in range(side))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
KEPT_KEY = """async () => {
    const db = await new Promise((ok) => {
        const r = indexedDB.open("throughgate-phone"); r.onsuccess = () => ok(r.result); });
    const key = await new Promise((ok) => {
        const r = db.transaction("device").objectStore("device").get("key"); r.onsuccess = () => ok(r.result); });
    try { await crypto.subtle.exportKey("jwk", key.privateKey); return "exported"; } catch (e) { /* as it must */ }
    return key.privateKey instanceof CryptoKey && key.privateKey.extractable === false ? key.keyId : "?";
}"""
"""The device key as IndexedDB keeps it: a CryptoKey whose private half cannot be exported (its key id, or why not)."""


def _at(**delta) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).isoformat(timespec="seconds")


def spki_hash(instance: Path) -> str:
    """The hub's server key as Chromium's --ignore-certificate-errors-spki-list takes it."""
    cert = x509.load_pem_x509_certificate(ca.files(instance).server_cert.read_bytes())
    spki = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    """A real hub, which serves the app at /app/ (hub/webapp_web.py)."""
    if not webapp.built():
        pytest.fail(webapp.NOT_BUILT, pytrace=False)
    with running_hub(tmp_path_factory.mktemp("app-phone")) as (process, app):
        yield process, app


@pytest.fixture(scope="module")
def browser(hub):
    """One Chromium for the file, trusting the test hub's server key (and no other): Chromium registers a service
    worker only from a server it trusts, and the offline reload is the service worker's."""
    args = [*browserkit.CHROMIUM_ARGS, f"--ignore-certificate-errors-spki-list={spki_hash(hub[0].instance)}",
            "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]  # a microphone, allowed
    with browserkit.chromium(args) as chromium:
        yield chromium




SMALL_TARGETS = """() => [...document.querySelectorAll(
        "#main a, #main button, #main input, #main select, #main textarea")]
    .filter((el) => el.offsetParent !== null && !el.closest("p.share-url"))
    .filter((el) => { const r = el.getBoundingClientRect(); return r.height < 44 || r.width < 44; })
    .map((el) => `${el.tagName} ${el.textContent.trim() || el.name || el.id}`)"""
"""What a finger cannot hit: a control on the screen under 44 by 44 CSS pixels (a share link's address, text, aside)."""
PHONE = {"width": 360, "height": 740}


def _accessible(page, screen: str) -> None:
    """axe-core finds nothing, the screen fits a small phone's width, and every control is at least 44 px."""
    page.wait_for_selector(f"html[data-screen='{screen}']")
    browserkit.assert_accessible(page)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"], screen
    assert page.evaluate(SMALL_TARGETS) == [], screen


def test_the_phone_app_activates_sends_offline_once_gets_receipts_and_asks_to_move(browser, hub):
    process, app = hub
    origin = process.url
    person, code = released_person(app)
    offer = offer_for(process, process.instance, code)
    first = on_hub(app, lambda: messages.send_from_worker(person, "olivia", "Your first appointment is Monday at 10."))
    visit = on_hub(app, lambda: appointments.create(person, "olivia", "in_person", _at(days=3), 30,
                                                     "Cardiff probation office, 2nd floor", "olivia"))
    on_hub(app, lambda: appointments.create(person, "olivia", "video", _at(days=4), 15, "Video call", "olivia",
                                             jitsi.Jitsi("https://meet.example.org", "throughgate", "s" * 32)))
    for field, value in (("status", "in_progress"), ("owner", "Housing officer, Cardiff council")):
        on_hub(app, lambda f=field, v=value: plans.edit(person, "accommodation", f, v, "olivia", None, _at()))

    context = browserkit.new_context(browser, viewport=PHONE)
    page = context.new_page()
    page.goto(f"{origin}/app/")
    _accessible(page, "activate")
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller", timeout=WAIT_MS)

    # A wrong code: refused in plain words, beside the field; then the letter's square code, whose link the
    # phone's camera opens: the code is filled in (and gone from the address), and the person says go.
    page.get_by_label("Code from your release letter").fill("ABCD-EFGH-JKMN")
    page.get_by_role("button", name="Set up this phone").click()
    page.get_by_role("alert").filter(has_text="That code did not work").wait_for(timeout=WAIT_MS)
    _accessible(page, "activate")
    assert offer.startswith(f"{origin}/app/#/activate?code={code}&ca=")
    page.goto(offer)
    page.wait_for_function("(code) => (document.getElementById('code') || {}).value === code", arg=code)
    assert code not in page.url
    page.get_by_role("button", name="Set up this phone").click()
    page.wait_for_selector("html[data-screen='messages']", timeout=WAIT_MS)
    phone = on_hub(app, lambda: Phone.get(Phone.person == person))
    assert phone.alg == "P-256"
    assert page.evaluate(KEPT_KEY) == phone.key_id  # kept as a CryptoKey, and its private half cannot be read out

    page.get_by_role("link", name="Olivia").click()
    page.get_by_text("Your first appointment is Monday at 10.").wait_for(timeout=WAIT_MS)
    until(lambda: on_hub(app, lambda: Message.get_by_id(first.message_id).read_at), "the read receipt at the hub")
    _accessible(page, "conversation")

    def send(text: str) -> None:
        page.get_by_label("Write a message to Olivia").fill(text)
        page.get_by_role("button", name="Send").click()

    send("Thank you, I will be there.")
    page.locator("li.message[data-state='sent']", has_text="Thank you").wait_for(timeout=WAIT_MS)
    letter = _noisy_png(450)
    page.get_by_label("Add a photo (you can leave this empty)").set_input_files(
        files=[{"name": "letter.png", "mimeType": "image/png", "buffer": letter}])
    send("This came from the council")  # the photo is uploaded in chunks first, then the message names it
    page.locator("li.message[data-state='sent']", has_text="from the council").wait_for(timeout=WAIT_MS)
    with_photo = on_hub(app, lambda: Message.get((Message.person == person) & (Message.text ** "%council%")))
    assert on_hub(app, lambda: [a.sha256 for a in MessageAttachment.select().where(
        MessageAttachment.message == with_photo.message_id)]) == [hashlib.sha256(letter).hexdigest()]
    page.get_by_role("button", name="Record a voice note").click()  # Chromium's fake microphone
    page.get_by_text("Recording.").wait_for()
    time.sleep(1.0)
    page.get_by_role("button", name="Stop recording").click()
    page.get_by_text("Voice note ready.").wait_for(timeout=WAIT_MS)
    send("Listen to this")
    page.locator("li.message[data-state='sent']", has_text="Listen to this").wait_for(timeout=WAIT_MS)
    spoken = on_hub(app, lambda: Message.get((Message.person == person) & (Message.text == "Listen to this")))
    assert on_hub(app, lambda: [a.media_type for a in MessageAttachment.select().where(
        MessageAttachment.message == spoken.message_id)]) == ["audio/webm"]

    # The network off: what the person writes waits on the phone, visible, and survives a reload.
    context.set_offline(True)
    send("Written with no signal")
    page.locator("li.message[data-state='waiting']", has_text="no signal").wait_for(timeout=WAIT_MS)
    page.get_by_role("link", name="Waiting to send: 1").click()
    page.locator(".outbox-item[data-state='waiting']").wait_for(timeout=WAIT_MS)
    _accessible(page, "outbox")
    page.reload()  # the service worker has the app: it opens with no network, and the message still waits
    page.wait_for_selector("html[data-screen='outbox']")
    page.locator(".outbox-item[data-state='waiting']").wait_for(timeout=WAIT_MS)
    context.set_offline(False)  # the signal is back: the browser's `online` event starts the drain
    page.get_by_text("Everything has been sent.").wait_for(timeout=WAIT_MS)
    stored = on_hub(app, lambda: Message.select().where((Message.person == person)
                                                          & (Message.text == "Written with no signal")).count())
    assert stored == 1

    # A worker's reply: shown after a sync, and its read receipt reaches the hub.
    def photo_reply():
        ref = uploads.keep_whole(uploads_api.store(), person, PNG, uploads.Rules.from_config(app.config))
        return messages.send_from_worker(person, "olivia", "Got it. See you then.", [ref])

    with app.test_request_context():
        reply = on_hub(app, photo_reply)
    page.goto(f"{origin}/app/#/messages")
    page.get_by_role("button", name="Check for new messages").click()
    page.get_by_role("link", name="Olivia").click()
    page.get_by_text("Got it. See you then.").wait_for(timeout=WAIT_MS)
    until(lambda: on_hub(app, lambda: Message.get_by_id(reply.message_id).read_at), "the reply's read receipt")
    # The photo is fetched only when asked for: data costs the person money.
    page.locator("li.message", has_text="Got it").get_by_role("button", name="Show the photo (1 KB)").click()
    photo = page.get_by_role("img", name="Photo from Olivia")
    photo.wait_for(timeout=WAIT_MS)
    assert photo.evaluate("img => img.decode().then(() => img.naturalWidth)") == 2

    # Appointments: ask to move one; the request reaches the hub.
    page.goto(f"{origin}/app/#/appointments")
    page.get_by_text("Cardiff probation office, 2nd floor").wait_for(timeout=WAIT_MS)
    # Reminders: this Chromium has no push service, so turning them on fails, and says so in words.
    context.grant_permissions(["notifications"])
    page.get_by_role("button", name="Turn on reminders").click()
    page.get_by_text("Reminders could not be changed: this phone's browser did not allow it.").wait_for(timeout=WAIT_MS)
    assert on_hub(app, lambda: PushSubscription.select().count()) == 0
    _accessible(page, "appointments")
    join = page.get_by_role("link", name="Join the video call")
    assert join.get_attribute("href").startswith("https://meet.example.org/tg")
    assert join.get_attribute("rel") == "noopener noreferrer"
    page.get_by_role("link", name="Ask to move it").first.click()
    _accessible(page, "appointment")
    page.get_by_label("Why do you need to move it?").fill("I start a new job that morning")
    page.get_by_label("When would suit you? (you can leave this empty)").fill("any afternoon that week")
    page.get_by_role("button", name="Ask my worker").click()
    asked = until(lambda: on_hub(app, lambda: list(AppointmentChange.select().where(
        (AppointmentChange.appointment == visit.appointment_id) & (AppointmentChange.what == "reschedule_asked")))),
        "the request to move the appointment at the hub")
    assert [a.reason for a in asked] == ["I start a new job that morning"]
    page.get_by_role("link", name="Back to appointments").click()
    page.get_by_role("link", name="I'm running late").first.click()
    page.get_by_label("How late will you be?").select_option("10")
    page.get_by_role("button", name="Tell my worker").click()
    late = until(lambda: on_hub(app, lambda: list(AppointmentChange.select().where(
        (AppointmentChange.appointment == visit.appointment_id) & (AppointmentChange.what == "running_late")))),
        "running late at the hub")
    assert [json.loads(a.detail)["minutes"] for a in late] == [10]

    # The release plan, as the worker set it, from the phone's copy of the feed.
    page.goto(f"{origin}/app/#/plan")
    page.locator("[data-pathway='accommodation']", has_text="Housing officer, Cardiff council").wait_for()
    assert "In progress" in page.locator("[data-pathway='accommodation']").inner_text()
    assert "Not started" in page.locator("[data-pathway='family']").inner_text()
    _accessible(page, "plan")

    # The health summary: fetched after the sync that says it changed, then shown from the phone's copy.
    on_hub(app, lambda: health.import_bundle(person, ips_build.release_summary({
        "patient": {"name": "Sam Carter", "born": "1990-04-02"}, "release_date": _at(days=1)[:10],
        "author": {"name": "Dr Ann Jones", "organisation": "HMP Leeds Healthcare"},
        "allergies": [{"what": "Penicillin", "reaction": "Rash", "severity": "moderate"}],
        "problems": [{"what": "Depression", "since": "2019", "status": "active"}]}, person, _at()),
        "summary", "nurse", "health_care", "cli"))
    page.goto(f"{origin}/app/#/messages")
    page.get_by_role("button", name="Check for new messages").click()
    page.goto(f"{origin}/app/#/health")
    page.get_by_text("Penicillin").wait_for(timeout=WAIT_MS)
    page.get_by_label("Who is it for?").fill("new GP")
    page.get_by_role("button", name="Make a link").click()
    page.get_by_role("img", name="Square code for the link").wait_for(timeout=WAIT_MS)
    _accessible(page, "health")
    page.get_by_role("button", name="Stop this link").click()
    page.get_by_text("The link for new GP no longer works.").wait_for(timeout=WAIT_MS)
    page.get_by_role("button", name="Let Olivia read it").click()
    page.get_by_text("Olivia (probation officer) may read your health summary.").wait_for(timeout=WAIT_MS)
    shared = on_hub(app, lambda: HealthWorkerShare.select().where(HealthWorkerShare.person == person))
    assert [w.worker for w in shared] == ["olivia"]

    # Who looked: a worker's console showing the record, and the phone's own reads of the health summary.
    on_hub(app, lambda: caseload.record_reads("olivia", [person], "person"))
    page.goto(f"{origin}/app/#/views")
    page.get_by_text("Olivia (probation officer) looked at your record").wait_for(timeout=WAIT_MS)
    assert "You read your health summary through your phone" in page.locator("#main").inner_text()
    _accessible(page, "views")

    changes = on_hub(app, lambda: {c.kind: 0 for c in PhoneChange.select().where(PhoneChange.person == person)})
    assert set(changes) == {"message", "read", "reschedule", "late"}
    context.close()


SIGNED = """async ({ sign }) => {
    const db = await new Promise((ok) => {
        const r = indexedDB.open("throughgate-phone"); r.onsuccess = () => ok(r.result); });
    const key = await new Promise((ok) => {
        const r = db.transaction("device").objectStore("device").get("key"); r.onsuccess = () => ok(r.result); });
    const send = async (method, path, body, tamper = null, again = null) => {
        const url = location.origin + path;
        const bytes = body === null ? null : new TextEncoder().encode(body);
        const headers = again || await window.phoneSigning.sign(method, url, bytes, key);
        const sent = tamper === null ? bytes : new TextEncoder().encode(tamper);
        const answer = await fetch(url, { method, body: sent, headers: { ...headers,
            ...(sent ? { "Content-Type": "application/json" } : {}) } });
        const text = await answer.text();
        return { status: answer.status, error: text.startsWith("{") ? JSON.parse(text).error || "" : "", headers };
    };
    const views = await send("GET", "/v1/phone/views?after=0&note=caf%C3%A9%20%E2%82%AC", null);
    const sync = await send("POST", "/v1/phone/sync", '{"cursor":0}');
    const tampered = await send("POST", "/v1/phone/sync", '{"cursor":0}', '{"cursor":1}');
    const replayed = await send("POST", "/v1/phone/sync", '{"cursor":0}', null, sync.headers);
    return { views: views.status, sync: sync.status, tampered: tampered.error, replayed: replayed.error,
             input: sync.headers["Signature-Input"] };
}"""
"""Signed requests made in the page by app/src/phone/signing.js with the kept device key, as the hub answers them."""


def _signing_module() -> str:
    """app/src/phone/signing.js bundled for a page (window.phoneSigning), by the project's own esbuild."""
    root = Path(__file__).resolve().parents[2]
    esbuild = root / "node_modules" / ".bin" / "esbuild"
    if not esbuild.exists():
        pytest.fail("esbuild is missing (node_modules): run make test, which runs npm ci", pytrace=False)
    done = subprocess.run([str(esbuild), str(root / "app" / "src" / "phone" / "signing.js"), "--bundle",
                           "--format=iife", "--global-name=phoneSigning"], capture_output=True, text=True, check=True)
    return done.stdout


def test_a_message_written_offline_waits_through_a_browser_restart_and_reaches_the_hub_once(browser, hub, tmp_path):
    """The outbox is in the browser's profile, not in the page: Chromium closed and started again (the same profile,
    as a phone restarting) still holds the message, and once online it reaches the hub, once."""
    process, app = hub
    person, code = released_person(app)
    args = [*browserkit.CHROMIUM_ARGS, f"--ignore-certificate-errors-spki-list={spki_hash(process.instance)}"]

    def started(**options):
        return browser.browser_type.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=browserkit.CHROMIUM, args=args, headless=True,
            viewport=PHONE, **options)

    context = started()
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(f"{process.url}/app/#/activate")
    page.get_by_label("Code from your release letter").fill(code)
    page.get_by_role("button", name="Set up this phone").click()
    page.get_by_role("link", name="Olivia").click()
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller", timeout=WAIT_MS)
    context.set_offline(True)
    page.get_by_label("Write a message to Olivia").fill("Kept through a restart")
    page.get_by_role("button", name="Send").click()
    page.locator("li.message[data-state='waiting']", has_text="through a restart").wait_for(timeout=WAIT_MS)
    context.close()  # the browser is gone, as when a phone is switched off

    context = started(offline=True)  # back, still with no signal: the message still waits
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(f"{process.url}/app/#/outbox")
    page.locator(".outbox-item[data-state='waiting']").wait_for(timeout=WAIT_MS)
    context.set_offline(False)
    page.reload()  # online: the app sends what waits
    page.get_by_role("link", name="Waiting to send: 0").wait_for(timeout=WAIT_MS)
    sent = (Message.person == person) & (Message.text == "Kept through a restart")
    until(lambda: on_hub(app, lambda: Message.select().where(sent).count()) == 1, "the message at the hub")
    page.reload()  # a later drain sends nothing again
    page.get_by_role("link", name="Waiting to send: 0").wait_for(timeout=WAIT_MS)
    assert on_hub(app, lambda: Message.select().where(sent).count()) == 1
    context.close()


def test_the_browsers_signatures_are_the_ones_the_hub_verifies_and_a_changed_body_or_a_replay_is_refused(browser, hub):
    process, app = hub
    origin = process.url
    person, code = released_person(app, "tom")
    context = browserkit.new_context(browser, viewport=PHONE)
    page = context.new_page()
    page.goto(f"{origin}/app/#/activate")
    page.get_by_label("Code from your release letter").fill(code.lower().replace("-", " "))  # typed, as people do
    page.get_by_role("button", name="Set up this phone").click()
    page.wait_for_selector("html[data-screen='messages']", timeout=WAIT_MS)

    # Tom stops being their worker before the phone knows: a message to him is refused, kept, and says why.
    tom = page.get_by_role("link", name="Tom")
    tom.wait_for(timeout=WAIT_MS)  # the first sync brought the contacts
    on_hub(app, lambda: caseload.remove("tom", person))
    tom.click()
    page.get_by_label("Write a message to Tom").fill("Hello Tom")
    page.get_by_role("button", name="Send").click()
    refused = page.locator("li.message[data-state='refused']", has_text="Hello Tom")
    refused.get_by_text("Not sent: this person is not one of your workers now.").wait_for(timeout=WAIT_MS)
    page.get_by_text("You cannot write here now").wait_for(timeout=WAIT_MS)  # the contacts came with the answer
    _accessible(page, "conversation")
    page.goto(f"{origin}/app/#/messages")
    page.get_by_role("button", name="Cymraeg").click()  # the person's language: Welsh, kept
    page.get_by_role("button", name="Chwilio am negeseuon newydd").wait_for()
    _accessible(page, "messages")
    page.add_script_tag(content=_signing_module())
    found = page.evaluate(SIGNED, {"sign": True})
    assert found["views"] == 200  # a GET, no body: "@method" "@target-uri", a percent-encoded query kept as sent
    assert found["sync"] in (200, 204)  # a body: its Content-Digest covered too
    assert found["input"].startswith('sig1=("@method" "@target-uri" "content-digest");created=')
    assert 'alg="ecdsa-p256-sha256";nonce="' in found["input"]
    assert found["tampered"] == "digest_mismatch"
    assert found["replayed"] == "replayed"

    # The worker switches this phone off: the app says so, in Welsh here, and offers to set it up again.
    on_hub(app, lambda: phones.revoke(Phone.get(Phone.person == person).key_id, "olivia"))
    switched_off = page.get_by_role("alert").filter(has_text="Mae eich gweithiwr wedi diffodd y ffôn hwn")
    page.get_by_role("button", name="Chwilio am negeseuon newydd").click()
    switched_off.wait_for(timeout=WAIT_MS)
    page.goto(f"{origin}/app/#/appointments")
    switched_off.wait_for(timeout=WAIT_MS)
    _accessible(page, "appointments")
    page.get_by_role("button", name="Gosod y ffôn hwn eto").click()
    page.wait_for_selector("html[data-screen='activate']")
    context.close()


def test_the_phone_screens_keep_to_the_apps_content_security_policy(browser, hub):
    """Under the policy the hub sends with /app/ (no inline style or script): the phone's constructed style sheet
    applies, and a share link's square code (the hub's SVG, as a data: image) can be shown."""
    process, _app = hub
    context = browser.new_context(ignore_https_errors=True)  # the page's own CSP, not bypassed
    page = context.new_page()
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{process.url}/app/#/activate")
    page.wait_for_selector("html[data-screen='activate']")
    assert page.evaluate("() => getComputedStyle(document.getElementById('code')).letterSpacing") != "normal"
    assert page.evaluate("""async () => { const img = new Image();
        img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(
            '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>');
        try { await img.decode(); return img.naturalWidth; } catch (e) { return 0; } }""") == 4
    assert refused == []
    context.close()
