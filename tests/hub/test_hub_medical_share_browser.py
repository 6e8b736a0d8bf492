"""A GP opens the link a person shared, in Debian's Chromium, from a hub served over HTTPS: the summary
is there with its warning styled as the page's own CSP allows (the inline style's hash, nothing else),
the bundle downloads, and axe-core finds no WCAG 2.1 A or AA violation. And the person's reference phone,
with the hub stopped, shows its printable copy in the same Chromium (one launch for the file)."""

from __future__ import annotations

import pytest
from phonekit import offer_for, phone_says, released_person

from hub import db
from hub.medical import service, shares
from hub.people import service as people
from phone import client
from tests import browserkit
from wire import ips_build

WARNING_RED = "rgb(212, 53, 28)"
FACTS = {"patient": {"name": "Sam Carter"}, "author": {"organisation": "HMP Leeds Healthcare"},
         "release_date": "2026-12-14",
         "medicines": [{"name": "Sertraline 50 mg tablets", "dose": "50 mg once a day", "days_supplied": 28}],
         "ost": {"drug": "buprenorphine", "form": "sublingual tablet", "daily_dose_mg": 16},
         "naloxone": {"kits": 1}, "allergies": [], "problems": [{"what": "Depression", "status": "active"}]}


@pytest.fixture
def hub_db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'hub.db'}"


def test_a_gp_opens_a_shared_summary_in_chromium_and_the_page_is_accessible(app, server, browser):
    with app.app_context(), db.connected():
        person = people.add("test").person_id
        service.import_bundle(person, ips_build.release_summary(FACTS, person, "2026-12-13T09:00:00+00:00"),
                              "summary", "nurse", "health_care", "cli")
        _share, secret = shares.make(person, "new GP", 7)
    url = f"{server.url}/health/shared/{secret}"

    strict = browser.new_context(ignore_https_errors=True)  # the page's own CSP, enforced
    page = strict.new_page()
    page.goto(url)
    assert page.get_by_role("heading", name="Health summary of Sam Carter", level=1).is_visible()
    assert page.get_by_role("cell", name="Sertraline 50 mg tablets").is_visible()
    warning = page.locator(".warning")
    assert "tolerance to opioids" in warning.inner_text()
    assert warning.evaluate("e => getComputedStyle(e).borderTopColor") == WARNING_RED  # the hashed style applied
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the FHIR bundle").click()
    assert download.value.suggested_filename == "health-summary.json"
    strict.close()

    context = browserkit.new_context(browser)
    page = context.new_page()
    page.goto(url)
    browserkit.assert_accessible(page)
    page.goto(f"{server.url}/health/shared/{'A' * 43}")  # the page for a link that does not work
    assert page.get_by_role("heading", name="No health summary here").is_visible()
    browserkit.assert_accessible(page)
    context.close()


def test_the_phone_shows_its_printable_copy_in_chromium_with_the_hub_stopped(app, server, browser, tmp_path, capsys):
    person, code = released_person(app)
    folder = tmp_path / "phone"
    client.activate(offer_for(server, app.instance_path, code), folder)
    with app.app_context(), db.connected():
        service.import_bundle(person, ips_build.release_summary(FACTS, person, "2026-12-13T09:00:00+00:00"),
                              "summary", "nurse", "health_care", "cli")
    assert client.sync(folder).health
    server.stop()  # offline from here
    printable = tmp_path / "summary.html"
    phone_says(["health", "export", "--html", str(printable), "--home", str(folder)], capsys)
    context = browserkit.new_context(browser)
    page = context.new_page()
    page.goto(printable.as_uri())
    assert page.get_by_text("Sertraline 50 mg tablets").first.is_visible()
    assert page.get_by_text("tolerance to opioids").first.is_visible()
    browserkit.assert_accessible(page)
    context.close()
