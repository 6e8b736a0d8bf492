"""The release plan page in Debian's Chromium against a real `throughgate hub run`: an offender manager
opens a person's plan from their page, sees the countdown, saves a pathway with the keyboard-reachable
form, and sees a value that lost a conflict; every state of the page passes axe-core (WCAG 2.1 A, AA)."""

from __future__ import annotations

import pytest
from workkit import add_person, log_in_in_chromium, make_worker, running_hub

from hub import db
from hub.plans import service
from tests import browserkit
from wire import plans

PASSWORD = "a long admin passphrase"  # consolekit's


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    with running_hub(tmp_path_factory.mktemp("plan-browser")) as started:
        yield started


def test_a_worker_saves_a_pathway_and_sees_a_conflict_on_an_accessible_page(hub, browser):
    process, app = hub
    olivia = make_worker(app, "olivia", "offender_manager", "Cardiff probation")
    person = add_person(app, "olivia")
    context, page = log_in_in_chromium(browser, process.url, olivia)

    page.goto(f"{process.url}/work/people/{person}")
    page.get_by_role("link", name="Release plan").click()
    page.wait_for_url(f"**/work/people/{person}/plan")
    assert page.get_by_text("Release in ").inner_text().endswith("(2027-03-14).")
    browserkit.assert_accessible(page)

    page.get_by_label("Status of Accommodation").select_option("in_progress")
    page.get_by_label("Owner of Accommodation").fill("Housing officer, Cardiff council")
    page.get_by_label("Notes on Accommodation").fill("Hostel place asked for.")
    page.get_by_role("button", name="Save Accommodation").click()
    page.wait_for_url(lambda url: "saved=accommodation" in url)
    assert page.get_by_text("Saved.").is_visible()
    browserkit.assert_accessible(page)

    with app.app_context(), db.connected():  # an edit written earlier at the prison's edge arrives now
        service.apply(person, plans.check_edit("accommodation", "owner", "Olivia", "2026-01-01T09:00:00.000Z",
                                               "sam (hmp-north)"))
    page.reload()
    assert page.get_by_text("Also written (owner): “Olivia” by sam (hmp-north)").is_visible()
    assert page.get_by_label("Owner of Accommodation").input_value() == "Housing officer, Cardiff council"
    browserkit.assert_accessible(page)
    context.close()
