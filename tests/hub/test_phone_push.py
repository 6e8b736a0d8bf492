"""Web Push (hub/push) against a real push service on 127.0.0.1 (tests/hub/pushkit.py), which checks
the VAPID JWT against the hub's key and its `aud`, `Urgency: high` and the TTL, and decrypts each body
with the subscription's private key, as the phone's browser would. On SQLite and PostgreSQL: a worker's
messages wake the phone once, with no personal data; a 410 drops the subscription; reminders the day
before and an hour before, each once, with two hubs claiming them at once too; a moved appointment is
reminded again; a revoked phone gets nothing. The phone's own calls through the reference client
(`throughgate phone push-key|push-subscribe|push-unsubscribe`), and one real `hub run` waking a phone."""

from __future__ import annotations

import os
import socket
import stat
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hubkit import make_instance
from hubprocess import HubProcess
from phonekit import hub_app, offer_for, phone_says, released_person
from pushkit import PushService

from hub import ca, db
from hub.appointments import service as appointments
from hub.phones import service as phones
from hub.phones.models import Phone
from hub.push import outbox, reminders, sender, subscriptions, vapid
from hub.push.models import PushOutbox, PushSubscription, ReminderSent
from hub.refusals import Refused
from hub.staff import accounts
from hub.sync import feed, messages
from phone import client
from provisioning.tokens import ActivationOffer
from wire.records import timestamp

DOCS = (Path(__file__).resolve().parents[2] / "docs" / "phone-sync.md").read_text()
TEXT = "Your appointment with Olivia Hughes moved to Monday"
LOOPBACK = ("127.0.0.1",)


@pytest.fixture
def hub_settings():
    return {"VAPID_SUBJECT": "mailto:ops@example.org", "PUSH_INSECURE_LOOPBACK": True}


@pytest.fixture
def push_service(app):
    key = vapid.load_or_make(app.config["VAPID_KEY_FILE"])
    service = PushService(vapid.application_server_key(key)).start()
    yield service
    service.stop()


@pytest.fixture
def push(app):
    return sender.WebPusher(vapid.load_or_make(app.config["VAPID_KEY_FILE"]), app.config["VAPID_SUBJECT"])


def _subscribed(service, person: str | None = None, worker: str = "olivia"):
    """A released person (or `person`) with a phone subscribed at the push service: (person, key id, phone)."""
    if accounts.find(worker) is None:
        accounts.add(worker, accounts.WORKER, "offender_manager", "Olivia Hughes", "test", 1)
    if person is None:
        from hub.people import service as people
        person = people.add("test").person_id
        people.release(person, "test", 7)
    key_id = f"key-{len(service.phones)}-{person}"
    Phone.create(key_id=key_id, person=person, jwk="{}", alg="Ed25519", label="phone", activated_at=timestamp())
    phone = service.subscribe()
    subscriptions.save(key_id, person, subscriptions.parse({"endpoint": phone.endpoint, "keys": phone.keys},
                                                           LOOPBACK, insecure_loopback=True))
    return person, key_id, phone


def test_a_workers_messages_wake_the_phone_once_with_no_personal_data(app, push_service, push):
    person, _key, phone = _subscribed(push_service)
    messages.send_from_worker(person, "olivia", TEXT)
    messages.send_from_worker(person, "olivia", "And bring your letter, please")
    assert outbox.waiting() == 1  # two changes, one push waiting

    done = sender.drain(push, 3600)
    assert (done.pushed, done.failed) == (1, 0)
    [got] = push_service.wait(phone, 1)
    assert got.payload == {"v": 1, "kind": "sync"} and got.plaintext == b'{"v":1,"kind":"sync"}'
    assert b"Olivia" not in got.plaintext and b"appointment" not in got.plaintext and person.encode() not in \
        got.plaintext
    assert got.headers["ttl"] == "3600" and got.headers["topic"] == "sync"
    assert got.claims["aud"] == push_service.origin and got.claims["sub"] == "mailto:ops@example.org"
    assert sender.drain(push, 3600).pushed == 0 and len(phone.received) == 1  # once


def test_a_phones_own_change_wakes_the_persons_other_phones_not_itself(app, push_service, push):
    person, key_id, phone = _subscribed(push_service)
    _person, _other_key, other = _subscribed(push_service, person)
    with outbox.syncing(key_id):  # as POST /v1/phone/sync applies this phone's changes
        feed.append(person, "message", "65731d6c-c811-4182-9f23-875bfab24efd", {"from_person": True})
    assert sender.drain(push, 3600).pushed == 1
    assert phone.received == [] and len(push_service.wait(other, 1)) == 1


def test_a_subscription_answered_410_is_dropped_and_gets_nothing_more(app, push_service, push):
    person, key_id, phone = _subscribed(push_service)
    push_service.answer(phone, 410)
    messages.send_from_worker(person, "olivia", TEXT)
    assert sender.drain(push, 3600).gone == 1
    assert subscriptions.of_phone(key_id) is None and outbox.waiting() == 0

    messages.send_from_worker(person, "olivia", "Are you there?")
    assert outbox.waiting() == 0 and sender.drain(push, 3600).pushed == 0
    assert len(phone.received) == 1  # only the push answered 410


def test_a_push_service_that_fails_is_tried_again_after_a_while(app, push_service, push):
    person, _key, phone = _subscribed(push_service)
    push_service.answer(phone, 503)
    messages.send_from_worker(person, "olivia", TEXT)
    now = datetime.now(UTC)
    assert sender.drain(push, 3600, now).retrying == 1
    assert sender.drain(push, 3600, now + timedelta(seconds=1)).pushed == 0  # backing off: not yet
    push_service.answer(phone, 201)
    assert sender.drain(push, 3600, now + timedelta(seconds=sender.RETRY_FIRST_S + 1)).pushed == 1
    assert len(push_service.wait(phone, 2)) == 2 and outbox.waiting() == 0


def test_an_unreachable_push_service_is_tried_again_then_given_up_keeping_the_subscription(app, push_service, push):
    person, key_id, phone = _subscribed(push_service)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # a port nothing listens on
    port = closed.getsockname()[1]
    PushSubscription.update(endpoint=f"http://127.0.0.1:{port}/wpush/x").where(PushSubscription.phone == key_id) \
        .execute()
    messages.send_from_worker(person, "olivia", TEXT)
    now, outcomes = datetime.now(UTC), []
    for _ in range(sender.MAX_TRIES):
        done = sender.drain(push, 3600, now)
        outcomes.append((done.retrying, done.failed))
        now += timedelta(seconds=sender.RETRY_MOST_S)
    closed.close()
    assert outcomes == [(1, 0)] * (sender.MAX_TRIES - 1) + [(0, 1)]
    assert outbox.waiting() == 0 and subscriptions.of_phone(key_id) is not None and phone.received == []


def test_a_revoked_phone_gets_no_push(app, push_service, push):
    person, key_id, phone = _subscribed(push_service)
    _person, _other_key, other = _subscribed(push_service, person)  # the person's second phone
    phones.revoke(key_id, "olivia")
    assert subscriptions.of_phone(key_id) is None
    messages.send_from_worker(person, "olivia", TEXT)
    assert sender.drain(push, 3600).pushed == 1
    assert phone.received == [] and len(push_service.wait(other, 1)) == 1

    Phone.update(revoked_at=None).where(Phone.key_id == _other_key).execute()
    PushSubscription.create(phone=key_id, person=person, endpoint=phone.endpoint, p256dh=phone.p256dh,
                            auth=phone.keys["auth"], made_at=timestamp())
    Phone.update(revoked_at=timestamp()).where(Phone.key_id == key_id).execute()  # revoked behind the service's back
    messages.send_from_worker(person, "olivia", "Again")
    sender.drain(push, 3600)
    assert phone.received == []


def _appointment(person: str, starts: datetime) -> str:
    made = appointments.create(person, "olivia", "in_person", timestamp(starts), 30, "Cardiff office", "olivia")
    return made.appointment_id


def test_reminders_come_the_day_before_and_an_hour_before_each_once(app, push_service, push):
    person, _key, phone = _subscribed(push_service)
    starts = datetime(2027, 1, 11, 10, 0, tzinfo=UTC)
    appointment = _appointment(person, starts)
    sender.drain(push, 3600)  # the sync push for the new appointment
    assert len(push_service.wait(phone, 1)) == 1

    assert reminders.enqueue_due(starts - timedelta(hours=25)) == []  # too early
    day = starts - timedelta(hours=23, minutes=59)
    assert reminders.enqueue_due(day) == [(appointment, "day")]
    assert reminders.enqueue_due(day) == []  # the job runs again: claimed already
    assert reminders.enqueue_due(day + timedelta(hours=2)) == []
    assert sender.drain(push, 43200, day).pushed == 1
    hour = starts - timedelta(minutes=59)
    assert reminders.enqueue_due(hour) == [(appointment, "hour")]
    assert reminders.enqueue_due(hour + timedelta(minutes=30)) == []
    assert sender.drain(push, 43200, hour).pushed == 1
    assert reminders.enqueue_due(starts + timedelta(minutes=1)) == []  # started: nothing more

    received = push_service.wait(phone, 3)
    assert [r.payload for r in received[1:]] == [
        {"v": 1, "kind": "reminder", "appointment_id": appointment, "when": "day"},
        {"v": 1, "kind": "reminder", "appointment_id": appointment, "when": "hour"}]
    assert "topic" not in received[1].headers and 0 < int(received[2].headers["ttl"]) <= 3600  # until it starts
    assert b"Cardiff" not in received[1].plaintext and b"olivia" not in received[1].plaintext


def test_two_hubs_running_the_reminder_job_at_once_claim_each_reminder_once(app, push_service, push):
    person, _key, phone = _subscribed(push_service)
    starts = datetime(2027, 1, 11, 10, 0, tzinfo=UTC)
    made = [_appointment(person, starts + timedelta(minutes=15 * n)) for n in range(3)]
    outbox.drop(PushOutbox.get())  # the sync push: not what this test counts
    now = starts - timedelta(hours=23)
    gate, claimed = threading.Barrier(2), []

    def replica():
        gate.wait()
        try:
            claimed.extend(reminders.enqueue_due(now))
        finally:
            db.release()

    hubs = [threading.Thread(target=replica) for _ in range(2)]
    for hub in hubs:
        hub.start()
    for hub in hubs:
        hub.join(30)
    assert sorted(claimed) == sorted((a, "day") for a in made)
    assert ReminderSent.select().count() == 3
    assert sender.drain(push, 43200, now).pushed == 3 and sender.drain(push, 43200, now).pushed == 0
    assert sorted(r.payload["appointment_id"] for r in push_service.wait(phone, 3)) == sorted(made)


def test_a_moved_appointment_is_reminded_again_and_a_cancelled_one_not_at_all(app, push_service, push):
    person, _key, phone = _subscribed(push_service)
    starts = datetime(2027, 1, 11, 10, 0, tzinfo=UTC)
    moved, cancelled = _appointment(person, starts), _appointment(person, starts + timedelta(hours=2))
    now = starts - timedelta(hours=21)
    assert sorted(reminders.enqueue_due(now)) == sorted([(moved, "day"), (cancelled, "day")])
    appointments.cancel(cancelled, "Olivia is ill", "olivia")  # its queued reminder is not pushed
    sender.drain(push, 43200, now)
    days = [r.payload for r in push_service.wait(phone, 2) if r.payload["kind"] == "reminder"]
    assert days == [{"v": 1, "kind": "reminder", "appointment_id": moved, "when": "day"}]

    later = starts + timedelta(days=2)
    appointments.move(moved, timestamp(later), "The office is closed", "olivia")
    assert reminders.enqueue_due(later - timedelta(hours=23)) == [(moved, "day")]  # fresh, for its new time
    assert reminders.enqueue_due(later - timedelta(minutes=30)) == [(moved, "hour")]
    assert reminders.enqueue_due(starts - timedelta(minutes=30)) == []  # its old hour: not due any more
    assert ReminderSent.select().where(ReminderSent.appointment == cancelled).count() == 1


def test_the_endpoint_must_be_https_on_a_push_service_the_hub_knows():
    defaults = subscriptions.services("fcm.googleapis.com,push.services.mozilla.com")
    keys = {"p256dh": vapid.b64url(b"\x04" + b"\x01" * 64), "auth": vapid.b64url(b"a" * 16)}
    for endpoint, code, says in (
            ("http://127.0.0.1:9/wpush/x", "bad_subscription", "must be an https URL, not http"),
            ("ftp://fcm.googleapis.com/x", "bad_subscription", "must be an https URL"),
            ("https://10.0.0.5/wpush/x", "push_service_not_allowed", "does not push to 10.0.0.5"),
            ("https://evil.example/fcm.googleapis.com", "push_service_not_allowed", "PUSH_SERVICES"),
            ("https://fcm.googleapis.com.evil.example/x", "push_service_not_allowed", "does not push to")):
        with pytest.raises(Refused) as refused:
            subscriptions.check_endpoint(endpoint, defaults)
        assert (refused.value.code, says in refused.value.reason) == (code, True), endpoint
    assert subscriptions.check_endpoint("https://updates.push.services.mozilla.com/wpush/v2/x", defaults)
    assert subscriptions.check_endpoint("http://127.0.0.1:9/x", defaults, insecure_loopback=True)
    with pytest.raises(Refused, match="p256dh"):  # not a point on the curve
        subscriptions.parse({"endpoint": "https://fcm.googleapis.com/x", "keys": keys}, defaults)


def test_a_phone_subscribes_replaces_and_unsubscribes_with_signed_requests(app, server, instance, push_service,
                                                                            tmp_path, capsys):
    key_file = Path(app.config["VAPID_KEY_FILE"])
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    person, code = released_person(app)
    offer = ActivationOffer(server.url, code, ca.root_pin(ca.load_root(ca.files(instance)))).to_link()
    folder = tmp_path / "phone"
    client.activate(offer, folder, "Alex's phone")
    home = ["--home", str(folder)]
    server_key = vapid.application_server_key(vapid.load_or_make(key_file))
    assert phone_says(["push-key", *home], capsys) == (f"Application server key: {server_key}\n"
                                                   "This phone is not subscribed to Web Push.\n")

    first, second = push_service.subscribe(), push_service.subscribe()
    for phone in (first, second):  # the browser made a new subscription: it replaces the first
        said = phone_says(["push-subscribe", "--endpoint", phone.endpoint, "--p256dh", phone.p256dh, "--auth",
                       phone.keys["auth"], *home], capsys)
        assert said.startswith("The hub wakes this phone by Web Push")
    assert [s.endpoint for s in PushSubscription.select()] == [second.endpoint]
    assert "This phone is subscribed" in phone_says(["push-key", *home], capsys)

    with pytest.raises(client.PhoneError) as refused:
        client.push_subscribe(folder, "https://push.example.net/x", second.p256dh, second.keys["auth"])
    assert refused.value.code == "push_service_not_allowed" and "does not push to push.example.net" in \
        refused.value.reason

    assert "no longer wakes" in phone_says(["push-unsubscribe", *home], capsys)
    assert PushSubscription.select().count() == 0
    phone_says(["push-unsubscribe", *home], capsys)  # again (a lost answer): still fine
    messages.send_from_worker(person, "olivia", TEXT)
    assert outbox.waiting() == 0


def test_the_docs_show_the_payloads_the_hub_pushes():
    section = DOCS.split("## Waking the phone: Web Push", 1)[1].split("\n## ", 1)[0]
    assert outbox.payload(outbox.SYNC).decode() in section
    example = outbox.payload(outbox.reminder_topic("2c1e1593-07d0-43b9-b352-ee5e76c7486b", "day")).decode()
    assert example in section and example.replace('"day"', '"hour"') in section
    for command in ("push-key", "push-subscribe", "push-unsubscribe"):
        assert f"$ throughgate phone {command}" in section


def test_hub_run_wakes_the_phone_when_its_worker_writes(tmp_path, capsys):
    instance = make_instance(tmp_path / "hub")
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    process = HubProcess(instance, url, tmp_path / "hub.log", {"VAPID_SUBJECT": "mailto:ops@example.org",
                                                               "PUSH_INSECURE_LOOPBACK": "true",
                                                               "PUSH_POLL_S": "0.2"}).start()
    service = None
    try:
        app = hub_app(instance, url)
        person, code = released_person(app)
        folder = tmp_path / "phone"
        client.activate(offer_for(process, instance, code),
                        folder, "Alex's phone")
        service = PushService(client.push_key(folder)["application_server_key"]).start()
        phone = service.subscribe()
        client.push_subscribe(folder, phone.endpoint, phone.p256dh, phone.keys["auth"])
        started = time.monotonic()
        with app.app_context(), db.connected():
            messages.send_from_worker(person, "olivia", TEXT)
        [got] = service.wait(phone, 1)
        assert time.monotonic() - started < 5 and got.payload == {"v": 1, "kind": "sync"}
        # the phone syncs (the message and the person's contacts): no new push
        assert "2 received" in phone_says(["sync", "--home", str(folder)], capsys)
        phone_says(["send", "Thank you, I will be there.", "--to", "olivia", "--home", str(folder)], capsys)
        assert "1 sent" in phone_says(["sync", "--home", str(folder)], capsys)  # its own message: its answer has it
        time.sleep(0.6)
        assert len(phone.received) == 1
        assert phone.endpoint.rsplit("/", 1)[1] not in process.log()  # the endpoint's secret is never logged
    finally:
        if service is not None:
            service.stop()
        process.stop()
