"""The workers' console's release plan page (/work/people/<id>/plan): the countdown, each pathway's
status, owner and notes; two workers changing one field without seeing each other's change (the later
wins, the other is shown as "Also written"); an edge's edit written earlier but arriving later (kept
and shown); only the fields a form changed are written; every read recorded; a worker outside the
caseload gets 404 on the page and its forms."""

from __future__ import annotations

import re

import pytest
import workkit
from consolekit import BASE, post
from workkit import page

from hub import db
from hub.audit.models import AuditEntry
from hub.plans import service
from hub.sync import feed
from hub.workers.models import PersonRead
from wire import plans

console_app, team, as_worker = workkit.console_app, workkit.team, workkit.as_worker


def _form(text: str, pathway: str) -> dict:
    """The hidden fields of a pathway's form, as the page gave them (what the worker saw)."""
    start = text.index(f'name="pathway" value="{pathway}"')
    part = text[start:text.index("</form>", start)]
    found = dict(re.findall(r'type="hidden" name="((?:was|at)_\w+)" value="([^"]*)"', part))
    return {"pathway": pathway, **found}


def _fields(app, person: str) -> dict:
    with app.app_context(), db.proxy.connection_context():
        return service.fields_of(service.people.find(person))


def test_the_page_shows_the_countdown_and_every_pathway_and_records_the_read(console_app, team, as_worker):
    olivia = as_worker("olivia")
    person = team.person["olivia"]
    status, text = page(olivia, f"/work/people/{person}/plan")
    assert status == 200
    assert "Release in " in text and "(2027-03-14)." in text
    for _key, label, _cy in plans.PATHWAYS:
        assert f">{label}</h2>" in text
    with console_app.app_context(), db.proxy.connection_context():
        assert PersonRead.select().where((PersonRead.person == person) & (PersonRead.what == "plan")
                                         & (PersonRead.worker == "olivia")).exists()
    assert f'href="/work/people/{person}/plan"' in page(olivia, f"/work/people/{person}")[1]


def test_a_worker_sets_status_owner_and_notes_and_the_person_feed_gets_the_item(console_app, team, as_worker):
    olivia, person = as_worker("olivia"), team.person["olivia"]
    _s, text = page(olivia, f"/work/people/{person}/plan")
    answer = post(olivia, f"/work/people/{person}/plan",
                  {**_form(text, "accommodation"), "status": "in_progress", "owner": "Housing officer, Cardiff council",
                   "notes": "Hostel place asked for."}, page=f"/work/people/{person}/plan")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("saved=accommodation#accommodation")
    status, text = page(olivia, f"/work/people/{person}/plan?saved=accommodation")
    assert "Saved." in text and "Housing officer, Cardiff council" in text and "Hostel place asked for." in text
    assert "by olivia" in text
    with console_app.app_context(), db.proxy.connection_context():
        entries = [c for c in feed.page(person, 0)[0] if c["kind"] == "plan"]
        assert [c["id"] for c in entries] == ["accommodation"] * 3  # one entry per field written
        assert entries[-1]["body"]["owner"] == "Housing officer, Cardiff council"
        assert entries[-1]["body"]["status_label_cy"] == "Ar y gweill"
        assert AuditEntry.select().where((AuditEntry.action == "work.plans.edit")
                                         & (AuditEntry.target == person)).exists()


def test_two_workers_change_one_field_the_later_wins_and_the_other_is_shown(console_app, team, as_worker):
    olivia, ed, person = as_worker("olivia"), as_worker("ed"), team.shared
    path = f"/work/people/{person}/plan"
    olivia_saw = _form(page(olivia, path)[1], "education_work")
    ed_saw = _form(page(ed, path)[1], "education_work")
    assert post(olivia, path, {**olivia_saw, "status": "not_started", "owner": "Olivia",
                                                   "notes": ""}, page=path).status_code == 303
    assert post(ed, path, {**ed_saw, "status": "not_started", "owner": "Ed (employment)",
                                               "notes": ""}, page=path).status_code == 303
    field = _fields(console_app, person)["education_work"]["owner"]
    assert (field.current.value, field.current.by) == ("Ed (employment)", "ed")
    assert [(w.value, w.by) for w in field.losing] == [("Olivia", "olivia")]
    text = page(olivia, path)[1]
    assert "Also written (owner): “Olivia” by olivia at" in text
    # only the field Ed changed was written: the status stays unwritten
    assert "status" not in _fields(console_app, person)["education_work"]

    # Ed saw the conflict and writes again: a plain change, nothing more is kept
    ed_now = _form(page(ed, path)[1], "education_work")
    assert post(ed, path, {**ed_now, "status": "not_started", "owner": "Ed", "notes": ""},
                page=path).status_code == 303
    field = _fields(console_app, person)["education_work"]["owner"]
    assert field.current.value == "Ed" and [w.value for w in field.losing] == ["Olivia"]


def test_an_edit_written_earlier_at_the_edge_but_merged_later_loses_and_is_shown(console_app, team, as_worker):
    olivia, person = as_worker("olivia"), team.person["olivia"]
    path = f"/work/people/{person}/plan"
    assert post(olivia, path, {**_form(page(olivia, path)[1], "gp"), "status": "done", "owner": "",
                                       "notes": ""}, page=path).status_code == 303
    with console_app.app_context(), db.proxy.connection_context():
        late = plans.check_edit("gp", "status", "in_progress", "2026-01-01T09:00:00.000Z", "sam (hmp-north)")
        assert service.apply(person, late) is True
        assert service.apply(person, late) is False  # the same edit again: nothing changes
    text = page(olivia, path)[1]
    assert "Also written (status): “in_progress” by sam (hmp-north) at 2026-01-01 09:00 UTC" in text
    assert _fields(console_app, person)["gp"]["status"].current.value == "done"


def test_the_release_date_changes_the_countdown_and_the_person(console_app, team, as_worker):
    olivia, person = as_worker("olivia"), team.person["olivia"]
    path = f"/work/people/{person}/plan"
    assert post(olivia, path, {**_form(page(olivia, path)[1], "release"), "date": "2027-04-01"},
                page=path).status_code == 303
    text = page(olivia, path)[1]
    assert "(2027-04-01)." in text and "Also written" not in text.split('id="release"')[1].split("</section>")[0]
    with console_app.app_context(), db.proxy.connection_context():
        assert service.people.find(person).release_date == "2027-04-01"


def test_a_wrong_value_is_refused_saying_what_to_do_and_nothing_is_saved(console_app, team, as_worker):
    olivia, person = as_worker("olivia"), team.person["olivia"]
    path = f"/work/people/{person}/plan"
    answer = post(olivia, path, {**_form(page(olivia, path)[1], "release"), "date": "14/03/2027"},
                  page=path)
    assert answer.status_code == 400
    assert "A release date is YYYY-MM-DD, like 2027-03-14" in answer.get_data(as_text=True)
    assert post(olivia, path, {"pathway": "housing", "owner": "x"}, page=path).status_code == 400


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_worker_outside_the_caseload_gets_404(console_app, team, as_worker, method):
    sam, person = as_worker("sam"), team.person["olivia"]
    path = f"/work/people/{person}/plan"
    if method == "GET":
        assert sam.get(path, base_url=BASE).status_code == 404
    else:
        answer = post(sam, path, {"pathway": "accommodation", "owner": "Sam"}, page="/work/people")
        assert answer.status_code == 404
        owner = _fields(console_app, person).get("accommodation", {}).get("owner")
        assert owner is None or owner.current.by != "sam"
