"""After release, the same course goes on on the phone (issue 13), in Debian's Chromium against a real `throughgate
hub run` with its content origin: what the person did on the prison's tablet (a SCORM 1.2 unit left on its third
page, delivered by the edge as a course_state record in a sealed batch) shows in the phone's Library (My courses,
New, started), and the player opened from there resumes that very attempt at the same place (entry "resume",
page-3). Opened once, it opens again with no connection (the app's and the content origin's service workers);
the next page, saved offline, reaches the hub through the phone sync once it is back online, kept once."""

from __future__ import annotations

import json
import uuid

import pytest
import test_app_phone_browser as phone_app
from phonecourseskit import deliver, hub_with_content, link, prison_course, state, statement
from phonekit import offer_for, on_hub, released_person, until

import webapp
from hub.courses.models import CourseFile, PhoneRecord
from tests import browserkit
from tests.courses.app_scorm_kit import scorm12_package

LEARNER = "L-0042"
PHONE = phone_app.PHONE
browser = phone_app.browser
"""The phone app test's Chromium (one for the file), trusting the test hub's server key: `hub` yields the process
first, as its fixture reads it."""
WAIT_MS = 15_000


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    if not webapp.built():
        pytest.fail(webapp.NOT_BUILT, pytrace=False)
    root = tmp_path_factory.mktemp("phone-courses-app")
    scorm12_package(root / "course.zip")
    with hub_with_content(root) as (process, app, _port):
        course, edge = prison_course(app, root / "course.zip")
        yield process, app, course, edge  # (process first, as the phone app's browser fixture reads it)




def _unit(page):
    """Opens the part "Go on" names, and waits until its page found the runtime: the course's page."""
    page.locator("#scorm-continue").click()
    content = page.frame_locator("#scorm-frame").frame_locator("#content")
    content.locator("body[data-lms='ready']").wait_for(timeout=WAIT_MS)
    return content


def _kept_files(page) -> int:
    wrapper = next(f for f in page.frames if f.url.split("#")[0].endswith("/frame.html"))
    return wrapper.evaluate("""async () => {
      const cache = await caches.open("throughgate-course-files-v1");
      return (await cache.keys()).filter((r) => r.url.includes("/kept/")).length; }""")


def test_a_course_left_on_the_tablet_resumes_at_the_same_place_on_the_phone_and_offline(browser, hub):
    process, app, course, edge = hub
    person, code = released_person(app)
    link(app, person, LEARNER)
    attempt = str(uuid.uuid4())
    place = {"cmi.core.lesson_location": "page-3", "cmi.suspend_data": "seen=3",
             "cmi.core.lesson_status": "incomplete", "cmi.core.exit": "suspend"}
    deliver(app, edge, LEARNER, [("progress_statement", statement(LEARNER, course, "ITEM-1", "progressed")),
                                        ("course_state", state(course, "ITEM-1", place, attempt=attempt, seq=4))])

    context = browserkit.new_context(browser, viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(offer_for(process, process.instance, code))
        page.wait_for_function("(code) => (document.getElementById('code') || {}).value === code", arg=code)
        page.get_by_role("button", name="Set up this phone").click()
        page.wait_for_selector("html[data-screen='messages']", timeout=WAIT_MS)

        page.goto(f"{process.url}/app/#/library")
        listed = page.locator(f"li[data-course='{course}']")
        listed.wait_for(timeout=WAIT_MS)
        assert listed.get_attribute("data-new") == "1"
        assert listed.locator(f"[data-progress='{course}']").text_content() == \
            "Started: 0 of 2 parts done. You can go on where you stopped."
        phone_app._accessible(page, "library")

        listed.get_by_role("link", name="Go on with Workshop safety").click()
        page.locator("#scorm-continue").wait_for(timeout=WAIT_MS)
        assert "Started" in page.locator("[data-item='ITEM-1']").text_content()
        unit = _unit(page)
        assert unit.locator("#entry").text_content() == "resume"  # the prison's attempt, at its place
        assert unit.locator("#page").text_content() == "page-3"
        assert page.evaluate("() => document.documentElement.dataset.attempt") == attempt
        files = on_hub(app, lambda: CourseFile.select().count())
        until(lambda: _kept_files(page) == files, f"every file of the course kept for offline ({files})")
        browserkit.assert_accessible(page)

        context.set_offline(True)  # no signal: the player, the course and the place are all on the phone
        page.reload()
        page.locator("#scorm-continue").wait_for(timeout=WAIT_MS)
        unit = _unit(page)
        assert (unit.locator("#entry").text_content(), unit.locator("#page").text_content()) == ("resume", "page-3")
        unit.locator("#next").click()
        unit.locator("#save").click()
        page.wait_for_function("() => Number(document.getElementById('scorm-saved')?.dataset.commits || 0) > 0")
        assert page.locator("#scorm-saved").text_content() == "Saved on this phone. It is sent when you are online."

        context.set_offline(False)
        page.goto(f"{process.url}/app/#/library")  # the app sends what waits, through the phone sync

        def kept():
            rows = PhoneRecord.select().where((PhoneRecord.person == person) & (PhoneRecord.kind == "course_state"))
            return [json.loads(row.payload) for row in rows]
        [sent] = until(lambda: on_hub(app, kept), "the phone's place at the hub")
        assert (sent["attempt"], sent["seq"], sent["values"]["cmi.core.lesson_location"]) == (attempt, 5, "page-4")
    finally:
        context.close()
