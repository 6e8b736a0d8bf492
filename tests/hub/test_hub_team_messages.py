"""Team messages against a real `throughgate hub run` (SQLite) and the reference phone: a person writes
to their probation team, the message reaches whoever in the team is on duty (nobody on duty: the team's
manager, and the console says so), any one member's answer answers for all and reaches the phone, and
a message left unanswered past the team's promise is flagged on its manager's page, and only there."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from consolekit import BASE, browser, post
from hubkit import make_instance
from hubprocess import HubProcess
from phonekit import hub_app
from workkit import login, make_worker

from hub import ca, db
from hub.people import service as people
from hub.teams import service as teams
from hub.teams.models import TeamMessage
from hub.workers import caseload
from hub.workers.models import PersonRead
from phone import client
from phone.store import Store
from provisioning.tokens import ActivationOffer
from wire.records import timestamp

TEAM, OTHER = "Cardiff probation", "Swansea probation"
WORKERS = {"olivia": ("offender_manager", TEAM), "ed": ("employment_adviser", TEAM), "tom": ("team_manager", TEAM),
           "sam": ("offender_manager", OTHER), "sue": ("team_manager", OTHER)}


@dataclass
class Hub:
    process: HubProcess
    app: object
    instance: object
    consoles: dict


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    root = tmp_path_factory.mktemp("team-messages")
    instance = make_instance(root / "hub")
    url = f"sqlite:///{instance / 'hub.db'}"
    process = HubProcess(instance, url, root / "hub.log").start()
    try:
        app = hub_app(instance, url)
        made = {name: make_worker(app, name, role, team) for name, (role, team) in WORKERS.items()}
        with app.app_context(), db.connected():
            teams.add(TEAM, 240, "test")
            teams.add(OTHER, 240, "test")
        consoles = {}
        for name, worker in made.items():
            consoles[name] = browser(app)
            assert login(app, consoles[name], worker).status_code == 302
        yield Hub(process, app, instance, consoles)
    finally:
        process.stop()


@dataclass
class Phone:
    person: str
    folder: object
    store: Store

    def send(self, to: str, text: str) -> None:
        self.store.queue("message", {"to": to, "text": text, "written_at": timestamp()})
        client.sync(self.folder, self.store)


@pytest.fixture
def phone(hub, tmp_path):
    """A released person in Olivia's caseload, with the reference phone activated and synced once."""
    with hub.app.app_context(), db.connected():
        person = people.add("test")
        caseload.add("olivia", person.person_id, "test")
        _person, code, _row = people.release(person.person_id, "test", 7)
    offer = ActivationOffer(hub.process.url, code, ca.root_pin(ca.load_root(ca.files(hub.instance)))).to_link()
    client.activate(offer, tmp_path / "phone", "Alex's phone")
    store = Store(tmp_path / "phone" / "phone.db")
    client.sync(tmp_path / "phone", store)
    yield Phone(person.person_id, tmp_path / "phone", store)
    store.close()


def on_duty(hub, *names: str) -> None:
    """Exactly these workers are on duty (the others off), as the CLI sets it."""
    with hub.app.app_context(), db.connected():
        for name in WORKERS:
            teams.set_duty(name, name in names, "test")


def page(hub, worker: str, path: str) -> tuple[int, str]:
    answer = hub.consoles[worker].get(path, base_url=BASE)
    return answer.status_code, answer.get_data(as_text=True)


def answer(hub, worker: str, person: str, text: str):
    return post(hub.consoles[worker], "/work/inbox/answer", {"person": person, "text": text}, page="/work/inbox")


def test_the_phone_learns_its_workers_and_their_team_as_contacts(hub, phone):
    found = phone.store.contacts()
    assert found["workers"] == [{"to": "olivia", "name": "Olivia", "role": "offender_manager"}]
    assert found["teams"] == [{"to": f"team:{TEAM}", "name": TEAM, "reply_within_min": 240, "reply_within": "4 h"}]
    with hub.app.app_context(), db.connected():
        caseload.remove("olivia", phone.person)
    client.sync(phone.folder, phone.store)
    assert phone.store.contacts() == {"workers": [], "teams": []}


def test_a_message_to_the_team_reaches_the_member_on_duty_and_not_those_off_duty(hub, phone):
    on_duty(hub)
    assert post(hub.consoles["ed"], "/work/duty", {"on": "yes"}, page="/work/inbox").status_code == 303
    phone.send(f"team:{TEAM}", "I tried to call the office 3 times, no one answers.")
    assert phone.store.refusals() == []

    status, text = page(hub, "ed", "/work/inbox")
    assert status == 200 and "I tried to call the office 3 times, no one answers." in text
    assert "You are on duty for Cardiff probation" in text and f"Answer {phone.person} for {TEAM}" in text
    for other in ("olivia", "tom", "sam", "sue"):  # off duty, the manager while someone is on, another team
        status, text = page(hub, other, "/work/inbox")
        assert status == 200 and "no one answers" not in text and phone.person not in text, other
    _status, text = page(hub, "olivia", "/work/inbox")
    assert "The team's messages go to whoever is on duty: Ed." in text and "Go on duty" in text
    with hub.app.app_context(), db.connected():
        reads = {(r.worker, r.what) for r in PersonRead.select().where(PersonRead.person == phone.person)}
    assert ("ed", "messages") in reads and not {w for w, _ in reads} & {"olivia", "tom", "sam", "sue"}


def test_any_members_answer_answers_for_all_and_reaches_the_phone_with_their_name(hub, phone):
    on_duty(hub, "ed", "olivia")
    phone.send(f"team:{TEAM}", "Is my appointment still on Monday?")
    phone.send(f"team:{TEAM}", "It is about the hostel.")
    for worker in ("ed", "olivia"):
        assert "It is about the hostel." in page(hub, worker, "/work/inbox")[1]

    done = answer(hub, "olivia", phone.person, "Yes, Monday at 10. See you then.")
    assert done.status_code == 303
    _status, text = page(hub, "olivia", done.headers["Location"])
    assert f"Answered {phone.person} for {TEAM}." in text
    assert "It is about the hostel." not in page(hub, "ed", "/work/inbox")[1]
    late = answer(hub, "ed", phone.person, "Yes, it is.")
    assert late.status_code == 409 and "has answered this person already" in late.get_data(as_text=True)
    with hub.app.app_context(), db.connected():
        rows = list(TeamMessage.select().where((TeamMessage.person == phone.person) & TeamMessage.from_person))
    assert len(rows) == 2 and {r.answered_by for r in rows} == {"olivia"}

    client.sync(phone.folder, phone.store)
    [reply] = [m for m in phone.store.messages() if not m["from_person"]]
    assert (reply["text"], reply["worker"], reply["worker_name"], reply["team"]) == (
        "Yes, Monday at 10. See you then.", "olivia", "Olivia", TEAM)
    sent = {m["id"] for m in phone.store.messages() if m["from_person"]}
    assert sent and sorted(reply["answers"]) == sorted(sent)
    reads = phone.store.db.execute("SELECT id FROM feed WHERE kind = 'read'").fetchall()
    assert {row[0] for row in reads} == sent  # the person sees their messages were read


def test_with_nobody_on_duty_the_manager_gets_the_message_and_the_console_says_so(hub, phone):
    on_duty(hub)
    phone.send(f"team:{TEAM}", "Nobody picks up the phone.")
    _status, text = page(hub, "tom", "/work/inbox")
    assert "Nobody picks up the phone." in text
    assert "Nobody in Cardiff probation is on duty, so the team's messages come to you, as its manager." in text
    _status, text = page(hub, "olivia", "/work/inbox")
    assert "Nobody picks up the phone." not in text
    assert "Nobody in Cardiff probation is on duty, so the team's messages go to its manager (Tom)." in text
    assert "Nobody picks up the phone." not in page(hub, "sue", "/work/inbox")[1]
    assert answer(hub, "tom", phone.person, "Sorry. I will call you at 2pm.").status_code == 303
    assert answer(hub, "olivia", phone.person, "Me too.").status_code == 403  # off duty: not hers to answer


def _received_hours_ago(hub, person: str, hours: float) -> None:
    """The person's messages to the team arrived this long ago (the hub's clock moved on)."""
    then = timestamp(dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours))
    with hub.app.app_context(), db.connected():
        TeamMessage.update(received_at=then).where((TeamMessage.person == person) & TeamMessage.from_person).execute()


def test_unanswered_past_the_promise_is_flagged_to_its_manager_and_answered_in_time_is_not(hub, phone, tmp_path):
    on_duty(hub, "ed")
    phone.send(f"team:{TEAM}", "Still waiting for a call back.")
    _received_hours_ago(hub, phone.person, 5)  # the team promises 4 h
    with hub.app.app_context(), db.connected():
        answered = people.add("test")
        caseload.add("olivia", answered.person_id, "test")
        waiting_now = people.add("test")
        caseload.add("olivia", waiting_now.person_id, "test")
        from hub.sync.models import Message

        for person in (answered, waiting_now):
            message_id = f"00000000-0000-4000-8000-{person.person_id[-4:].lower():0>12}"
            teams.receive(person.person_id, message_id, f"team:{TEAM}", "Hello?", timestamp())
            assert Message.get_by_id(message_id).worker == f"team:{TEAM}"
    assert answer(hub, "ed", answered.person_id, "Hello, how can I help?").status_code == 303
    _received_hours_ago(hub, answered.person_id, 6)  # answered in time once: never flagged
    _received_hours_ago(hub, waiting_now.person_id, 1)  # within the promise: not yet

    status, text = page(hub, "tom", "/work/team/waiting")
    assert status == 200 and phone.person in text and "5 h" in text and "On duty now: Ed." in text
    assert answered.person_id not in text and waiting_now.person_id not in text
    assert "Waiting too long: 1 person</a>" in page(hub, "tom", "/work/team")[1]
    status, text = page(hub, "sue", "/work/team/waiting")  # another team's manager
    assert status == 200 and phone.person not in text and "No message to Swansea probation" in text
    assert "Waiting too long: 0 people</a>" in page(hub, "sue", "/work/team")[1]
    assert page(hub, "olivia", "/work/team/waiting")[0] == 403
    with hub.app.app_context(), db.connected():
        assert PersonRead.select().where((PersonRead.person == phone.person) & (PersonRead.worker == "tom")
                                         & (PersonRead.what == "list")).exists()

    assert answer(hub, "ed", phone.person, "Sorry for the wait: I will call at 3pm.").status_code == 303
    assert phone.person not in page(hub, "tom", "/work/team/waiting")[1]


def test_a_team_manager_puts_a_member_on_and_off_duty_from_my_team(hub):
    on_duty(hub)
    done = post(hub.consoles["tom"], "/work/team/duty", {"worker": "ed", "on": "yes"}, page="/work/team")
    assert done.status_code == 303
    assert "ed is now on duty." in page(hub, "tom", done.headers["Location"])[1]
    with hub.app.app_context(), db.connected():
        assert [w.name for w in teams.on_duty(TEAM)] == ["ed"]
    refused = post(hub.consoles["sue"], "/work/team/duty", {"worker": "ed", "on": "no"}, page="/work/team")
    assert refused.status_code == 400 and "not a worker of your team" in refused.get_data(as_text=True)
    with hub.app.app_context(), db.connected():
        assert [w.name for w in teams.on_duty(TEAM)] == ["ed"]


def test_a_message_to_a_team_that_is_not_the_persons_is_refused_and_kept_on_the_phone(hub, phone):
    phone.send(f"team:{OTHER}", "Hello Swansea.")
    [refused] = phone.store.refusals()
    assert refused["error"] == "unknown_team" and "choose one from your contacts" in refused["reason"]
    on_duty(hub)
    assert "Hello Swansea." not in page(hub, "sue", "/work/inbox")[1]


def test_an_empty_answer_is_refused_saying_so_and_keeps_the_message_waiting(hub, phone):
    on_duty(hub, "ed")
    phone.send(f"team:{TEAM}", "Can I change my appointment?")
    refused = answer(hub, "ed", phone.person, "   ")
    assert refused.status_code == 400 and "The answer is empty" in refused.get_data(as_text=True)
    assert "Can I change my appointment?" in page(hub, "ed", "/work/inbox")[1]
