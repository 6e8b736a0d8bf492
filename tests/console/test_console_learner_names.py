"""Learners' names in the console: the manager's Learners page (one name edited, a CSV import previewed, then
confirmed, all rows or none), "Name (L-A1)" wherever a page shows a learner to the manager and the learner's
tutors, never to another class's tutor nor to IT staff; the pages pass axe in Chromium."""

from __future__ import annotations

import io

import pytest

from edge import identity, store
from edge.console import rewards
from edge.learners import names
from provisioning.https import HttpsServer
from tests import browserkit
from tests.console import consolekit


@pytest.fixture(scope="module")
def named(app, staff):
    """L-A1 (tina's class) and L-B1 (tom's) with work on every page, and names set by the manager's form."""
    consolekit.submission("L-A1", text="My essay.")
    consolekit.submission("L-B1", text="Their essay.")
    consolekit.statement("L-A1", "algebra-1/unit-1", score=0.8)
    consolekit.statement("L-B1", "algebra-1/unit-1", score=0.7)
    rewards.add_rule("First unit", "units", 1, "", "mary")
    rewards.evaluate()
    mary = staff["mary"]
    assert mary.post("/learners/learner/L-A1", {"name": "Ada Lovelace", "prison_number": "a1234bc"}).status_code == 302
    assert mary.post("/learners/learner/L-B1", {"name": "Grace Hopper", "prison_number": ""}).status_code == 302
    return staff


def _text(visitor, path: str) -> str:
    response = visitor.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/submissions/", "/progress/", "/progress/learner/L-A1", "/rewards/"])
def test_the_manager_and_the_learners_tutor_see_the_name_beside_the_id(named, path):
    for who in ("mary", "tina"):
        assert "Ada Lovelace (L-A1)" in _text(named[who], path), who


def test_a_tutor_sees_no_name_of_another_class_and_it_staff_see_no_name_at_all(named):
    assert "Grace Hopper" not in _text(named["tina"], "/progress/")
    assert "Grace Hopper (L-B1)" in _text(named["mary"], "/progress/")
    with store.writing():
        store.Tablet.update(learner="L-A1").where(store.Tablet.device == "tab-0002").execute()
    assert "Ada Lovelace (L-A1)" in _text(named["mary"], "/tablets/")
    assert "L-A1" in _text(named["ivan"], "/tablets/")
    for path in ("/tablets/", "/courses/", "/health/"):
        page = _text(named["ivan"], path)
        assert "Ada Lovelace" not in page and "Grace Hopper" not in page
    for who in ("tina", "ivan"):
        assert named[who].get("/learners/").status_code == 403
        assert named[who].post("/learners/learner/L-A1", {"name": "Someone Else"}).status_code == 403
    assert names.get("L-A1").name == "Ada Lovelace"


def test_the_learners_page_lists_names_and_an_empty_name_is_refused_saying_what_to_do(named):
    page = _text(named["mary"], "/learners/")
    assert "Ada Lovelace" in page and "A1234BC" in page and "by mary" in page
    refused = named["mary"].post("/learners/learner/L-A1", {"name": " \u202e ", "prison_number": ""})
    assert refused.status_code == 400
    assert "The name is empty: write the learner" in refused.get_data(as_text=True)
    assert names.get("L-A1").name == "Ada Lovelace"


def _upload(visitor, data: bytes):
    return visitor.post("/learners/import", {"file": (io.BytesIO(data), "learners.csv")})


def test_an_import_is_previewed_and_saved_only_when_the_manager_confirms(named):
    mary = named["mary"]
    data = ("\ufefflearner id;name;prison number\nL-A1;Ada Lovelace;A1234BC\nL-B1;Grace B. Hopper;\n"
            "L-C9;Alan Turing;C1\n")
    preview = _upload(mary, data.encode())
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "1 new, 1 changed, 1 unchanged" in page and "(was Grace Hopper)" in page
    assert names.get("L-C9") is None  # nothing saved yet
    token = page.split('name="data" value="', 1)[1].split('"', 1)[0]
    done = mary.post("/learners/import/confirm", {"data": token, "filename": "learners.csv"})
    assert done.status_code == 302
    assert "Names imported: 1 new, 1 changed, 1 unchanged." in _text(mary, "/learners/")
    assert (names.get("L-C9").name, names.get("L-B1").name) == ("Alan Turing", "Grace B. Hopper")


def test_an_import_with_a_bad_line_shows_its_number_and_imports_nothing(named):
    preview = _upload(named["mary"], b"learner,name\nL-D1,Someone New\nL-D2,\n")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 400
    assert "Nothing was imported: 1 line of learners.csv cannot be read" in page
    assert "Line 3: the name is empty" in page
    assert 'name="data"' not in page  # no confirm button
    assert names.get("L-D1") is None
    unreadable = _upload(named["mary"], "learner,name\nL-1,Ada\n".encode("utf-16"))
    assert unreadable.status_code == 400 and "not UTF-8" in unreadable.get_data(as_text=True)


def test_the_learners_page_and_an_import_preview_with_a_refused_line_pass_axe(named, app, kit, browser, tmp_path):
    server = HttpsServer(app, "127.0.0.1", 0, lambda: identity.server_tls_context(kit.files), name="console").start()
    context, page = consolekit.log_in_in_chromium(browser, server.url, "mary")
    try:
        page.goto(f"{server.url}/learners/")
        assert "Learners" in page.inner_text("h1")
        browserkit.assert_accessible(page)
        page.goto(f"{server.url}/learners/import")
        csv_file = tmp_path / "learners.csv"
        csv_file.write_text("learner,name\nL-A1,Ada Lovelace\nL-E1,\n")
        page.set_input_files("#file", str(csv_file))
        page.click("form[action='/learners/import'] button")
        assert "Line 3" in page.inner_text("[role=alert]")
        browserkit.assert_accessible(page)
    finally:
        context.close()
        server.stop()

