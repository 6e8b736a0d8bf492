"""The tablet side of the person's app in Debian's Chromium with the tablet's client certificate, against a real
edge's tablet API (the app at /app/, the records into the relay's commit): a text assignment and one with a
photo and a voice note (Chromium's fake microphone) recorded offline survive a reload; back online, the
connection drops mid-upload and the page is reloaded: the upload resumes from the chunk it stopped at, and each
reaches the edge exactly once; a tutor's feedback shows and is acknowledged; the release plan counts the days;
a form the hub published, kept at the edge, is filled in on the Forms screen (the phone's, drawn for the tablet)
with a photo and reaches the edge once as a form_submission record naming the photo it uploaded first; when
the hub refuses it later, the edge's `form_refused` down message shows it on the Forms screen as refused with
the hub's reason, and is acknowledged;
axe-core finds no violations on any tablet screen."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest

import webapp
from edge import store
from edge.config import AttachmentsConfig, EdgeConfig, TabletsConfig
from edge.courses.tables import CURRENT, CourseVersion
from edge.downlink import messages
from edge.downlink.tables import DownMessage
from edge.forms import pull as forms_pull
from edge.identity import EdgeFiles, create_tablet_ca, ensure_server_cert
from edge.plans.tables import LearnerPlanField
from edge.tablets.api import TabletApiServer
from tests import browserkit
from tests.learning.apptabletkit import enrol_bound, intake_for
from tests.learning.learningkit import held_chunks, png_bytes

EDGE, DEVICE, LEARNER = "edge-1", "tab-a", "L-A"
RELEASE_IN_DAYS = 12
CHUNK = 64 * 1024  # the edge's chunk size here: the photo (about 230 KB) goes in 4 chunks


@pytest.fixture(scope="module")
def edge(tmp_path_factory):
    if not webapp.built():
        pytest.fail("the app is not built: run make (node app/build.mjs)", pytrace=False)
    root = tmp_path_factory.mktemp("app-tablet")
    config = EdgeConfig(instance=root / "edge", edge_id=EDGE, tablets=TabletsConfig(api_port=0),
                        attachments=AttachmentsConfig(chunk_bytes=CHUNK))
    files = EdgeFiles(config.instance)
    create_tablet_ca(files, EDGE)
    ensure_server_cert(files, EDGE, config.server_name)
    store.open_store(str(config.db_path))
    server = TabletApiServer(config, intake=intake_for(config)).start()
    tablet = enrol_bound(config, root / DEVICE, DEVICE, LEARNER, server.port)
    with store.writing():  # the manager set the release date at the console
        LearnerPlanField.create(learner=LEARNER, pathway="release", field="date", by="mary",
                                value=(date.today() + timedelta(days=RELEASE_IN_DAYS)).isoformat(),
                                at="2026-12-01T10:00:00.000Z", record=str(uuid.uuid4()))
        _publish("english-2", "English, level 2", [("unit-1", "Reading"), ("unit-2", "Writing")])
    (root / "photo.png").write_bytes(png_bytes(320, 240))
    yield {"origin": f"https://127.0.0.1:{server.port}", "tablet": tablet, "photo": root / "photo.png"}
    server.stop()
    store.db.close()


def _publish(course: str, title: str, items: list[tuple[str, str]]) -> None:
    """A course version as the edge's catalogue holds it once synced from the hub (its signed manifest)."""
    manifest = {"v": 1, "course": course, "version": 1, "title": title, "format": "scorm12", "entry": "index.html",
                "items": [{"id": i, "title": t, "href": f"{i}.html"} for i, t in items], "files": [],
                "published": "2026-12-01T09:00:00.000Z"}
    CourseVersion.create(course=course, version=1, envelope=json.dumps({"manifest": manifest, "signature": ""}),
                         state=CURRENT, published=manifest["published"])


@pytest.fixture(scope="module")
def browser(edge):
    """Chromium (once for the file) trusting the edge's server key and nothing else: a service worker registers
    only from a certificate the browser trusts, and the edge's is issued by its own CA."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright's Python package is not installed: pip install -e '.[test]'")
    if not Path(browserkit.CHROMIUM).exists():
        pytest.skip(f"{browserkit.CHROMIUM} is missing: Debian's chromium package (make installs it)")
    # playwright presents the client certificate through a TLS proxy of its own, whose certificate no SPKI pin
    # names: so certificate errors are ignored (the browser resolves nothing but 127.0.0.1: CHROMIUM_ARGS).
    # The microphone is Chromium's fake one, allowed without asking.
    args = [*browserkit.CHROMIUM_ARGS, "--ignore-certificate-errors", "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream"]
    driver = sync_playwright().start()
    try:
        chromium = driver.chromium.launch(executable_path=browserkit.CHROMIUM, args=args, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        driver.stop()


@pytest.fixture(scope="module")
def page(browser, edge):
    tablet = edge["tablet"]
    context = browserkit.new_context(browser, permissions=["microphone"], client_certificates=[
        {"origin": edge["origin"], "certPath": str(tablet.cert_path), "keyPath": str(tablet.key_path)}])
    page = context.new_page()
    page.goto(f"{edge['origin']}/app/#/assignments")
    page.wait_for_selector("html[data-app=ready]")
    page.wait_for_selector("#assignment-form")
    yield page
    context.close()


def _submissions() -> list[store.Received]:
    return list(store.Received.select().where(store.Received.device == DEVICE,
                                              store.Received.kind == "assignment_submission"))


def _send(page, text: str, photo=None, voice: bool = False) -> None:
    page.fill("#a-text", text)
    if photo is not None:
        page.set_input_files("#a-photo", str(photo))
    if voice:
        page.click("#a-record")
        page.wait_for_selector("#a-voice-note:has-text('Recording')")
        page.wait_for_timeout(700)
        page.click("#a-record")
        page.wait_for_selector("#a-voice-note:has-text('Voice note ready.')")
    page.click("#a-send")
    page.wait_for_selector("#a-done:not(:empty)")


def _waiting(page, count: int, timeout: float = 15_000) -> None:
    page.wait_for_function(f"document.getElementById('outbox-count').textContent.includes('{count}')",
                           timeout=timeout)


def test_work_recorded_offline_survives_a_reload_and_reaches_the_edge_once(page, edge):
    browserkit.assert_accessible(page)
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=10_000)
    page.context.set_offline(True)
    _send(page, "My essay about the book")
    _send(page, "A photo of my drawing", edge["photo"], voice=True)
    assert "when the tablet is connected" in page.text_content("#a-done")
    page.reload()  # offline: the service worker serves the app, the outbox is in IndexedDB
    page.wait_for_selector("html[data-app=ready]")
    _waiting(page, 2)
    assert _submissions() == []

    # back online, but the connection drops at the photo's third chunk: the text is sent, the photo waits
    page.context.route("**/chunks/2", lambda route: route.abort())
    page.context.set_offline(False)
    page.evaluate("dispatchEvent(new Event('online'))")
    _waiting(page, 1)
    [text] = _submissions()
    assert '"text":"My essay about the book"' in text.body
    photo_id = page.evaluate("""async () => (await throughgate.outbox.pending())[0].body.payload.attachments
                                .find((a) => a.type === 'image/png').id""")
    assert held_chunks(photo_id) == [0, 1]

    # a reload mid-upload, then the connection holds: the upload resumes from chunk 2, sending no chunk twice
    sent: list[str] = []  # chunks the edge took from here on
    page.on("requestfinished", lambda request: sent.append(request.url) if request.method == "PUT" else None)
    page.reload()
    page.wait_for_selector("html[data-app=ready]")
    page.context.unroute("**/chunks/2")
    page.evaluate("dispatchEvent(new Event('online'))")
    _waiting(page, 0)
    photo_chunks = sorted(url.rsplit("/", 1)[1] for url in sent if photo_id in url)
    assert photo_chunks == ["2", "3"] and held_chunks(photo_id) == [0, 1, 2, 3]
    rows = _submissions()
    assert len(rows) == 2 and len({row.id for row in rows}) == 2
    [photo] = [row.body for row in rows if "A photo of my drawing" in row.body]
    assert '"type":"image/png"' in photo and f'"size":{edge["photo"].stat().st_size}' in photo
    assert '"type":"audio/webm"' in photo  # the voice note, from Chromium's fake microphone


def test_feedback_from_the_tutor_shows_and_is_acknowledged(page):
    page.context.set_offline(False)  # its own submission to mark, online (not the first test's)
    page.goto(page.url.split("#")[0] + "#/assignments")
    page.wait_for_selector("#assignment-form")
    _send(page, "An essay for the tutor to mark")
    _waiting(page, 0)
    [submission] = [row for row in _submissions() if "An essay for the tutor to mark" in row.body]
    message = {"type": "feedback", "id": str(uuid.uuid4()), "learner": LEARNER, "submission": submission.id,
               "assignment": "essay-3", "course": "general", "grade": "Merit", "feedback": "Clear and honest.",
               "marker": "tina", "marked": "2026-12-07T22:00:00.000Z"}
    with store.writing():  # what marking at the console writes
        messages.add(DEVICE, message)
    page.goto(page.url.split("#")[0] + "#/feedback")
    page.wait_for_selector(f"[data-message='{message['id']}']")
    shown = page.text_content(f"[data-message='{message['id']}']")
    assert "Grade: Merit" in shown and "Clear and honest." in shown and "New" in shown
    assert DownMessage.get(DownMessage.message_id == message["id"]).acked is not None  # delivered: acknowledged
    browserkit.assert_accessible(page)


def test_the_release_plan_counts_the_days_and_every_screen_passes_axe(page):
    page.goto(page.url.split("#")[0] + "#/plan")
    page.wait_for_selector(".countdown")
    assert page.text_content(".countdown") == f"{RELEASE_IN_DAYS} days to release"
    browserkit.assert_accessible(page)
    for screen in ("home", "outbox"):
        page.goto(page.url.split("#")[0] + f"#/{screen}")
        page.wait_for_selector(f"html[data-screen={screen}]")
        browserkit.assert_accessible(page)


def test_the_library_marks_new_courses_once_and_opens_the_player_by_course_id(page):
    page.goto(page.url.split("#")[0] + "#/library")
    page.wait_for_selector("[data-course=english-2]")
    assert page.get_attribute("[data-course=english-2]", "data-new") == "1"
    assert "1 new since you last looked." in page.text_content("main")
    browserkit.assert_accessible(page)
    page.goto(page.url.split("#")[0] + "#/home")
    page.goto(page.url.split("#")[0] + "#/library")
    page.wait_for_selector("[data-course=english-2][data-new='0']")
    assert "Nothing new since you last looked." in page.text_content("main")
    page.click("[data-course=english-2] a")
    page.wait_for_url("**/app/player.html?course=english-2*")


FORM = {"form_id": "wing_survey", "version": "2027010101", "title": "Wing survey", "default_language": "en",
        "languages": ["en"],
        "fields": [{"name": "meal", "path": "meal", "type": "text", "required": True,
                    "label": {"en": "What was the best meal this week?"}},
                   {"name": "photo", "path": "photo", "type": "image", "required": False,
                    "label": {"en": "A photo of your work"}}]}


def test_a_form_filled_in_on_the_tablet_reaches_the_edge_once_with_its_photo(page, edge):
    page.context.set_offline(False)
    forms_pull.keep([FORM], {"photo_bytes": 10485760, "voice_bytes": 5242880, "chunk_bytes": 262144})
    page.goto(f"{edge['origin']}/app/#/forms")  # (the test before left the page in the course player)
    page.wait_for_selector("html[data-app=ready]")
    page.wait_for_selector("[data-form=wing_survey]")
    browserkit.assert_accessible(page)
    page.click("[data-form=wing_survey]")
    page.wait_for_selector("form.fill[data-form=wing_survey]")
    page.fill("#q0", "Curry on Thursday")
    page.set_input_files("#q1", str(edge["photo"]))
    page.wait_for_selector("form.fill img.form-photo")
    browserkit.assert_accessible(page)
    page.click("form.fill button[type=submit]")
    page.wait_for_selector("html[data-screen=forms]")
    assert "Your form is kept on this tablet." in page.text_content("main")  # the tablet's words, the phone's screen
    _waiting(page, 0)
    [row] = store.Received.select().where(store.Received.device == DEVICE, store.Received.kind == "form_submission")
    payload = json.loads(row.body)["payload"]
    sha = hashlib.sha256(edge["photo"].read_bytes()).hexdigest()
    assert payload["form_id"] == "wing_survey" and payload["version"] == "2027010101"
    assert payload["values"]["meal"] == "Curry on Thursday"
    assert payload["values"]["photo"] == {"sha256": sha, "type": "image/png", "bytes": edge["photo"].stat().st_size}
    [attachment] = payload["attachments"]
    assert attachment["sha256"] == sha and held_chunks(attachment["id"]) == [0, 1, 2, 3]

    reason = "field 'meal': an answer is required"  # as the hub's forms pull brings a refusal back
    assert forms_pull.keep_refusals([{"id": row.id, "device": DEVICE, "learner": LEARNER, "form_id": "wing_survey",
                                      "version": "2027010101", "code": "bad_value", "reason": reason,
                                      "refused_at": "2026-12-08T09:00:00.000Z"}]) == 1
    page.reload()
    page.wait_for_selector(f"[data-state=refused][data-id='{row.id}']")
    shown = page.text_content(f"[data-id='{row.id}']")
    assert "Wing survey" in shown and reason in shown and "Refused." in shown
    browserkit.assert_accessible(page)
    [down] = DownMessage.select().where(DownMessage.message_id == row.id)
    assert down.acked is not None  # the tablet kept it, then acknowledged it
