"""Every page of the edge's staff console, as each role sees it, passes axe-core's WCAG 2.1 A and AA
checks in Debian's Chromium (tests/browserkit.py): the login page and its error, each view with
data in it, forms with an error shown, and the error pages (403, 404, an expired form).

One console (the app of tests/console/conftest.py on HTTPS) and one Chromium for the file.
"""

from __future__ import annotations

import pytest

from edge import identity, store
from edge.console import marking, rewards
from provisioning.https import HttpsServer
from tests import browserkit
from tests.console import consolekit


@pytest.fixture(scope="module")
def site(app, kit):
    """The console on HTTPS, with something on each page: open, marked and photo submissions, progress,
    a reward rule and its badge, an alarm."""
    for unit, score in (("unit-1", 0.8), ("unit-2", 0.55)):
        consolekit.statement("L-A1", f"algebra-1/{unit}", score=score)
    consolekit.statement("L-B1", "algebra-1/unit-1", score=0.9)
    consolekit.refusal("L-A1", value="<b>120</b>")
    ids = {"open": consolekit.submission("L-A1", text="What the book taught me about patience."),
           "marked": consolekit.submission("L-A1", text="My second essay."),
           "photo": consolekit.attachment_submission(kit.config, "L-A1")[0]}
    marking.mark(ids["marked"], "Merit", "Clear and honest. Next time, quote the book once or twice.", "tina")
    rewards.add_rule("Algebra starter", "units", 1, "", "mary")
    rewards.evaluate()
    with store.writing():
        store.raise_alarm("outbox_nearly_full", "The outbox is 91 % full: check the uplink to the hub.")
    server = HttpsServer(app, "127.0.0.1", 0, lambda: identity.server_tls_context(kit.files), name="console").start()
    yield server.url, ids
    server.stop()


@pytest.fixture(scope="module")
def visit(browser, site):
    """visit(username or None, path) -> (the page there, its HTTP status); one logged-in tab per member."""
    url, ids = site
    pages = {}

    def go(username: str | None, path: str):
        if username not in pages:
            if username:
                context, page = consolekit.log_in_in_chromium(browser, url, username)
            else:
                context = browserkit.new_context(browser)
                page = context.new_page()
            pages[username] = page
        page = pages[username]
        response = page.goto(url + path.format(**ids))
        return page, response.status

    yield go
    for page in pages.values():
        page.context.close()


# (who, path, status, the page's heading): every GET route in edge/console/views, for the roles that see it
PAGES = [
    ("tina", "/submissions/", 200, "Submissions"),
    ("tina", "/submissions/?state=marked", 200, "Submissions"),
    ("tina", "/submissions/?state=all", 200, "Submissions"),
    ("tina", "/submissions/{open}", 200, "essay-"),
    ("tina", "/submissions/{marked}", 200, "essay-"),
    ("tina", "/submissions/{photo}", 200, "essay-"),
    ("tina", "/progress/", 200, "Progress"),
    ("tina", "/progress/class/A", 200, "Class A"),
    ("tina", "/progress/learner/L-A1", 200, "Learner L-A1"),
    ("tina", "/rewards/", 200, "Rewards"),
    ("tina", "/courses/", 200, "Courses"),
    ("tina", "/courses/refusals", 200, "Values courses sent"),
    ("tina", "/health/", 200, "Relay and uplink"),
    ("tina", "/tablets/", 403, "Not for your role"),
    ("tina", "/no/such/page", 404, "Not found"),
    ("mary", "/submissions/?state=all", 200, "Submissions"),
    ("mary", "/progress/", 200, "Progress"),
    ("mary", "/rewards/", 200, "Rewards"),
    ("mary", "/tablets/", 200, "Tablets"),
    ("mary", "/health/messages", 200, "Messages for tablets"),
    ("mary", "/health/messages?state=delivered", 200, "Messages for tablets"),
    ("mary", "/health/messages?state=undelivered", 200, "Messages for tablets"),
    ("ivan", "/tablets/", 200, "Tablets"),
    ("ivan", "/courses/", 200, "Courses"),
    ("ivan", "/courses/refusals?course=algebra-1", 200, "Values courses sent"),
    ("ivan", "/health/", 200, "Relay and uplink"),
    ("ivan", "/submissions/", 403, "Not for your role"),
    (None, "/login", 200, "Staff console"),
    (None, "/no/such/page", 404, "Not found"),
]


@pytest.mark.parametrize(("who", "path", "status", "heading"), PAGES,
                         ids=[f"{who or 'anyone'} {path}" for who, path, *_ in PAGES])
def test_each_console_page_passes_axe_for_each_role(visit, who, path, status, heading):
    page, got = visit(who, path)
    assert got == status
    assert heading in page.inner_text("h1")
    browserkit.assert_accessible(page)


def test_the_login_page_with_its_error_passes_axe(visit):
    page, _ = visit(None, "/login")
    page.fill("input[name=username]", "tina")
    page.fill("input[name=password]", "not the password")
    page.click("form button[type=submit]")
    assert "Wrong user name or password." in page.inner_text("[role=alert]")
    browserkit.assert_accessible(page)


def test_a_reward_rule_form_with_its_error_passes_axe(visit):
    page, _ = visit("mary", "/rewards/")
    page.fill("#badge", "Steady worker")
    page.fill("#threshold", "lots")
    page.click("form[action='/rewards/rules'] button")
    assert "number" in page.inner_text("[role=alert]")
    assert page.input_value("#badge") == "Steady worker"
    browserkit.assert_accessible(page)


def test_the_tablet_form_with_its_error_and_with_an_enrolment_code_passes_axe(visit):
    page, _ = visit("ivan", "/tablets/")
    page.fill("#device", "console")
    page.click("form[action='/tablets/code'] button")
    assert "reserved" in page.inner_text("[role=alert]")
    browserkit.assert_accessible(page)
    page.fill("#device", "tab-0042")
    page.fill("#learner", "L-A1")
    page.click("form[action='/tablets/code'] button")
    assert "Enrolment code for tab-0042" in page.inner_text("#offer")
    browserkit.assert_accessible(page)


def test_the_mark_form_with_its_error_passes_axe(visit):
    page, _ = visit("tina", "/submissions/{open}")
    page.fill("#grade", "Merit")
    page.fill("#feedback", "   ")
    page.click("#mark button[type=submit]")
    assert page.inner_text("#mark-error")
    browserkit.assert_accessible(page)


def test_an_expired_form_with_what_was_typed_passes_axe(visit):
    page, _ = visit("tina", "/submissions/{open}")
    page.fill("#grade", "Merit")
    page.fill("#feedback", "Kept for you to copy.")
    page.evaluate("() => document.querySelector('#mark input[name=csrf_token]').value = 'expired'")
    page.click("#mark button[type=submit]")
    assert "This form has expired" in page.inner_text("h1")
    assert page.input_value("#kept-2") == "Kept for you to copy."
    browserkit.assert_accessible(page)


def test_a_learners_score_chart_tells_a_screen_reader_every_score(visit):
    """role="img" makes a screen reader read the chart as one image: its name and description."""
    page, _ = visit("tina", "/progress/learner/L-A1")
    cdp = page.context.new_cdp_session(page)
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]  # what Chromium gives a screen reader
    cdp.detach()
    images = {n["name"]["value"]: n.get("description", {}).get("value") for n in nodes
              if n.get("role", {}).get("value") == "image" and not n.get("ignored")}
    assert images["Scores"] == "algebra-1/unit-1: 80 %; algebra-1/unit-2: 55 %"


def test_the_check_names_the_rule_the_impact_and_the_element_of_each_problem(browser):
    context = browserkit.new_context(browser)
    try:
        page = context.new_page()
        page.set_content('<html lang="en"><title>Bad</title><main><h1>Bad</h1><input name="q">'
                         '<p style="color: #bbb">Faint words</p></main></html>')
        with pytest.raises(AssertionError) as failed:
            browserkit.assert_accessible(page)
    finally:
        context.close()
    assert "axe-core found 2 problem(s)" in str(failed.value)
    assert ("- color-contrast (serious): Elements must meet minimum color contrast ratio thresholds: p"
            in str(failed.value))
    assert "- label (critical): Form elements must have labels: input" in str(failed.value)
