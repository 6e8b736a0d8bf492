"""Names and case references at the hub, only for people in a worker's caseload: set from the CLI or
the workers' console, shown to the workers who see the person (and on their letter), sealed at rest,
and deleted once no caseload holds the person."""

from __future__ import annotations

import shutil

import workkit
from consolekit import post
from workkit import page

from hub import db
from hub.refusals import Refused
from hub.staff import sealing
from hub.sync.models import Message
from hub.workers import caseload, names
from hub.workers.models import PersonName
from wire.records import timestamp

console_app, team, as_worker = workkit.console_app, workkit.team, workkit.as_worker


def kept(app, person_id: str) -> names.Names | None:
    with app.app_context(), db.proxy.connection_context():
        return names.names_of([person_id]).get(person_id)


def test_a_worker_types_a_name_and_sees_it_on_their_people_and_the_persons_page(console_app, as_worker):
    person = workkit.add_person(console_app, "olivia")
    olivia = as_worker("olivia")
    assert "Sam Jones" not in page(olivia, "/work/people")[1]

    answer = post(olivia, f"/work/people/{person}/names", {"name": "  Sam   Jones ", "prison_number": "a1234bc",
                                                          "case_reference": "X123456"}, page=f"/work/people/{person}")
    assert answer.status_code == 303
    status, text = page(olivia, answer.headers["Location"])
    assert status == 200 and "Sam Jones" in text and "A1234BC" in text and "X123456" in text and "Saved." in text
    assert f"Sam Jones <span class=\"muted\">({person})</span>" in page(olivia, "/work/people")[1]


def test_a_bad_prison_number_is_refused_with_what_to_type_and_nothing_is_kept(console_app, as_worker):
    person = workkit.add_person(console_app, "olivia")
    answer = post(as_worker("olivia"), f"/work/people/{person}/names", {"name": "Sam Jones",
                  "prison_number": "<script>"}, page=f"/work/people/{person}")

    assert answer.status_code == 400 and "like A1234BC" in answer.get_data(as_text=True)
    assert kept(console_app, person) is None


def test_another_workers_person_cannot_be_named_nor_their_name_seen(console_app, as_worker):
    person = workkit.add_person(console_app, "olivia")
    post(as_worker("olivia"), f"/work/people/{person}/names", {"name": "Rhys Evans"}, page=f"/work/people/{person}")

    sam = as_worker("sam")
    answer = post(sam, f"/work/people/{person}/names", {"name": "Someone Else"}, page="/work/people")
    assert answer.status_code == 404
    assert "Rhys Evans" not in page(sam, "/work/people")[1]
    assert kept(console_app, person).name == "Rhys Evans"


def test_the_name_goes_when_the_last_caseload_holding_the_person_lets_go(console_app):
    person = workkit.add_person(console_app, "olivia", "ed")
    with console_app.app_context(), db.proxy.connection_context():
        names.set_names(person, names.normal("Ceri Owen", "B2345CD"), "test")
        assert caseload.remove("olivia", person) == (True, False)
        assert names.names_of([person])[person].name == "Ceri Owen"  # Ed still works with them
        assert caseload.remove("ed", person) == (True, True)
        assert names.names_of([person]) == {} and PersonName.select().count() == PersonName.select().where(
            PersonName.person != person).count()
        try:
            names.set_names(person, names.normal("Ceri Owen"), "test")
        except Refused as exc:
            assert exc.status == 409 and "caseload add" in exc.reason
        else:
            raise AssertionError("a name was kept for a person in no caseload")


def test_names_are_sealed_at_rest_and_a_hub_without_the_key_says_which_file_to_restore(console_app, tmp_path):
    person = workkit.add_person(console_app, "olivia")
    with console_app.app_context(), db.proxy.connection_context():
        names.set_names(person, names.normal("Dafydd ap Gwilym", "C3456DE", "X654321"), "test")
        stored = PersonName.get(PersonName.person == person).sealed
    assert "Dafydd" not in stored and "C3456DE" not in stored and "X654321" not in stored

    key = sealing.key_path(console_app.instance_path)
    shutil.copy(key, tmp_path / "key")
    key.unlink()  # as on a replica that was not given the file: a new key is made, which cannot open it
    try:
        with console_app.app_context(), db.proxy.connection_context():
            names.names_of([person])
    except Refused as exc:
        assert exc.status == 500 and str(key) in exc.reason and "restore that file" in exc.reason
    else:
        raise AssertionError("names opened without their key")
    finally:
        shutil.copy(tmp_path / "key", key)
    assert kept(console_app, person).name == "Dafydd ap Gwilym"


def test_the_conversation_names_the_person_and_a_team_as_people_read_them(console_app, as_worker):
    person = workkit.add_person(console_app, "olivia")
    with console_app.app_context(), db.proxy.connection_context():
        names.set_names(person, names.normal("Sam Jones"), "test")
        Message.create(message_id="6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f", person=person, from_person=True,
                       worker="team:Cardiff probation", text="Nobody picks up the phone.",
                       written_at=timestamp(), received_at=timestamp())
    status, text = page(as_worker("olivia"), f"/work/people/{person}/messages")
    assert status == 200 and f"<h1>Messages with Sam Jones ({person})</h1>" in text
    assert "<td>Cardiff probation (team)</td>" in text and "team:" not in text
