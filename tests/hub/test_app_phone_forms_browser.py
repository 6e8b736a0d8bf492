"""Forms on the person's phone (issue 14, "Filling in"), in Debian's Chromium against a real `throughgate hub run`
over HTTPS: a form published at the hub (text, a choice, a number, a photo with max-pixels, a voice note, a
signature, a place, and a question asked only after one answer) is listed in the app's Forms and kept for offline
use; with the network off the person fills it in (the question under skip logic shows only when asked; a number
out of range is caught beside its question before anything is kept; the photo is made smaller to the form's
max-pixels in the browser; the voice note comes from Chromium's fake microphone, the place from a location
playwright sets), a reload finds every answer kept, and they send it: it waits in the outbox, and once the network
is back the files are uploaded resumably and the hub holds exactly one submission with every answer, each file's
SHA-256 the one the phone kept. A value the hub refuses shows on Forms with its reason. axe-core finds nothing on
the list and the form, in English and in Welsh."""

from __future__ import annotations

import hashlib
import io
import json
import time
import zipfile

import pytest
from formkit import SURVEY_HEADER, png, xlsform
from phonekit import offer_for, on_hub, released_person, until
from test_app_phone_browser import PHONE, _accessible, spki_hash
from workkit import running_hub

import webapp
from hub import db
from hub.forms import service, submissions
from hub.forms.models import FormAttachment, FormSubmission
from hub.sync import uploads_api
from tests import browserkit

WAIT_MS = 10_000
HEADER = [*SURVEY_HEADER, "relevant"]
SURVEY = [
    ["text", "employer", "Who was the interview with?", "Gyda phwy oedd y cyfweliad?", "yes", "string-length(.) <= 80",
     "", ""],
    ["select_one went", "went", "How did it go?", "Sut aeth hi?", "yes", "", "", ""],
    ["text", "why", "What went badly?", "Beth aeth yn wael?", "yes", "", "", "", "${went} = 'badly'"],
    ["integer", "minutes", "How long was it (minutes)?", "Pa mor hir oedd e (munudau)?", "", ". >= 1 and . <= 480", "",
     ""],
    ["image", "photo", "A photo of the letter", "Llun o'r llythyr", "", "", "max-pixels=64", ""],
    ["audio", "voice", "Say how you feel", "Dywedwch sut rydych chi'n teimlo", "", "", "", ""],
    ["image", "signature", "Sign here", "Llofnodwch yma", "yes", "", "", "signature"],
    ["geopoint", "where", "Where are you?", "Ble rydych chi?", "", "", "capture-accuracy=10 warning-accuracy=25", ""],
]
CHOICES = [["went", "well", "Well", "Yn dda"], ["went", "badly", "Badly", "Yn wael"]]
PLACE = {"latitude": 51.4816, "longitude": -3.1791, "accuracy": 8}
KEPT_FILES = """async () => {
    const db = await new Promise((ok) => {
        const r = indexedDB.open("throughgate-phone"); r.onsuccess = () => ok(r.result); });
    const keys = await new Promise((ok) => {
        const r = db.transaction("files").objectStore("files").getAllKeys(); r.onsuccess = () => ok(r.result); });
    return keys.map(String).sort();
}"""
"""The SHA-256s of the files the phone kept (IndexedDB throughgate-phone, store files)."""
DRAFT_KEPT = """async () => {
    const db = await new Promise((ok) => {
        const r = indexedDB.open("throughgate-app"); r.onsuccess = () => ok(r.result); });
    if (!db.objectStoreNames.contains("phone_form_drafts")) { db.close(); return false; }
    const draft = await new Promise((ok) => {
        const r = db.transaction("phone_form_drafts").objectStore("phone_form_drafts").get("interview_feedback");
        r.onsuccess = () => ok(r.result); });
    db.close();
    return Boolean(draft && ["employer", "photo", "voice", "signature", "where"].every((p) => draft.values[p]));
}"""
"""Whether the half-filled form is kept in the app's IndexedDB with every answer given so far."""


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    if not webapp.built():
        pytest.fail(webapp.NOT_BUILT, pytrace=False)
    with running_hub(tmp_path_factory.mktemp("app-phone-forms")) as (process, app):
        with app.app_context(), db.connected():
            service.publish(xlsform(survey=SURVEY, choices=CHOICES, header=HEADER), "test")
        yield process, app


@pytest.fixture(scope="module")
def browser(hub):
    args = [*browserkit.CHROMIUM_ARGS, f"--ignore-certificate-errors-spki-list={spki_hash(hub[0].instance)}",
            "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]  # a microphone, allowed
    with browserkit.chromium(args) as chromium:
        yield chromium




def _exported(app) -> tuple[list[str], dict[str, bytes]]:
    """The form's export as ODK Central's CSV with media: its CSV rows, and each media file's bytes by name."""
    out = io.BytesIO()
    with app.test_request_context(), db.connected():
        submissions.export("interview_feedback", None, uploads_api.store(), out)
    with zipfile.ZipFile(out) as archive:
        rows = archive.read("interview_feedback.csv").decode().splitlines()
        return rows, {name: archive.read(name) for name in archive.namelist() if name.startswith("media/")}


def test_a_form_filled_offline_reaches_the_hub_once_with_every_answer_and_file_intact(browser, hub):
    process, app = hub
    person, code = released_person(app)
    context = browserkit.new_context(browser, viewport=PHONE, geolocation=PLACE, permissions=["geolocation"])
    try:
        page = context.new_page()
        page.goto(offer_for(process, process.instance, code))
        page.wait_for_function("(code) => (document.getElementById('code') || {}).value === code", arg=code)
        page.get_by_role("button", name="Set up this phone").click()
        page.wait_for_selector("html[data-screen='messages']", timeout=WAIT_MS)
        page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller", timeout=WAIT_MS)

        # The list, from the hub and kept; then the form, each in English and in Welsh.
        page.goto(f"{process.url}/app/#/home")
        page.locator("a.tile[data-screen='forms']", has_text="Forms").click()
        page.get_by_role("link", name="Interview feedback").wait_for(timeout=WAIT_MS)
        _accessible(page, "forms")
        page.get_by_role("button", name="Cymraeg").click()
        page.get_by_role("heading", name="Ffurflenni", level=1).wait_for()
        _accessible(page, "forms")
        page.get_by_role("link", name="Interview feedback").click()
        page.get_by_label("Gyda phwy oedd y cyfweliad?").wait_for(timeout=WAIT_MS)
        _accessible(page, "form")
        page.get_by_role("button", name="English").click()
        page.get_by_label("Who was the interview with?").wait_for()
        _accessible(page, "form")

        # No signal from here on: the form is on the phone, and so is everything the person gives it.
        context.set_offline(True)
        page.get_by_label("Who was the interview with?").fill("Greggs")
        why = page.get_by_label("What went badly?")  # asked only when it went badly (skip logic, as the hub's)
        assert why.is_hidden()
        page.get_by_label("Badly", exact=True).check()
        why.wait_for()
        page.get_by_label("Well", exact=True).check()
        why.wait_for(state="hidden")
        page.get_by_label("How long was it (minutes)? (optional)").fill("900")
        page.get_by_role("button", name="Send the form").click()
        beside = page.locator("[data-path='minutes'] .field-error")
        beside.wait_for()
        assert beside.text_content() == "The number must be 480 or less."
        assert page.get_by_label("How long was it (minutes)? (optional)").get_attribute("aria-invalid") == "true"
        assert "Sign here: Sign here, or type your name." in page.get_by_role("alert").text_content()
        assert page.evaluate("async () => (await throughgate.outbox.pending()).length") == 0  # nothing kept yet
        _accessible(page, "form")
        page.get_by_label("How long was it (minutes)? (optional)").fill("45")

        page.get_by_label("A photo of the letter (optional)").set_input_files(
            files=[{"name": "letter.png", "mimeType": "image/png", "buffer": png(200, 100, noise=True)}])
        page.get_by_text("Made smaller to 64 by 32 pixels, so it is quick to send.").wait_for(timeout=WAIT_MS)
        page.get_by_role("button", name="Record a voice note").click()  # Chromium's fake microphone
        page.get_by_text("Recording.").wait_for(timeout=WAIT_MS)
        time.sleep(0.3)  # the voice note's length
        page.get_by_role("button", name="Stop recording").click()
        page.get_by_text("Voice note ready. It is sent with the form.").wait_for(timeout=WAIT_MS)
        pad = page.locator("canvas[data-pad='signature']")
        pad.scroll_into_view_if_needed()
        box = pad.bounding_box()
        page.mouse.move(box["x"] + 20, box["y"] + box["height"] / 2)
        page.mouse.down()
        for step in range(1, 9):
            page.mouse.move(box["x"] + 20 + step * 25, box["y"] + box["height"] / 2 + (15 if step % 2 else -15))
        page.mouse.up()
        page.get_by_role("button", name="Find where I am").click()
        page.get_by_text("Found where you are, to within 8 metres.").wait_for(timeout=WAIT_MS)
        # Closed half-filled (a reload, still offline: the service worker serves the app), it opens as it was.
        until(lambda: page.evaluate(DRAFT_KEPT), "the answers kept on the phone")
        page.reload()
        page.get_by_text("Your answers so far are kept on this phone.").wait_for(timeout=WAIT_MS)
        assert page.get_by_label("Who was the interview with?").input_value() == "Greggs"
        assert page.get_by_label("Well", exact=True).is_checked()
        page.get_by_role("img", name="The photo you chose").wait_for()
        page.get_by_text("Found where you are, to within 8 metres.").wait_for()
        page.get_by_role("button", name="Send the form").click()

        page.get_by_text("Your form is kept on this phone. It is sent when you are online.").wait_for(timeout=WAIT_MS)
        page.locator(".sent-forms li[data-state='waiting']", has_text="Interview feedback").wait_for()
        [waiting] = page.evaluate("async () => (await throughgate.outbox.pending()).map((i) => [i.kind, i.body])")
        assert waiting[0] == "form_submission"
        kept = page.evaluate(KEPT_FILES)
        assert len(kept) == 3 and sorted(v["sha256"] for v in waiting[1]["values"].values()
                                         if isinstance(v, dict) and "sha256" in v) == kept
        assert on_hub(app, lambda: FormSubmission.select().count()) == 0

        context.set_offline(False)  # the browser's `online` event drains the outbox: files first, then the sync
        page.get_by_text("Waiting to send: 0").wait_for(timeout=WAIT_MS)
        assert page.evaluate(KEPT_FILES) == []  # the hub has them: the phone's copies are let go
        [row] = until(lambda: on_hub(app, lambda: list(FormSubmission.select().where(
            FormSubmission.person == person))), "the submission at the hub")
        values = json.loads(row.values)
        assert "why" not in values  # not asked: not sent
        assert {k: values[k] for k in ("employer", "went", "minutes")} == {"employer": "Greggs", "went": "well",
                                                                          "minutes": 45}
        assert values["where"] == {"lat": 51.4816, "lon": -3.1791, "accuracy": 8, "mock": False}
        assert {path: values[path]["type"] for path in ("photo", "voice", "signature")} == {
            "photo": "image/jpeg", "voice": "audio/webm", "signature": "image/png"}
        files = on_hub(app, lambda: {a.path: a.sha256 for a in FormAttachment.select().where(
            FormAttachment.submission == row.submission_id)})
        assert sorted(files.values()) == kept
        rows, media = _exported(app)
        assert len(rows) == 2  # the header and the one submission
        assert sorted(hashlib.sha256(data).hexdigest() for data in media.values()) == kept  # every byte intact
        from PIL import Image

        photo = next(data for data in media.values() if hashlib.sha256(data).hexdigest() == files["photo"])
        assert Image.open(io.BytesIO(photo)).size == (64, 32)

        # What the hub refuses (here a value put in the outbox past the app's checks) shows on Forms with why.
        page.goto(f"{process.url}/app/#/forms")
        page.evaluate("""() => throughgate.outbox.add({kind: "form_submission", body: {form_id: "interview_feedback",
            version: "2027010101", filled_at: new Date().toISOString(), values: {employer: "Greggs", went: "well",
            minutes: 0}}})""")
        refused = page.locator(".sent-forms li[data-state='refused']")
        refused.wait_for(timeout=WAIT_MS)
        assert "Not sent: an answer was not right. Fill in the form again." in refused.text_content()
        assert "For your worker: field 'minutes': 0 must be at least 1" in refused.text_content()
        assert on_hub(app, lambda: FormSubmission.select().count()) == 1
    finally:
        context.close()
