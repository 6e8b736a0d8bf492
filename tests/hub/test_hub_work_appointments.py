"""Appointments in the workers' console: a worker makes one in local time (kept in UTC, in the
person's feed), answers the person's request to move it (accept by moving, propose, decline), cancels
it, and reads the whole history; another worker's person is not there; every page records the read."""

from __future__ import annotations

import re

import workkit
from consolekit import post
from workkit import page

from hub import db
from hub.appointments import service as appointments
from hub.appointments.models import Appointment
from hub.sync.models import PersonChange
from hub.workers import caseload

console_app, team, as_worker = workkit.console_app, workkit.team, workkit.as_worker


def made(client, person: str, **form) -> str:
    """Make an appointment through the console's form; its id."""
    fields = {"kind": "in_person", "date": "2027-07-12", "time": "10:00", "minutes": "45",
              "place": "Cardiff probation office, 2nd floor"} | form
    answer = post(client, f"/work/people/{person}/appointments", fields, page=f"/work/people/{person}/appointments")
    assert answer.status_code == 303, answer.get_data(as_text=True)
    return re.search(r"/appointments/([0-9a-f-]{36})", answer.headers["Location"]).group(1)


def test_a_worker_makes_one_in_local_time_and_the_persons_phone_gets_it(console_app, as_worker):
    person = workkit.add_person(console_app, "olivia")
    olivia = as_worker("olivia")
    appointment = made(olivia, person)  # 10:00 in London in July is 09:00 UTC

    with console_app.app_context(), db.proxy.connection_context():
        row = Appointment.get_by_id(appointment)
        feed = [c.kind for c in PersonChange.select().where(PersonChange.person == person)]
    assert (row.starts_at, row.ends_at) == ("2027-07-12T09:00:00.000Z", "2027-07-12T09:45:00.000Z")
    assert row.worker == "olivia"
    assert "appointment" in feed
    status, text = page(olivia, f"/work/people/{person}/appointments")
    assert status == 200 and "Mon 12 Jul 2027, 10:00 BST" in text and "Cardiff probation office" in text
    status, text = page(olivia, f"/work/people/{person}/appointments/{appointment}")
    assert status == 200 and "10:45 BST" in text and "made" in text


def test_the_persons_request_is_answered_by_moving_it_and_the_history_keeps_who_when_and_why(console_app, as_worker):
    person = workkit.add_person(console_app, "olivia")
    olivia = as_worker("olivia")
    appointment = made(olivia, person, date="2027-01-11", time="10:00")
    with console_app.app_context(), db.proxy.connection_context():
        asked = appointments.ask_reschedule(person, "8d3c1f6e-0b1a-4c2e-9f3e-2a1b3c4d5e6f", appointment,
                                            "I start a new job that morning", "any afternoon that week")
    path = f"/work/people/{person}/appointments/{appointment}"
    status, text = page(olivia, f"/work/people/{person}/appointments")
    assert "1 waiting" in text
    text = page(olivia, path)[1]
    assert "I start a new job that morning" in text and "any afternoon that week" in text

    answer = post(olivia, f"{path}/move", {"date": "2027-01-13", "time": "14:30", "reason": "Your new job",
                                           "request": str(asked.id)}, page=path)
    assert answer.status_code == 303
    text = page(olivia, answer.headers["Location"])[1]
    assert "Their requests to answer" not in text and "Wed 13 Jan 2027, 14:30 GMT" in text
    history = re.findall(r"<td>(the person|olivia)</td>\s*<td>([^<]+)</td>", text)
    assert history == [("olivia", "made"), ("the person", "asked to move it"), ("olivia", "accepted the request"),
                       ("olivia", "moved")]


def test_a_worker_proposes_declines_and_cancels_with_reasons(console_app, as_worker):
    person = workkit.add_person(console_app, "ed")
    ed = as_worker("ed")
    appointment = made(ed, person, kind="phone", place="I will call you")
    with console_app.app_context(), db.proxy.connection_context():
        asked = appointments.ask_reschedule(person, "1d3c1f6e-0b1a-4c2e-9f3e-2a1b3c4d5e6f", appointment, "Hospital")
    path = f"/work/people/{person}/appointments/{appointment}"
    assert post(ed, f"{path}/propose", {"date": "2027-07-14", "time": "09:00", "reason": "My next free slot",
                                        "request": str(asked.id)}, page=path).status_code == 303
    assert post(ed, f"{path}/decline", {"reason": "x"}, page=path).status_code == 400  # which request?
    assert post(ed, f"{path}/cancel", {"reason": "Seen at the hostel instead"}, page=path).status_code == 303

    text = page(ed, path)[1]
    assert "proposed another time" in text and "to Wed 14 Jul 2027, 09:00 BST" in text
    assert "Seen at the hostel instead" in text and "Cancel the appointment" not in text
    assert "Past and cancelled" in page(ed, f"/work/people/{person}/appointments")[1]


def test_bad_times_are_refused_saying_what_to_type_and_nothing_is_made(console_app, as_worker):
    person = workkit.add_person(console_app, "olivia")
    olivia = as_worker("olivia")
    for form, said in (({"date": "12/07/2027"}, "YYYY-MM-DD"), ({"minutes": "600"}, "5 to 480 minutes"),
                       ({"place": ""}, "where it is")):
        answer = post(olivia, f"/work/people/{person}/appointments", {"kind": "in_person", "date": "2027-07-12",
                      "time": "10:00", "minutes": "30", "place": "Office"} | form,
                      page=f"/work/people/{person}/appointments")
        assert answer.status_code == 400 and said in answer.get_data(as_text=True)
    with console_app.app_context(), db.proxy.connection_context():
        assert Appointment.select().where(Appointment.person == person).count() == 0


def test_another_workers_person_has_no_appointments_to_see_or_change_and_reads_are_recorded(console_app, as_worker):
    person = workkit.add_person(console_app, "olivia")
    appointment = made(as_worker("olivia"), person)
    sam = as_worker("sam")
    path = f"/work/people/{person}/appointments"
    assert page(sam, path)[0] == 404 and page(sam, f"{path}/{appointment}")[0] == 404
    assert post(sam, f"{path}/{appointment}/cancel", {"reason": "x"}, page="/work/people").status_code == 404
    assert post(sam, path, {"kind": "phone", "date": "2027-07-12", "time": "10:00", "place": "x"},
                page="/work/people").status_code == 404

    with console_app.app_context(), db.proxy.connection_context():
        assert Appointment.get_by_id(appointment).status == "scheduled"
        reads = [(r.worker, r.what) for r in caseload.reads_of(person)]
    assert ("olivia", "appointments") in reads and all(worker != "sam" for worker, _what in reads)
