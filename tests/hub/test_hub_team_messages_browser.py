"""The team inbox, duty and the manager's "Waiting too long" in Debian's Chromium against a real
`throughgate hub run`: with nobody on duty the team manager sees the person's message, finds it on
Waiting too long past the team's promise and puts a member on duty from My team; the member answers it
from the team inbox. Every page passes axe-core (WCAG 2.1 A and AA)."""

from __future__ import annotations

import datetime as dt

import pytest
from workkit import add_person, log_in_in_chromium, make_worker, running_hub

from hub import db
from hub.teams import service as teams
from hub.teams.models import TeamMessage
from tests import browserkit
from wire.records import timestamp

PASSWORD = "a long admin passphrase"  # consolekit's
TEAM = "Cardiff probation"


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    with running_hub(tmp_path_factory.mktemp("team-browser")) as started:
        yield started


def test_the_manager_sees_a_message_waiting_too_long_puts_a_member_on_duty_who_answers_it(hub, browser):
    process, app = hub
    tom = make_worker(app, "tom", "team_manager", TEAM)
    ed = make_worker(app, "ed", "employment_adviser", TEAM)
    person = add_person(app, "ed")
    with app.app_context(), db.connected():
        teams.add(TEAM, 240, "test")
        teams.receive(person, "4f1c2b9e-8d7a-4e6f-9a1b-2c3d4e5f6a7b", f"team:{TEAM}",
                      "I tried to call the office 3 times, no one answers.", timestamp())
        TeamMessage.update(received_at=timestamp(dt.datetime.now(dt.UTC) - dt.timedelta(hours=5))).execute()

    context, page = log_in_in_chromium(browser, process.url, tom)
    nav = page.get_by_role("navigation", name="Workers' console")
    nav.get_by_role("link", name="Team inbox").click()
    page.wait_for_url("**/work/inbox")
    assert page.get_by_text("so the team's messages come to you, as its manager").is_visible()
    assert page.get_by_text("no one answers").is_visible()
    browserkit.assert_accessible(page)
    nav.get_by_role("link", name="My team").click()
    page.wait_for_url("**/work/team")
    browserkit.assert_accessible(page)
    page.get_by_role("link", name="Waiting too long: 1 person").click()
    page.wait_for_url("**/work/team/waiting")
    assert page.get_by_role("cell", name=person).is_visible() and page.get_by_role("cell", name="5 h").is_visible()
    browserkit.assert_accessible(page)
    page.goto(f"{process.url}/work/team")
    page.get_by_role("button", name="Put ed on duty").click()
    page.wait_for_url(lambda url: "/work/team?done=" in url)
    assert page.get_by_text("ed is now on duty.").is_visible()
    browserkit.assert_accessible(page)
    context.close()

    context, page = log_in_in_chromium(browser, process.url, ed)
    page.get_by_role("navigation", name="Workers' console").get_by_role("link", name="Team inbox").click()
    page.wait_for_url("**/work/inbox")
    assert page.get_by_text(f"You are on duty for {TEAM}").is_visible()
    browserkit.assert_accessible(page)
    page.get_by_label(f"Answer {person} for {TEAM}").fill("Sorry for the wait. I will call you at 3pm.")
    page.get_by_role("button", name="Send the answer").click()
    page.wait_for_url(lambda url: "/work/inbox?answered=" in url)
    assert page.get_by_text(f"Answered {person} for {TEAM}.").is_visible()
    assert page.get_by_text(f"No one is waiting for an answer from {TEAM}.").is_visible()
    browserkit.assert_accessible(page)
    page.get_by_role("button", name="Go off duty").click()
    page.wait_for_url("**/work/inbox")
    assert page.get_by_text("You are off duty.").is_visible()
    browserkit.assert_accessible(page)
    context.close()


def test_a_worker_whose_team_has_no_inbox_is_told_who_adds_it_on_an_accessible_page(hub, browser):
    process, app = hub
    hana = make_worker(app, "hana", "health_care", "Swansea health")
    context, page = log_in_in_chromium(browser, process.url, hana)
    page.get_by_role("navigation", name="Workers' console").get_by_role("link", name="Team inbox").click()
    page.wait_for_url("**/work/inbox")
    assert page.get_by_text("Swansea health has no team inbox yet").is_visible()
    browserkit.assert_accessible(page)
    context.close()
