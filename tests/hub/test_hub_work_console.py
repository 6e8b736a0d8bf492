"""The workers' console (/work): who may open what (every route, each worker role, an admin, anonymous),
caseload scoping (another worker's person is 404, a team manager sees the team's), every read of a
person's data recorded, release with a code shown once and its letter (page and PDF), phones switched
off, and messages with their receipts and attachments."""

from __future__ import annotations

import hashlib
import json
import re
import uuid

import consolekit
import pytest
import workkit
from consolekit import BASE, post
from workkit import WORKERS, page

from hub import db
from hub.appointments.models import Appointment
from hub.audit import trail
from hub.forms.models import FormAttachment, FormSubmission, FormVersion
from hub.people import service as people
from hub.phones.models import Phone
from hub.sync import sealed, uploads
from hub.sync.models import Message, MessageAttachment, PersonChange
from hub.workers import access, caseload
from hub.workers.access import ACTIONS
from wire.records import timestamp

console_app, team, as_worker = workkit.console_app, workkit.team, workkit.as_worker

OPEN = {"work.auth.login", "work.auth.code", "work.auth.logout", "work.home"}
PHONE = "s" * 43
"""A phone of the shared person (the matrix switches it off)."""
APPOINTMENT = "0e6f3c1a-5b2d-4c7e-8f90-a1b2c3d4e5f6"
"""An appointment of the shared person (the matrix's forms lack their fields, so it stays as it is)."""
PHOTO = b"\x89PNG\r\n\x1a\n" + b"\x00" * 56
PHOTO_SHA = hashlib.sha256(PHOTO).hexdigest()
"""A photo of the shared person's message (every worker who sees them may open it)."""
FORM, SUBMISSION = "check_in_feedback", "5f0c2b9e-7d41-4e0a-9b6c-2a8e1f3d4c5b"
"""A published form and the shared person's submission of it, carrying PHOTO (hub/forms)."""


def work_routes(app, person_id: str) -> list[tuple[str, str, str, str]]:
    """(endpoint, method, path, action) for every guarded /work route, about `person_id`."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/work") or rule.endpoint in OPEN:
            continue
        path = (rule.rule.replace("<person_id>", person_id).replace("<key_id>", PHONE)
                .replace("<appointment_id>", APPOINTMENT).replace("<sha256>", PHOTO_SHA)
                .replace("<form_id>", FORM).replace("<submission_id>", SUBMISSION))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, path, getattr(app.view_functions[rule.endpoint], "action", None)))
    return found


def send(client, method: str, path: str, page: str | None = None):
    return client.get(path, base_url=BASE) if method == "GET" else post(client, path, {}, page=page)


def test_every_work_page_names_the_action_it_needs(console_app, team):
    routes = work_routes(console_app, team.shared)
    assert {endpoint for endpoint, *_ in routes} >= {"work.people.index", "work.people.person",
                                                     "work.messages.conversation", "work.people.release",
                                                     "work.inbox.index", "work.inbox.answer", "work.inbox.duty",
                                                     "work.team.waiting", "work.team.duty"}
    assert [endpoint for endpoint, _m, _p, action in routes if action not in ACTIONS] == []


def test_anonymous_visitors_and_admins_are_sent_to_log_in_at_work_and_change_nothing(console_app, team):
    admin = consolekit.browser(console_app)
    assert consolekit.login(console_app, admin, team.admin).status_code == 302
    for client in (console_app.test_client(), admin):
        for endpoint, method, path, _action in work_routes(console_app, team.shared):
            answer = send(client, method, path, "/work/login")  # the token of a form shown before login
            if method == "GET":
                assert answer.status_code == 302, (endpoint, answer.status_code)
                assert answer.headers["Location"].startswith("/work/login?next=")
            else:
                assert answer.status_code == 401, (endpoint, method, answer.status_code)
    assert admin.get("/admin/", base_url=BASE, follow_redirects=True).status_code == 200  # their own console


def test_a_worker_cannot_log_in_to_the_admin_console_nor_open_it(console_app, team, as_worker):
    stranger = consolekit.browser(console_app)
    assert consolekit.login(console_app, stranger, team.workers["olivia"]).status_code == 401
    answer = as_worker("olivia").get("/admin/fleet", base_url=BASE)
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/admin/login")


@pytest.mark.parametrize("name", list(WORKERS))
def test_each_worker_role_opens_exactly_what_its_role_allows(console_app, team, as_worker, name):
    client, role = as_worker(name), WORKERS[name][0]
    with console_app.app_context(), db.proxy.connection_context():
        if Phone.get_or_none(Phone.key_id == PHONE) is None:
            Phone.create(key_id=PHONE, person=team.shared, jwk="{}", alg="Ed25519", label="phone",
                         activated_at=timestamp())
        if Appointment.get_or_none(Appointment.appointment_id == APPOINTMENT) is None:
            Appointment.create(appointment_id=APPOINTMENT, person=team.shared, worker="olivia", kind="phone",
                               starts_at="2027-07-12T09:00:00.000Z", ends_at="2027-07-12T09:30:00.000Z",
                               place="I will call you", created_at=timestamp(), updated_at=timestamp())
        if MessageAttachment.get_or_none(MessageAttachment.sha256 == PHOTO_SHA) is None:
            Message.create(message_id=str(uuid.uuid4()), person=team.shared, from_person=True, worker="olivia",
                           text="", written_at=timestamp(), received_at=timestamp())
            MessageAttachment.create(message=Message.select().where(Message.person == team.shared).first(),
                                     position=0, sha256=PHOTO_SHA, media_type="image/png", bytes=len(PHOTO))
            store = uploads.Store(console_app.config["ATTACHMENTS_DIR"], console_app.config["ATTACHMENTS_KEY_FILE"])
            store.blob(team.shared, PHOTO_SHA).parent.mkdir(parents=True, exist_ok=True)
            sealed.append(store.blob(team.shared, PHOTO_SHA), store.key, PHOTO_SHA, 0, PHOTO, len(PHOTO))
        if FormVersion.get_or_none(FormVersion.form_id == FORM) is None:
            fields = [{"name": "photo", "path": "photo", "type": "image", "label": {"en": "Photo"}, "required": False}]
            FormVersion.create(form_id=FORM, version="1", title="Check-in feedback", digest="0" * 64, xform="<h:html/>",
                               fields=json.dumps({"form_id": FORM, "version": "1", "fields": fields}),
                               published_at=timestamp(), published_by="test")
            FormSubmission.create(submission_id=SUBMISSION, person=team.shared, form_id=FORM, version="1",
                                  values=json.dumps({"photo": {"sha256": PHOTO_SHA}}), flags="{}",
                                  filled_at=timestamp(), received_at=timestamp())
            FormAttachment.create(submission=SUBMISSION, path="photo", sha256=PHOTO_SHA, media_type="image/png",
                                  bytes=len(PHOTO))
    wrong = []
    for endpoint, method, path, action in work_routes(console_app, team.shared):
        answer = send(client, method, path)
        allowed = access.allowed(role, action)
        assert answer.status_code != 500, (endpoint, method, answer.get_data(as_text=True)[:500])
        if allowed and answer.status_code in (401, 403, 404) or not allowed and answer.status_code != 403:
            wrong.append((endpoint, method, answer.status_code, "allowed" if allowed else "refused"))
    assert wrong == []
    with console_app.app_context(), db.proxy.connection_context():
        refused = [e for e in trail.entries() if e["actor"] == name and e["outcome"] == "refused: role may not"]
    assert {e["action"] for e in refused} == {a for a in ACTIONS if not access.allowed(role, a)}


def test_another_workers_person_is_not_found_as_if_they_did_not_exist(console_app, team, as_worker):
    client = as_worker("olivia")
    theirs, nobody = team.person["sam"], "P-0000-0000"
    for path in ("/work/people/{}", "/work/people/{}/messages", "/work/people/{}/attachments/" + PHOTO_SHA):
        status_theirs, text_theirs = page(client, path.format(theirs))
        status_nobody, text_nobody = page(client, path.format(nobody))
        assert status_theirs == status_nobody == 404
        assert theirs not in text_theirs and "Not found" in text_theirs
    for action in ("release", "code", "letter", "messages"):
        answer = post(client, f"/work/people/{theirs}/{action}", {"text": "hello"}, page="/work/people")
        assert answer.status_code == 404
    about_them = [(endpoint, method, path) for endpoint, method, path, _action in work_routes(console_app, theirs)
                  if theirs in path]
    assert {endpoint for endpoint, *_ in about_them} >= {"work.people.person", "work.messages.conversation"}
    for endpoint, method, path in about_them:  # every page and form about a person: plan, appointments, phones, …
        answer = (client.get(path, base_url=BASE) if method == "GET"
                  else post(client, path, {"text": "hello", "reason": "x"}, page="/work/people"))
        assert answer.status_code == 404, (endpoint, method, answer.status_code)
    mine, their_phone, their_appointment = team.person["olivia"], "t" * 43, str(uuid.uuid4())
    with console_app.app_context(), db.proxy.connection_context():  # their phone and appointment, asked for as mine
        Phone.create(key_id=their_phone, person=theirs, jwk="{}", alg="Ed25519", label="phone",
                     activated_at=timestamp())
        Appointment.create(appointment_id=their_appointment, person=theirs, worker="sam", kind="phone",
                           starts_at="2027-07-12T09:00:00.000Z", ends_at="2027-07-12T09:30:00.000Z", place="x",
                           created_at=timestamp(), updated_at=timestamp())
    assert page(client, f"/work/people/{mine}/appointments/{their_appointment}")[0] == 404
    for path in (f"/work/people/{mine}/appointments/{their_appointment}/cancel",
                 f"/work/people/{mine}/phones/{their_phone}/revoke"):
        assert post(client, path, {"reason": "x"}, page="/work/people").status_code == 404
    with console_app.app_context(), db.proxy.connection_context():
        assert Phone.get_by_id(their_phone).revoked_at is None
        assert Appointment.get_by_id(their_appointment).status == "scheduled"
    with console_app.app_context(), db.proxy.connection_context():
        assert people.find(theirs).status == "in_custody"
        assert [r for r in caseload.reads_of(theirs) if r.worker == "olivia"] == []
        assert Message.select().where(Message.person == theirs).count() == 0


def test_my_people_lists_only_the_caseload_and_a_team_manager_sees_the_teams(console_app, team, as_worker):
    _status, mine = page(as_worker("olivia"), "/work/people")
    assert team.person["olivia"] in mine and team.shared in mine
    assert not any(team.person[other] in mine for other in WORKERS if other != "olivia")
    _status, managed = page(as_worker("tom"), "/work/people")
    for name in ("olivia", "ed", "tom"):
        assert team.person[name] in managed
    assert team.person["sam"] not in managed and team.person["hana"] not in managed
    assert page(as_worker("tom"), f"/work/people/{team.person['olivia']}")[0] == 200
    assert page(as_worker("tom"), f"/work/people/{team.person['sam']}")[0] == 404


def test_every_page_showing_a_person_records_who_read_what_and_when(console_app, team, as_worker):
    person = team.person["ed"]
    client = as_worker("ed")
    before = timestamp()
    for path in ("/work/people", f"/work/people/{person}", f"/work/people/{person}/messages"):
        assert page(client, path)[0] == 200
    with console_app.app_context(), db.proxy.connection_context():
        reads = [(r.worker, r.what) for r in caseload.reads_of(person) if r.at >= before]
    assert reads == [("ed", "list"), ("ed", "person"), ("ed", "messages")]


def test_release_shows_the_code_once_and_its_letter_as_a_page_and_a_pdf(console_app, team, as_worker):
    person = team.person["olivia"]
    client = as_worker("olivia")
    answer = post(client, f"/work/people/{person}/release", {"days": "5"}, page=f"/work/people/{person}")
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "is released" in text and answer.headers["Cache-Control"] == "no-store"
    code = re.search(r'name="code" value="([A-Z0-9-]{14})"', text).group(1)
    assert code in text and "shown only now" in text
    letter = post(client, f"/work/people/{person}/letter", {"code": code, "format": "html"},
                  page=f"/work/people/{person}")
    assert letter.status_code == 200 and code in letter.get_data(as_text=True)
    assert "unsafe-inline" in letter.headers["Content-Security-Policy"]
    pdf = post(client, f"/work/people/{person}/letter", {"code": code, "format": "pdf"},
               page=f"/work/people/{person}")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert "attachment" in pdf.headers["Content-Disposition"]
    _status, shown = page(client, f"/work/people/{person}")
    assert code not in shown and "works until" in shown and "New code" in shown

    again = post(client, f"/work/people/{person}/code", {"days": "3"}, page=f"/work/people/{person}")
    assert again.status_code == 200
    withdrawn = post(client, f"/work/people/{person}/letter", {"code": code, "format": "pdf"},
                     page=f"/work/people/{person}")
    assert withdrawn.status_code == 410 and "give a new code" in withdrawn.get_data(as_text=True)
    with console_app.app_context(), db.proxy.connection_context():
        done = [e["action"] for e in trail.entries() if e["actor"] == "olivia" and e["target"] == person]
        assert done.count("work.people.release") == 1 and done.count("work.people.code") == 1
        assert {r.what for r in caseload.reads_of(person)} >= {"activation", "letter"}


def test_a_days_field_that_is_not_a_number_is_refused_saying_so(console_app, team, as_worker):
    person = team.person["tom"]
    answer = post(as_worker("tom"), f"/work/people/{person}/release", {"days": "lots"}, page="/work/people")
    assert answer.status_code == 400 and "1 to 28 days" in answer.get_data(as_text=True)


def test_a_phone_is_switched_off_from_the_persons_page(console_app, team, as_worker):
    person = team.person["tom"]
    with console_app.app_context(), db.proxy.connection_context():
        Phone.create(key_id="k" * 43, person=person, jwk="{}", alg="Ed25519", label="Alex's phone",
                     activated_at=timestamp())
    client = as_worker("tom")
    assert "Revoke (switch off) Alex&#39;s phone" in page(client, f"/work/people/{person}")[1]
    answer = post(client, f"/work/people/{person}/phones/{'k' * 43}/revoke", page=f"/work/people/{person}")
    assert answer.status_code == 303
    shown = client.get(answer.headers["Location"], base_url=BASE).get_data(as_text=True)
    assert "is switched off" in shown
    with console_app.app_context(), db.proxy.connection_context():
        assert Phone.get(Phone.key_id == "k" * 43).revoked_by == "tom"
    other = post(as_worker("olivia"), f"/work/people/{team.shared}/phones/{'k' * 43}/revoke", page="/work/people")
    assert other.status_code == 404  # not this person's phone


def test_messages_show_receipts_and_opening_them_marks_the_persons_messages_read(console_app, team, as_worker):
    person = team.person["hana"]
    with console_app.app_context(), db.proxy.connection_context():
        Message.create(message_id="11111111-1111-4111-8111-111111111111", person=person, from_person=True,
                       worker="hana", text="Can I change my appointment?", written_at=timestamp(),
                       received_at=timestamp())
    client = as_worker("hana")
    assert ">1</td>" in page(client, "/work/people")[1]  # one unread
    assert "Can I change my appointment?" in page(client, f"/work/people/{person}/messages")[1]
    answer = post(client, f"/work/people/{person}/messages", {"text": "Yes: Tuesday at 2?"})
    assert answer.status_code == 303
    shown = client.get(answer.headers["Location"], base_url=BASE).get_data(as_text=True)
    assert "Yes: Tuesday at 2?" in shown and "Sent." in shown and "not yet" in shown
    empty = post(client, f"/work/people/{person}/messages", {"text": "  "})
    assert empty.status_code == 400 and "The message is empty" in empty.get_data(as_text=True)
    with console_app.app_context(), db.proxy.connection_context():
        assert Message.get(Message.message_id == "11111111-1111-4111-8111-111111111111").read_at
        kinds = [c.kind for c in PersonChange.select().where(PersonChange.person == person).order_by(PersonChange.seq)]
    assert kinds == ["contacts", "read", "message"]  # whom to write to (the caseload), the receipt, the answer


def test_a_team_manager_shares_out_the_teams_caseloads_and_nothing_else(console_app, team, as_worker):
    tom, person = as_worker("tom"), team.person["ed"]
    _status, shown = page(tom, "/work/team")
    assert "olivia" in shown and "sam" not in shown and person in shown
    answer = post(tom, "/work/team/add", {"worker": "olivia", "person": person})
    assert answer.status_code == 303
    assert f"{person} is now in olivia&#39;s caseload." in tom.get(answer.headers["Location"],
                                                                  base_url=BASE).get_data(as_text=True)
    assert page(as_worker("olivia"), f"/work/people/{person}")[0] == 200
    for worker, someone in (("sam", person), ("olivia", team.person["sam"]), ("olivia", "P-0000-0000")):
        refused = post(tom, "/work/team/add", {"worker": worker, "person": someone}, page="/work/team")
        assert refused.status_code == 400
    answer = post(tom, "/work/team/remove", {"worker": "olivia", "person": person})
    assert answer.status_code == 303
    assert page(as_worker("olivia"), f"/work/people/{person}")[0] == 404
    assert "is now in" not in page(tom, f"/work/team?done=added:olivia:{person}")[1]  # a link cannot claim it
    with console_app.app_context(), db.proxy.connection_context():
        assert [r.worker for r in caseload.reads_of(team.person["sam"]) if r.what == "team"] == []


def test_a_form_without_its_csrf_token_changes_nothing(console_app, team, as_worker):
    client, person = as_worker("olivia"), team.shared
    for path, data in ((f"/work/people/{person}/messages", {"text": "forged"}),
                       (f"/work/people/{person}/code", {"days": "7"}),
                       (f"/work/people/{person}/release", {"days": "7"})):
        for token in ({}, {"csrf_token": "not-the-sessions"}):
            answer = client.post(path, base_url=BASE, data={**data, **token})
            assert answer.status_code == 400 and "This form has expired" in answer.get_data(as_text=True), path
    with console_app.app_context(), db.proxy.connection_context():
        assert Message.select().where(Message.text == "forged").count() == 0


def test_a_workers_session_id_under_the_admin_cookie_opens_nothing_and_ends(console_app, team):
    nia = workkit.make_worker(console_app, "nia", "health_care", "Swansea health")  # a code of her own to use
    worker = consolekit.browser(console_app)
    assert workkit.login(console_app, worker, nia).status_code == 302
    stolen = worker.get_cookie("__Host-throughgate-work", domain="localhost")
    other = consolekit.browser(console_app)
    other.set_cookie("__Host-throughgate-hub", stolen.value, domain="localhost", secure=True)
    answer = other.get("/admin/fleet", base_url=BASE)
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/admin/login")
    assert worker.get("/work/people", base_url=BASE).status_code == 302  # the session was ended
