"""Release at the edge console, in Debian's Chromium: the manager's release page, the page that shows the code once
with its QR code, and a refused form pass axe-core; the letter page prints the code the page showed."""

from __future__ import annotations

import pytest

from edge import identity
from provisioning import pki
from provisioning.https import HttpsServer
from tests import browserkit
from tests.console import consolekit


@pytest.fixture(scope="module")
def enrolled(kit, app):
    """The edge as if enrolled: the hub root it pinned (the phone pins the same)."""
    root = kit.files.hub_root
    if not root.exists():
        root.parent.mkdir(parents=True, exist_ok=True)
        root.write_bytes(pki.cert_to_pem(pki.make_root(pki.new_key(), "test hub root", 30).cert))
    return app


def test_the_release_pages_pass_axe_and_the_letter_carries_the_code_shown(enrolled, kit, browser):
    server = HttpsServer(enrolled, "127.0.0.1", 0, lambda: identity.server_tls_context(kit.files),
                         name="console").start()
    context, page = consolekit.log_in_in_chromium(browser, server.url, "mary")
    try:
        page.goto(f"{server.url}/learners/learner/L-A1")
        page.click("text=Mark L-A1 released")
        assert "Release" in page.inner_text("h1")
        browserkit.assert_accessible(page)
        page.fill("#days", "90")
        page.click("form[action$='/release/'] button")
        assert "1 to 28" in page.inner_text("[role=alert]")
        browserkit.assert_accessible(page)
        page.fill("#days", "7")
        page.click("form[action$='/release/'] button")
        assert "is released" in page.inner_text("h1")
        browserkit.assert_accessible(page)
        code = page.input_value("form[action$='/letter'] input[name=code] >> nth=0")
        with context.expect_page() as opened:
            page.click("text=Open the letter to print")
        letter = opened.value
        letter.wait_for_load_state()
        assert code in letter.inner_text("body")
        browserkit.assert_accessible(letter)
        page.goto(f"{server.url}/learners/learner/L-A1/release/")
        assert "Released at" in page.inner_text("main")
    finally:
        context.close()
        server.stop()


@pytest.mark.parametrize("who", ["anonymous", "tina", "tom", "ivan"])
def test_only_the_manager_releases_or_prints_a_letter(enrolled, staff, who):
    visitor = consolekit.Visitor(enrolled) if who == "anonymous" else staff[who]
    expected = 302 if who == "anonymous" else 403
    assert visitor.get("/learners/learner/L-A1/release/").status_code == expected
    for path, form in (("/learners/learner/L-A1/release/", {"days": "7"}),
                       ("/learners/learner/L-A1/release/letter", {"code": "ABCD-EFGH-JKMN", "format": "pdf"})):
        answer = visitor.post(path, form, csrf=False) if who == "anonymous" else visitor.post(path, form)
        assert answer.status_code in ((302, 400) if who == "anonymous" else (403,)), (path, answer.status_code)


def test_the_manager_releases_and_a_code_that_is_not_the_latest_prints_nothing(enrolled, staff):
    mary = staff["mary"]
    assert mary.get("/learners/learner/L-B1/release/").status_code == 200
    shown = mary.post("/learners/learner/L-B1/release/", {"days": "7"})
    assert shown.status_code == 200 and "Print the letter now" in shown.get_data(as_text=True)
    refused = mary.post("/learners/learner/L-B1/release/letter", {"code": "ABCD-EFGH-JKMN", "format": "pdf"})
    assert refused.status_code == 410 and "not the learner" in refused.get_data(as_text=True)
    typo = mary.post("/learners/learner/L-B1/release/letter", {"code": "nonsense", "format": "pdf"})
    assert typo.status_code == 400
