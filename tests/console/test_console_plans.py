"""A learner's release plan at the edge console, in Debian's Chromium: the manager's plan page (the countdown and
the nine pathways), a saved pathway and a refused date pass axe-core; a tutor and IT staff get 403; each change
queues a release_plan record for the hub."""

from __future__ import annotations

import pytest

from edge import identity, store
from edge.plans.tables import LearnerPlanField
from provisioning.https import HttpsServer
from tests import browserkit
from tests.console import consolekit
from tests.console.consolekit import Visitor


@pytest.fixture(scope="module")
def server(app, kit):
    running = HttpsServer(app, "127.0.0.1", 0, lambda: identity.server_tls_context(kit.files), name="console").start()
    yield running
    running.stop()


def test_the_plan_pages_pass_axe_and_a_saved_pathway_goes_to_the_hub(server, browser):
    context, page = consolekit.log_in_in_chromium(browser, server.url, "mary")
    try:
        page.goto(f"{server.url}/learners/learner/L-A1")
        page.click("text=Release plan for L-A1")
        assert "Release plan" in page.inner_text("h1")
        assert "No release date set yet." in page.inner_text("main")
        browserkit.assert_accessible(page)

        page.fill("#release-date", "14/03/2027")
        page.click("text=Save the release date")
        assert "YYYY-MM-DD" in page.inner_text("[role=alert]")
        browserkit.assert_accessible(page)

        page.fill("#release-date", "2027-03-14")
        page.click("text=Save the release date")
        page.select_option("#gp-status", "in_progress")
        page.fill("#gp-owner", "Healthcare team, HMP North")
        page.fill("#gp-notes", "Registration form sent to the surgery.")
        page.click("text=Save GP registration")
        assert "Saved." in page.inner_text("[role=status]")
        assert "(2027-03-14)." in page.inner_text("main")
        browserkit.assert_accessible(page)
    finally:
        context.close()
    rows = {(r.pathway, r.field): r for r in LearnerPlanField.select().where(LearnerPlanField.learner == "L-A1")}
    assert set(rows) == {("release", "date"), ("gp", "status"), ("gp", "owner"), ("gp", "notes")}
    assert {store.Received.get(store.Received.id == r.record).kind for r in rows.values()} == {"release_plan"}


@pytest.mark.parametrize("user", ["tina", "ivan"])
def test_only_the_manager_opens_or_changes_a_plan(app, user):
    visitor = Visitor(app)
    assert visitor.login(user).status_code == 302
    assert visitor.get("/learners/learner/L-A1/plan/").status_code == 403
    assert visitor.post("/learners/learner/L-A1/plan/", {"pathway": "gp", "owner": "x"}).status_code == 403
