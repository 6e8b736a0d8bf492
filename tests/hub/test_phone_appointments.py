"""Appointments on a person's phone, against a real `throughgate hub run` (SQLite) with the reference
phone client (`throughgate phone appointments|reschedule|late`): a worker's appointment reaches the
phone at its next sync; a reschedule request whose answer is lost is sent again and kept once; the
worker's move reaches the phone; the calendar feed's address serves what the phone shows, and a
replaced one answers 404."""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request

import pytest
from hubkit import make_instance
from hubprocess import HubProcess
from icalendar import Calendar
from phonekit import AnswerDroppingProxy, hub_app, offer_for, phone_says, point_phone_at, released_person

from hub import ca, db
from hub.appointments import calendar, service
from phone import client


@pytest.fixture
def hub(tmp_path):
    instance = make_instance(tmp_path / "hub")
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    process = HubProcess(instance, url, tmp_path / "hub.log").start()
    try:
        yield process, hub_app(instance, url), instance
    finally:
        process.stop()


def test_an_appointment_reaches_the_phone_its_request_is_kept_once_and_the_calendar_serves_it(hub, tmp_path,
                                                                                                capsys):
    process, app, instance = hub
    person, code = released_person(app)
    folder = tmp_path / "phone"
    offer = offer_for(process, instance, code)
    client.activate(offer, folder, "Alex's phone")
    with app.app_context(), db.connected():
        made = service.create(person, "olivia", "in_person", "2027-01-11T10:00Z", 30, "Cardiff office", "olivia")
    home = ["--home", str(folder)]

    assert "2 received" in phone_says(["sync", *home], capsys)  # the appointment, and the person's contacts
    shown = phone_says(["appointments", *home], capsys)
    assert "2027-01-11T10:00:00.000Z to 2027-01-11T10:30:00.000Z  in person with olivia: Cardiff office" in shown

    phone_says(["reschedule", made.appointment_id, "--reason", "I start a new job that morning", *home], capsys)
    dropper = AnswerDroppingProxy(instance, process.port, drops=1)  # stored at the hub, the answer lost
    point_phone_at(folder, dropper.url)
    with pytest.raises(client.PhoneError):
        client.sync(folder)
    assert "1 sent" in phone_says(["sync", *home], capsys)  # the same request again: acknowledged, kept once
    dropper.stop()
    point_phone_at(folder, process.url)
    with app.app_context(), db.connected():
        asked = [c for c in service.history(made.appointment_id) if c.what == "reschedule_asked"]
        assert len(asked) == 1 and asked[0].by == "person" and asked[0].reason == "I start a new job that morning"
        service.move(made.appointment_id, "2027-01-11T15:00Z", "As you asked: the afternoon", "olivia",
                     accepted=asked[0].id)
        token = calendar.new_token(person, "olivia")

    phone_says(["sync", *home], capsys)
    shown = phone_says(["appointments", *home], capsys)
    assert "2027-01-11T15:00:00.000Z to 2027-01-11T15:30:00.000Z" in shown
    assert "moved by your worker: As you asked: the afternoon" in shown

    context = ssl.create_default_context(cafile=str(ca.files(instance).root_cert))
    with urllib.request.urlopen(f"{process.url}{calendar.path(token)}", context=context) as answer:  # noqa: S310
        assert answer.headers["Cache-Control"] == "no-store"
        events = Calendar.from_ical(answer.read()).walk("VEVENT")
    assert [(str(e["UID"]), e.decoded("DTSTART").isoformat(), e["SEQUENCE"]) for e in events] == [
        (made.appointment_id, "2027-01-11T15:00:00+00:00", 1)]
    with app.app_context(), db.connected():
        calendar.new_token(person, "olivia", replace=True)
    with pytest.raises(urllib.error.HTTPError) as gone:
        urllib.request.urlopen(f"{process.url}{calendar.path(token)}", context=context)  # noqa: S310 (https)
    refusal = json.loads(gone.value.read())
    gone.value.close()  # else the hub waits for this kept-alive connection when it stops
    assert gone.value.code == 404 and refusal["error"] == "unknown_calendar"
