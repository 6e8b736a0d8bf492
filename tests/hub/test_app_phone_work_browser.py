"""Work and jobs on the person's phone (issue 14, "Employment"), in Debian's Chromium against a real `throughgate hub
run` over HTTPS: a checklist, a video with WebVTT captions and a job link published at the hub show on the app's Work
and jobs screen and are kept for offline use. With the setting at its default (on wifi only) and the phone on mobile
data (navigator.connection, set by an init script as Chromium's own cannot be), the video waits, its size said in MB,
and nothing is fetched; where the browser cannot tell the connection, the app asks; once on wifi it downloads, a drop
in its second piece resumed from there, and plays from the phone, its SHA-256 the one the hub listed. A video the
adviser withdraws is let go at the next list. Offline after a reload, the list and the checklist are still there; a
tick is kept in the outbox, and once online it reaches the hub exactly once. axe-core finds nothing on the list, the
video and the checklist, in English and in Welsh; nor on the workers' console's Work and jobs page, where an
employment adviser publishes a checklist, and a person's Work progress page."""

from __future__ import annotations

import hashlib
import os

import pytest
from phonekit import offer_for, released_person, until
from test_app_phone_browser import PHONE, _accessible, spki_hash
from workkit import add_person, log_in_in_chromium, make_worker, running_hub

import webapp
from hub import db
from hub.courses.blobs import BlobStore
from hub.employment import files, service
from hub.employment.models import ChecklistTick
from tests import browserkit

WAIT_MS = 10_000
PIECE = 1024 * 1024
"""app/src/phone/work/download.js PIECE: a video downloads in pieces of this size, each kept as it comes."""
VIDEO = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + os.urandom(1_300_000)  # two pieces
CAPTIONS = b"WEBVTT\n\n00:00.000 --> 00:02.000\nSay what the conviction was, in your own words.\n"
CONNECTION = """(() => {
    const connection = new EventTarget();
    connection.type = "cellular";
    connection.saveData = false;
    Object.defineProperty(Navigator.prototype, "connection", { get: () => connection, configurable: true });
    window.testConnection = connection;
})();"""
"""A phone on mobile data as the Network Information API says it (Chromium on a desktop has no `type`)."""
SWITCH = "(type) => { testConnection.type = type; testConnection.dispatchEvent(new Event('change')); }"
KEPT_VIDEO = """async (sha) => {
    const db = await new Promise((ok) => {
        const r = indexedDB.open("throughgate-work"); r.onsuccess = () => ok(r.result); });
    const blob = await new Promise((ok) => {
        const r = db.transaction("files").objectStore("files").get(sha); r.onsuccess = () => ok(r.result); });
    db.close();
    if (!blob) return null;
    const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
    return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}"""


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    if not webapp.built():
        pytest.fail(webapp.NOT_BUILT, pytrace=False)
    with running_hub(tmp_path_factory.mktemp("app-phone-work")) as (process, app):
        with app.app_context(), db.connected():
            blobs = BlobStore.from_config(app.config)
            stored, media_type = files.store_video(blobs, VIDEO[:64], [VIDEO])
            captions = files.store_captions(blobs, CAPTIONS)
            ids = {
                "checklist": service.publish("checklist", "Getting ready for an interview", "", "ed", steps=[
                    "Find out about the employer", "Plan the journey", "Practise saying what your conviction was"]),
                "video": service.publish("video", "How to disclose a conviction", "What to say, and when.", "ed",
                                         video=service.Video(stored.sha256, media_type, stored.size, captions.sha256,
                                                             captions.size)),
                "job": service.publish("job", "Kitchen porter, Cardiff", "", "ed",
                                       url="https://findajob.dwp.gov.uk/details/123"),
            }
        yield process, app, {kind: row.item_id for kind, row in ids.items()}


@pytest.fixture(scope="module")
def browser(hub):
    args = [*browserkit.CHROMIUM_ARGS, f"--ignore-certificate-errors-spki-list={spki_hash(hub[0].instance)}"]
    with browserkit.chromium(args) as chromium:
        yield chromium


def _ticks(app) -> list[tuple[str, int, bool]]:
    with app.app_context(), db.connected():
        return [(t.person_id, t.step, t.done) for t in ChecklistTick.select()]



def test_work_and_jobs_kept_offline_a_tick_reaches_the_hub_once_and_videos_wait_for_wifi(browser, hub):
    process, app, ids = hub
    person, code = released_person(app)
    context = browserkit.new_context(browser, viewport=PHONE)
    context.add_init_script(CONNECTION)
    fetched = []
    try:
        page = context.new_page()
        page.on("request", lambda r: fetched.append(r.url) if "/v1/phone/work/files/" in r.url else None)
        page.goto(offer_for(process, process.instance, code))
        page.wait_for_function("(code) => (document.getElementById('code') || {}).value === code", arg=code)
        page.get_by_role("button", name="Set up this phone").click()
        page.wait_for_selector("html[data-screen='messages']", timeout=WAIT_MS)
        page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller", timeout=WAIT_MS)

        page.goto(f"{process.url}/app/#/home")
        page.locator("a.tile[data-screen='work']", has_text="Work and jobs").click()
        page.get_by_role("link", name="Getting ready for an interview").wait_for(timeout=WAIT_MS)
        assert page.get_by_label("On wifi only").is_checked()  # the default
        assert "Video: 1.2 MB, not downloaded yet" in page.locator(f"[data-item='{ids['video']}']").text_content()
        _accessible(page, "work")
        page.get_by_role("button", name="Cymraeg").click()
        page.get_by_role("heading", name="Gwaith a swyddi", level=1).wait_for()
        _accessible(page, "work")
        page.get_by_role("button", name="English").click()

        # On mobile data the video waits for wifi, saying its size; nothing of it is fetched.
        page.locator(f"a[data-item='{ids['video']}']").click()
        waiting = page.locator("[data-waiting='wifi']")
        waiting.wait_for(timeout=WAIT_MS)
        assert waiting.text_content() == ("This video is 1.2 MB. It downloads when you are on wifi, as your setting "
                                          "says.")
        page.get_by_role("button", name="Download now using mobile data (1.2 MB)").wait_for()
        _accessible(page, "work-item")
        assert fetched == []
        page.evaluate(SWITCH, "unknown")  # where the browser cannot tell, the app asks
        asking = page.locator("[data-waiting='ask']")
        asking.wait_for(timeout=WAIT_MS)
        assert asking.text_content() == ("This video is 1.2 MB. Download it now? On mobile data, that costs you "
                                         "money.")
        page.get_by_role("button", name="Download the video (1.2 MB)").wait_for()
        assert fetched == []
        sha = hashlib.sha256(VIDEO).hexdigest()
        ranges = []

        def cut_once(route):  # the signal drops in the video's second piece, once
            ranges.append(route.request.headers.get("range", ""))
            if ranges[-1].startswith(f"bytes={PIECE}-") and ranges.count(ranges[-1]) == 1:
                route.abort("connectionreset")
            else:
                route.continue_()

        page.route(f"**/v1/phone/work/files/{sha}", cut_once)
        page.evaluate(SWITCH, "wifi")  # on wifi: it downloads at once
        page.get_by_text("The download stopped. What came so far is kept: it goes on from there next time.").wait_for(
            timeout=WAIT_MS)
        page.get_by_role("button", name="Try again").click()
        page.locator(f"video[data-sha256='{sha}']").wait_for(timeout=WAIT_MS)
        assert page.locator("video track[kind='captions']").count() == 1
        assert page.evaluate(KEPT_VIDEO, sha) == sha
        # The first piece came once; the second again from its start, as the phone held none of it.
        assert ranges == [f"bytes=0-{PIECE - 1}", f"bytes={PIECE}-{len(VIDEO) - 1}", f"bytes={PIECE}-{len(VIDEO) - 1}"]
        assert len(fetched) == 4  # and the captions once
        _accessible(page, "work-item")

        # The job link says it leaves the app, and opens in a new tab.
        page.goto(f"{process.url}/app/#/work-item?item={ids['job']}")
        link = page.get_by_role("link", name="Open the job advert (new tab)")
        link.wait_for(timeout=WAIT_MS)
        assert (link.get_attribute("target"), link.get_attribute("href")) == (
            "_blank", "https://findajob.dwp.gov.uk/details/123")
        assert "opens a website outside this app" in page.locator("#leaves-app").text_content()

        # The adviser withdraws the video: at its next list the phone lets its copy go.
        with app.app_context(), db.connected():
            service.withdraw(ids["video"], "ed")
        page.goto(f"{process.url}/app/#/work")
        page.get_by_role("link", name="Getting ready for an interview").wait_for(timeout=WAIT_MS)
        assert page.locator(f"a[data-item='{ids['video']}']").count() == 0
        until(lambda: page.evaluate(KEPT_VIDEO, sha) is None, "the withdrawn video let go")

        # No signal: the list and the checklist are on the phone; a tick waits in the outbox.
        context.set_offline(True)
        page.reload()
        page.get_by_text("You are offline. These are kept on this phone.").wait_for(timeout=WAIT_MS)
        page.get_by_role("link", name="Getting ready for an interview").click()
        page.get_by_label("Plan the journey").check()
        page.get_by_text("1 of 3 done. Your adviser sees your ticks when you are online.").wait_for()
        [waiting_tick] = page.evaluate("async () => (await throughgate.outbox.pending()).map((i) => [i.kind, i.body])")
        assert waiting_tick[0] == "checklist_progress"
        assert {k: waiting_tick[1][k] for k in ("item", "step", "done")} == {"item": ids["checklist"], "step": 1,
                                                                          "done": True}
        _accessible(page, "work-item")
        page.get_by_role("button", name="Cymraeg").click()
        page.get_by_text("1 o 3 wedi’u gwneud", exact=False).wait_for()
        _accessible(page, "work-item")
        page.get_by_role("button", name="English").click()
        assert _ticks(app) == []

        context.set_offline(False)  # the browser's `online` event drains the outbox
        page.get_by_text("Waiting to send: 0").wait_for(timeout=WAIT_MS)
        assert until(lambda: _ticks(app), "the tick at the hub") == [(person, 1, True)]
        page.reload()  # from the hub again: the tick is there, and was stored once
        page.get_by_label("Plan the journey").wait_for(timeout=WAIT_MS)
        assert page.get_by_label("Plan the journey").is_checked()
        assert _ticks(app) == [(person, 1, True)]
    finally:
        context.close()


def test_an_adviser_publishes_a_checklist_and_reads_progress_on_accessible_console_pages(browser, hub):
    process, app, _ids = hub
    ed = make_worker(app, "ed", "employment_adviser", "Cardiff probation")
    person = add_person(app, "ed")
    context, page = log_in_in_chromium(browser, process.url, ed)
    try:
        page.get_by_role("link", name="Work and jobs").click()
        page.get_by_role("heading", name="Work and jobs", level=1).wait_for()
        browserkit.assert_accessible(page)
        page.get_by_label("Title").fill("Opening a bank account")
        page.get_by_label("Checklist: one step a line").fill("Take your ID\nAsk for a basic bank account")
        page.get_by_label("Who is it for?").select_option(person)
        page.get_by_role("button", name="Publish").click()
        page.get_by_text("Published. Phones get it when they next open Work and jobs.").wait_for()
        assert page.locator("tr", has_text="Opening a bank account").text_content().count(person) == 1
        browserkit.assert_accessible(page)
        page.goto(f"{process.url}/work/people/{person}/employment")
        page.get_by_role("heading", name="Opening a bank account: 0 of 2 steps done").wait_for()
        browserkit.assert_accessible(page)
    finally:
        context.close()
