"""`throughgate hub seed` on a real instance (SQLite), run in-process through the hub's own argument
parser: it refuses a hub that holds people; on a new hub it makes the probation team, its workers and
people in their caseloads (names kept), with appointments and the employment adviser's 5-minute video
check-in on the day before each, and a release health summary for the person released today; a seeded
worker sets up their account with the printed code and logs in to /work; the released person's printed
code activates a phone through POST /v1/phone/activate."""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta

import pytest
from consolekit import Admin, browser
from cryptography.hazmat.primitives.asymmetric import ed25519
from workkit import login

from hub import db
from hub.appointments import service as appointments
from hub.medical import service as medical
from hub.people import service as people
from hub.seed import demo
from hub.staff import accounts, totp
from hub.teams import service as teams
from hub.workers import caseload, names
from provisioning import signatures
from wire.records import parse_timestamp

PASSWORD = "a long worker passphrase"


@pytest.fixture
def hub(hub_cli_fresh):
    """hub("seed") -> (exit code, stdout, stderr) of `throughgate hub ... --instance`; hub.app: its app."""
    return hub_cli_fresh


def test_a_hub_that_holds_people_is_refused_and_left_as_it_was(hub):
    person = hub("people", "add")[1].strip()
    code, out, err = hub("seed")
    assert code == 1 and out == ""
    assert "already holds people" in err and "throughgate hub init --instance NEW_DIR" in err
    listed = [line.split()[0] for line in hub("people", "list")[1].splitlines()[1:]]
    assert listed == [person]  # (an id may hold "P-" twice, as P-C77P-YA7T does: count rows, not substrings)
    assert "olivia" not in hub("workers", "list")[1]


def test_a_new_hub_gets_the_team_workers_people_and_the_advisers_check_ins_the_day_before(hub):
    code, out, _ = hub("seed")
    assert code == 0 and "Made the team 'Cardiff probation' (reply within 4 h), 4 workers" in out
    for worker in demo.WORKERS:
        assert re.search(rf"Setup code for {worker.name} \(worker, {worker.role}\): \w{{4}}-\w{{4}}-\w{{4}}", out)
    assert out.count("/work/login") == len(demo.WORKERS)
    seeded = re.findall(r"^(P-\w{4}-\w{4}): ", out, re.M)
    assert len(seeded) == len(demo.PEOPLE)
    assert "The video appointments have no link" in out  # no JITSI_URL on this hub
    assert "seed.demo" in hub("audit", "export")[1]
    assert f"{seeded[0]} carries a release health summary" in out

    app = hub.app()
    with app.app_context(), db.connected():
        team = teams.find("Cardiff probation")
        assert team.reply_within_min == 240
        assert {w.name for w in teams.members(team.name)} == {"olivia", "ed", "tom"}
        assert accounts.find("hana").role == "health_care"
        assert {e.person_id for e in caseload.of_worker("olivia")} == set(seeded)
        assert set(names.names_of(seeded)) == set(seeded)  # demo names kept for the console
        assert medical.summary_meta(seeded[0]).uploaded_role == "host"  # with every continuity field: wire tests
        assert medical.summary_meta(seeded[1]) is None
        made = [a for person in seeded for a in appointments.listing(person)]
    main = [a for a in made if a.worker != demo.ADVISER]
    check_ins = [a for a in made if a.worker == demo.ADVISER]
    assert {a.kind for a in main} == {"in_person", "phone", "video"} and len(check_ins) == len(main)
    for appointment in main:
        starts = parse_timestamp(appointment.starts_at)
        assert timedelta(days=1) < starts - parse_timestamp(made[0].created_at) < timedelta(days=15)
        before = [c for c in check_ins if c.person_id == appointment.person_id
                  and parse_timestamp(c.starts_at).date() == starts.date() - timedelta(days=1)]
        assert before, f"no check-in the day before {appointment.starts_at}"
        assert all(c.kind == "video" and c.video_url is None and c.place == demo.CHECK_IN_PLACE
                   and parse_timestamp(c.ends_at) - parse_timestamp(c.starts_at) == timedelta(minutes=5)
                   for c in before)


def test_a_seeded_worker_sets_up_with_the_printed_code_and_logs_in_to_work(hub):
    out = hub("seed")[1]
    code = re.search(r"Setup code for olivia \(worker, offender_manager\): (\S+)", out).group(1)
    app = hub.app()
    with app.app_context(), db.connected():
        assert accounts.start_setup("olivia", code, PASSWORD, app.instance_path) is not None
        secret = accounts.pending_secret("olivia", app.instance_path)
        assert accounts.finish_setup("olivia", totp.code_at(secret, totp.step_of(time.time())), app.instance_path)
    client = browser(app)
    assert login(app, client, Admin("olivia", "offender_manager", secret), PASSWORD).status_code == 302
    page = client.get("/work/people", base_url="https://localhost")
    assert page.status_code == 200 and "Jordan Evans" in page.get_data(as_text=True)


def test_the_released_persons_printed_code_activates_a_phone(hub):
    out = hub("seed")[1]
    person, code = re.search(r"Activation code for (P-\S+): (\S+)", out).groups()
    assert re.search(rf"throughgate phone activate 'https://\S+/app/#/activate\?code={code}&ca=[0-9a-f]{{64}}'", out)
    app = hub.app()
    url = "http://localhost/v1/phone/activate"
    key = ed25519.Ed25519PrivateKey.generate()
    body = json.dumps({"code": code, "key": signatures.public_jwk(key.public_key()), "label": "phone"}).encode()
    headers = {"Content-Type": "application/json", **signatures.sign("POST", url, {}, body, key)}
    answer = app.test_client().post("/v1/phone/activate", data=body, headers=headers)
    assert (answer.status_code, answer.get_json()["person"]) == (201, person)
    with app.app_context(), db.connected():
        assert people.find(person).status == "released"
