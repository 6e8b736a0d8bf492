"""Appointments at the hub, through the services on SQLite and PostgreSQL: a worker makes, moves and
cancels one and each change is kept (who, when, why) and reaches the person's feed; the person's
requests from their phone are stored once however often they come, never change the appointment,
and are answered by the worker; the iCalendar feed parses back with `icalendar`, a replaced address
answers 404; a video appointment's Jitsi link carries a room token the secret verifies."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from icalendar import Calendar

from hub import db
from hub.appointments import calendar, jitsi, service
from hub.people import service as people
from hub.phones.service import Caller
from hub.staff import accounts
from hub.sync import changes, feed

SECRET = "a-secret-the-hub-shares-with-its-jitsi-server"
CHANGE_ID = "3f0c4b8e-5d7a-4c61-9a8e-2b1d6f0e9a11"


@pytest.fixture
def person(app):
    with app.app_context():
        with db.connected():  # checks the schema; later queries connect as a request's do
            accounts.add("olivia", accounts.WORKER, "offender_manager", "Olivia", "test", 1)
            made = people.add("test").person_id
        yield made


def _appointment(person, kind="in_person", video=None):
    return service.create(person, "olivia", kind, "2027-01-11T10:00Z", 30, "Cardiff office, 2nd floor", "olivia",
                          video)


def _feed(person) -> list[dict]:
    return [c for c in feed.page(person, 0)[0] if c["kind"] == "appointment"]


def test_every_change_is_kept_with_who_when_and_why_and_reaches_the_feed(person):
    made = _appointment(person)
    service.move(made.appointment_id, "2027-01-12T11:00Z", "Olivia is in court on the 11th", "olivia")
    changes.apply(Caller("key-1", person), {"id": CHANGE_ID, "kind": "reschedule", "body": {
        "appointment": made.appointment_id, "reason": "I start a new job that morning", "wanted": "afternoons"}})
    service.cancel(made.appointment_id, "Seen at the hostel instead", "cli:root")

    kept = service.history(made.appointment_id)
    assert [(c.by, c.what, c.reason) for c in kept] == [
        ("olivia", "created", None), ("olivia", "moved", "Olivia is in court on the 11th"),
        ("person", "reschedule_asked", "I start a new job that morning"),
        ("cli:root", "cancelled", "Seen at the hostel instead")]
    assert all(c.at for c in kept) and [c.at for c in kept] == sorted(c.at for c in kept)
    moved = json.loads(kept[1].detail)
    assert moved["from"]["starts_at"] == "2027-01-11T10:00:00.000Z" and moved["starts_at"] == "2027-01-12T11:00:00.000Z"
    assert json.loads(kept[2].detail) == {"change": CHANGE_ID, "wanted": "afternoons"}

    sent = _feed(person)
    assert [c["body"]["change"]["what"] for c in sent] == ["created", "moved", "reschedule_asked", "cancelled"]
    last = sent[-1]["body"]
    assert last["status"] == "cancelled" and last["starts_at"] == "2027-01-12T11:00:00.000Z" and last["sequence"] == 2
    assert all(c["id"] == made.appointment_id for c in sent)


def test_a_reschedule_request_sent_twice_is_kept_once_and_changes_nothing_the_worker_owns(person):
    made = _appointment(person)
    change = {"id": CHANGE_ID, "kind": "reschedule", "body": {"appointment": made.appointment_id,
                                                              "reason": "My bus does not run then"}}
    changes.apply(Caller("key-1", person), change)
    changes.apply(Caller("key-1", person), change)  # the answer was lost: the phone sends it again
    asked = [c for c in service.history(made.appointment_id) if c.what == "reschedule_asked"]
    assert len(asked) == 1
    assert service.find(made.appointment_id).starts_at == "2027-01-11T10:00:00.000Z"
    assert [r.id for r in service.pending_requests(made.appointment_id)] == [asked[0].id]

    service.propose(made.appointment_id, "2027-01-11T15:00Z", "The afternoon is free", "olivia", asked[0].id)
    assert service.pending_requests(made.appointment_id) == []
    proposed = _feed(person)[-1]["body"]
    assert proposed["change"]["what"] == "proposed" and proposed["change"]["starts_at"] == "2027-01-11T15:00:00.000Z"
    assert proposed["starts_at"] == "2027-01-11T10:00:00.000Z"  # it moves only when the worker moves it
    service.move(made.appointment_id, "2027-01-11T15:00Z", "As you asked", "olivia", accepted=asked[0].id)
    assert [c.what for c in service.history(made.appointment_id)][-2:] == ["accepted", "moved"]


def test_the_persons_requests_are_refused_for_another_persons_or_a_cancelled_appointment(person):
    made = _appointment(person)
    other = people.add("test").person_id
    with pytest.raises(changes.ChangeRefused) as theirs:
        changes.apply(Caller("key-2", other), {"id": CHANGE_ID, "kind": "late", "body": {
            "appointment": made.appointment_id, "minutes": 10, "reason": "bus"}})
    assert theirs.value.code == "unknown_appointment"
    with pytest.raises(changes.ChangeRefused) as late:
        changes.apply(Caller("key-1", person), {"id": CHANGE_ID, "kind": "late", "body": {
            "appointment": made.appointment_id, "minutes": 0}})
    assert late.value.code == "bad_request" and "1 to 240 minutes" in late.value.reason
    changes.apply(Caller("key-1", person), {"id": CHANGE_ID, "kind": "late", "body": {
        "appointment": made.appointment_id, "minutes": 10, "reason": "The bus broke down"}})
    assert json.loads(service.history(made.appointment_id)[-1].detail)["minutes"] == 10
    service.cancel(made.appointment_id, "Not needed", "olivia")
    with pytest.raises(changes.ChangeRefused) as cancelled:
        changes.apply(Caller("key-1", person), {"id": "aaaaaaaa-5d7a-4c61-9a8e-2b1d6f0e9a11", "kind": "reschedule",
                                                "body": {"appointment": made.appointment_id, "reason": "x"}})
    assert cancelled.value.code == "appointment_cancelled"


def test_the_calendar_feed_parses_back_and_a_replaced_address_answers_404(app, person):
    kept = _appointment(person)
    gone = service.create(person, "olivia", "phone", "2027-01-20T09:00Z", 15, "Olivia rings you", "olivia")
    service.move(gone.appointment_id, "2027-01-21T09:00Z", "Training day", "olivia")
    service.cancel(gone.appointment_id, "Not needed after all", "olivia")
    old = calendar.new_token(person, "test")
    with pytest.raises(Exception, match="calendar feed already"):
        calendar.new_token(person, "test")
    token = calendar.new_token(person, "test", replace=True)

    client = app.test_client()
    answer = client.get(f"/v1/calendar/{token}.ics")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    assert answer.mimetype == "text/calendar"
    parsed = Calendar.from_ical(answer.data)
    events = {str(e["UID"]): e for e in parsed.walk("VEVENT")}
    assert set(events) == {kept.appointment_id, gone.appointment_id}
    first = events[kept.appointment_id]
    assert first.decoded("DTSTART").isoformat() == "2027-01-11T10:00:00+00:00"
    assert first.decoded("DTEND").isoformat() == "2027-01-11T10:30:00+00:00"
    assert str(first["SUMMARY"]) == "Appointment with your probation officer"
    assert str(first["LOCATION"]) == "Cardiff office, 2nd floor" and first["SEQUENCE"] == 0
    assert str(first["STATUS"]) == "CONFIRMED"
    cancelled = events[gone.appointment_id]
    assert str(cancelled["STATUS"]) == "CANCELLED" and cancelled["SEQUENCE"] == 2
    assert str(cancelled["SUMMARY"]) == "Phone appointment with your probation officer"
    assert person not in answer.get_data(as_text=True) and "Olivia" not in str(first["SUMMARY"])

    for unknown in (old, "x" * 43, "short"):
        refused = client.get(f"/v1/calendar/{unknown}.ics")
        assert refused.status_code == 404 and refused.json["error"] == "unknown_calendar"


def test_a_video_link_carries_a_room_token_the_secret_verifies_naming_room_and_expiry(app, person, tmp_path):
    (tmp_path / "jitsi.secret").write_text(SECRET + "\n")
    video = jitsi.from_config({"JITSI_URL": "https://meet.example.org", "JITSI_APP_ID": "throughgate",
                               "JITSI_SECRET_FILE": str(tmp_path / "jitsi.secret")})
    made = _appointment(person, "video", video)
    url = urlsplit(made.video_url)
    room = url.path.strip("/")
    claims = jwt.decode(parse_qs(url.query)["jwt"][0], SECRET, algorithms=["HS256"],
                        audience="jitsi", issuer="throughgate", options={"verify_nbf": False})  # valid from then
    assert url.scheme == "https" and url.hostname == "meet.example.org" and len(room) >= 20
    assert claims["room"] == room and claims["sub"] == "meet.example.org"
    assert claims["exp"] == 1799663400 + 3600  # 2027-01-11T10:30Z, the end, plus an hour
    assert claims["nbf"] == 1799661600 - 1800  # 2027-01-11T10:00Z, the start, less half an hour
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(parse_qs(url.query)["jwt"][0], "another secret of the same length, 45 bytes!", algorithms=["HS256"],
                   audience="jitsi")

    moved = service.move(made.appointment_id, "2027-01-12T10:00Z", "Court", "olivia", video=video)
    again = jwt.decode(parse_qs(urlsplit(moved.video_url).query)["jwt"][0], SECRET,
                       algorithms=["HS256"], audience="jitsi", options={"verify_nbf": False})
    assert again["room"] == room and again["exp"] == claims["exp"] + 86400  # the same room, the new time

    assert jitsi.from_config(app.config) is None  # JITSI_URL unset: no link
    plain = _appointment(person, "video", None)
    assert plain.video_url is None
