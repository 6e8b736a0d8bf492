"""A release plan on the person's phone, against a real `throughgate hub run` (SQLite) with the
reference phone client: what a worker writes reaches the phone at its next sync as `plan` entries of
the person's feed, and `throughgate phone plan` shows the countdown, each pathway in English and Welsh,
and a value that lost a conflict ("Also written")."""

from __future__ import annotations

import pytest
from hubkit import make_instance
from hubprocess import HubProcess
from phonekit import hub_app, offer_for, phone_says, released_person

from hub import db
from hub.plans import service
from phone import client
from wire import plans


@pytest.fixture
def hub(tmp_path):
    instance = make_instance(tmp_path / "hub")
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    process = HubProcess(instance, url, tmp_path / "hub.log").start()
    try:
        yield process, hub_app(instance, url), instance
    finally:
        process.stop()


def _edit(app, person: str, pathway: str, field: str, value: str, at: str, by: str) -> None:
    with app.app_context(), db.connected():
        service.apply(person, plans.check_edit(pathway, field, value, at, by))


def test_the_plan_reaches_the_phone_by_sync_with_its_countdown_and_conflicts(hub, tmp_path, capsys):
    process, app, instance = hub
    person, code = released_person(app)
    folder = tmp_path / "phone"
    home = ["--home", str(folder)]
    client.activate(offer_for(process, instance, code),
                    folder, "Alex's phone")
    assert phone_says(["plan", *home], capsys) == "No release plan yet.\n"

    _edit(app, person, "release", "date", "2027-03-14", "2026-12-01T09:00:00.000Z", "olivia")
    _edit(app, person, "accommodation", "status", "in_progress", "2026-12-01T09:00:00.000Z", "olivia")
    _edit(app, person, "accommodation", "owner", "Housing officer, Cardiff council", "2026-12-01T09:00:00.000Z",
          "olivia")
    _edit(app, person, "accommodation", "owner", "Olivia", "2026-12-01T08:00:00.000Z", "sam (hmp-north)")
    _edit(app, person, "gp", "notes", "Registered at Canton surgery.", "2026-12-01T09:00:00.000Z", "hana")
    assert "6 received" in phone_says(["sync", *home], capsys)  # and the person's contacts (their worker)

    shown = phone_says(["plan", *home], capsys)
    assert "(2027-03-14)." in shown.splitlines()[0]
    assert "Accommodation (Llety): in progress, with Housing officer, Cardiff council" in shown
    assert "GP registration (Cofrestru gyda meddyg teulu): not started" in shown
    assert "  Registered at Canton surgery." in shown
    assert "Family (Teulu): not started" in shown
    assert ("Also written: Accommodation owner 'Olivia' by sam (hmp-north) at 2026-12-01T08:00:00.000Z"
            in shown)

    _edit(app, person, "accommodation", "status", "done", "2026-12-02T09:00:00.000Z", "olivia")
    assert "1 received" in phone_says(["sync", *home], capsys)
    assert "Accommodation (Llety): done" in phone_says(["plan", *home], capsys)
