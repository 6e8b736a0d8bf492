"""Names and case references at the hub, only for people in a worker's caseload: set from the CLI or
the workers' console, shown to the workers who see the person (and on their letter), sealed at rest,
and deleted once no caseload holds the person."""

from __future__ import annotations

import shutil

import workkit
from consolekit import post
from workkit import page

from hub import cli, db
from hub.refusals import Refused
from hub.staff import sealing
from hub.workers import caseload, names
from hub.workers.models import PersonName

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


def test_the_cli_keeps_a_name_with_the_caseload_and_says_when_it_is_gone(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("THROUGHGATE_HUB_DATABASE_URL", f"sqlite:///{tmp_path / 'hub.db'}")
    instance = str(tmp_path / "hub")

    def hub(*args: str) -> tuple[int, str, str]:
        code = cli.main([*args, "--instance", instance])
        out, err = capsys.readouterr()
        return code, out, err

    assert hub("init")[0] == 0 and hub("workers", "add", "dewi", "--role", "offender_manager")[0] == 0
    person = hub("people", "add")[1].strip()
    code, _out, err = hub("workers", "caseload", "add", "dewi", person, "--prison-number", "A1234BC")
    assert code == 1 and "add --name too" in err
    code, _out, err = hub("workers", "caseload", "add", "dewi", person, "--name", "Sam\x1b[2JJones")
    assert code == 1 and "plain text, on one line" in err
    code, out, _ = hub("workers", "caseload", "add", "dewi", person, "--name", "Sam Jones", "--prison-number",
                       "a1234bc")
    assert code == 0
    assert out.strip() == f"{person} is in dewi's caseload. Their name is kept for the workers who see them."
    assert "Sam Jones" not in hub("audit", "export")[1]  # the trail says names were set, never which

    code, out, _ = hub("workers", "caseload", "remove", "dewi", person)
    assert code == 0 and "the hub no longer keeps their name" in out
    assert "Sam" not in (tmp_path / "hub.db").read_bytes().decode("latin-1")
