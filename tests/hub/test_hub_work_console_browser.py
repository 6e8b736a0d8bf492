"""The workers' console in Debian's Chromium against a real `throughgate hub run`: an offender manager
logs in (password, then the authenticator's code), opens My people, a person's page, releases them,
writes to them, makes an appointment and moves it as the person asked; every page, and the page for
someone else's person, passes axe-core (WCAG 2.1 A and AA)."""

from __future__ import annotations

import time

import pytest
from workkit import add_person, log_in_in_chromium, make_worker, running_hub

from hub import db
from hub.appointments import service as appointments
from hub.staff import totp
from tests import browserkit

PASSWORD = "a long admin passphrase"  # consolekit's


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    with running_hub(tmp_path_factory.mktemp("work-browser")) as started:
        yield started


def test_a_worker_logs_in_and_every_page_passes_axe(hub, browser):
    process, app = hub
    olivia = make_worker(app, "olivia", "offender_manager", "Cardiff probation")
    person = add_person(app, "olivia")
    others = add_person(app)
    context = browserkit.new_context(browser)
    page = context.new_page()
    page.goto(f"{process.url}/work/people")
    assert "/work/login?next=" in page.url
    browserkit.assert_accessible(page)
    page.get_by_label("User name").fill("olivia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Next").click()
    page.wait_for_url(lambda url: "/work/login/code" in url)
    browserkit.assert_accessible(page)
    page.get_by_label("6-digit code").fill(totp.code_at(olivia.secret, totp.step_of(time.time()) + 1))
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/work/people")
    browserkit.assert_accessible(page)

    page.get_by_role("link", name=person).click()
    page.wait_for_url(f"**/work/people/{person}")
    browserkit.assert_accessible(page)
    page.get_by_role("button", name="Release").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == f"Activation code for {person}"
    browserkit.assert_accessible(page)

    page.goto(f"{process.url}/work/people/{person}/messages")
    page.get_by_label(f"Write to {person}").fill("Your first appointment is Monday at 10.")
    page.get_by_role("button", name="Send").click()
    page.wait_for_url(lambda url: "/messages?sent=" in url)
    assert page.get_by_text("Sent.").is_visible()
    browserkit.assert_accessible(page)

    answer = page.goto(f"{process.url}/work/people/{others}")
    assert answer.status == 404
    browserkit.assert_accessible(page)
    page.goto(f"{process.url}/work/people")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/work/login")
    context.close()


def test_a_team_manager_shares_out_caseloads_on_an_accessible_page(hub, browser):
    process, app = hub
    tom = make_worker(app, "tom", "team_manager", "Cardiff probation")
    make_worker(app, "ed", "employment_adviser", "Cardiff probation")
    person = add_person(app, "tom")
    context, page = log_in_in_chromium(browser, process.url, tom)
    page.get_by_role("navigation", name="Workers' console").get_by_role("link", name="My team").click()
    page.wait_for_url("**/work/team")
    page.get_by_label("Person", exact=True).select_option(person)
    page.get_by_label("Worker", exact=True).select_option("ed")
    page.get_by_role("button", name="Add").click()
    page.wait_for_url(lambda url: "/work/team?done=" in url)
    assert page.get_by_text(f"{person} is now in ed's caseload.").is_visible()
    browserkit.assert_accessible(page)
    context.close()


def test_a_worker_makes_an_appointment_and_answers_a_request_to_move_it_on_accessible_pages(hub, browser):
    process, app = hub
    ffion = make_worker(app, "ffion", "health_care", "Swansea health")
    person = add_person(app, "ffion")
    context, page = log_in_in_chromium(browser, process.url, ffion)

    page.goto(f"{process.url}/work/people/{person}")
    page.get_by_role("link", name="Appointments").click()
    page.wait_for_url(f"**/work/people/{person}/appointments")
    browserkit.assert_accessible(page)
    page.get_by_label("By phone").check()
    page.get_by_label("Date").fill("2027-02-01")
    page.get_by_label("Time (Europe/London)").fill("11:15")
    page.get_by_label("Where, or how to join").fill("The nurse will call you")
    page.get_by_role("button", name="Make the appointment").click()
    page.wait_for_url(lambda url: "done=made" in url)
    assert page.get_by_role("heading", level=1).inner_text() == "Mon 1 Feb 2027, 11:15 GMT"
    browserkit.assert_accessible(page)

    appointment = page.url.split("/appointments/")[1].split("?")[0]
    with app.app_context(), db.connected():
        appointments.ask_reschedule(person, "5d3c1f6e-0b1a-4c2e-9f3e-2a1b3c4d5e6f", appointment, "Hospital visit",
                                    "Tuesday morning")
    page.reload()
    assert page.get_by_text("What would suit them: “Tuesday morning”").is_visible()
    browserkit.assert_accessible(page)
    page.get_by_label("New date").fill("2027-02-02")
    page.get_by_label("New time (Europe/London)").fill("09:30")
    page.get_by_label("Why it moves").fill("As you asked")
    page.get_by_label("Their request this move accepts").select_option(index=1)
    page.get_by_role("button", name="Move the appointment").click()
    page.wait_for_url(lambda url: "done=moved" in url)
    assert page.get_by_role("heading", level=1).inner_text() == "Tue 2 Feb 2027, 09:30 GMT"
    assert page.get_by_role("cell", name="accepted the request").is_visible()
    browserkit.assert_accessible(page)
    context.close()
