"""Check-ins at the hub, in-process on one hub app (SQLite) with phones' signed requests: a worker sets a
schedule and the phone learns its next window and a fresh nonce; a signed check-in is accepted once (the same
id with other content is a conflict); one recorded offline three days ago arrives with its original signature
and its drift shown; each kind of tampering is refused and still shown to the worker with why; doubtful ones are
flagged in plain words; WebAuthn credentials bound to the phone confirm the owner (a synced passkey refused);
window reminders are claimed once; retention deletes photos on a clock the test sets; and the authorization
matrix over the new pages (the phone routes' is tests/hub/test_phone_journey.py's)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import workkit
from checkinkit import Authenticator, change, document, phone_for, release, sealed_photo, signed, swap_payload
from consolekit import BASE, post
from workkit import page

from hub import db
from hub.audit import trail
from hub.checkins import job, reminders, schedules, service
from hub.checkins.models import Checkin, CheckinSchedule
from hub.push import outbox
from hub.push.models import PushOutbox, PushSubscription
from hub.sync import uploads
from hub.sync.models import PhoneChange, PhoneUpload
from wire import checkin as wire
from wire.records import timestamp

console_app, as_worker = workkit.console_app, workkit.as_worker
WORKERS = {name: workkit.WORKERS[name] for name in ("olivia", "hana", "sam")}
"""Olivia (offender manager: her person), Hana (health care: not check-ins), Sam (another team's)."""
ORIGIN = "https://hub.example.org"


@pytest.fixture(scope="module")
def team(console_app) -> workkit.Team:
    console_app.config["PUBLIC_URL"] = ORIGIN
    workers = {name: workkit.make_worker(console_app, name, role, team) for name, (role, team) in WORKERS.items()}
    own = {name: workkit.add_person(console_app, name) for name in WORKERS}
    shared = workkit.add_person(console_app, *WORKERS)
    for person in (own["olivia"], shared, own["sam"]):
        release(console_app, person)
    return workkit.Team(workers, own, shared, admin=None)


@pytest.fixture(scope="module")
def person(team) -> str:
    return team.person["olivia"]


@pytest.fixture(scope="module")
def phone(console_app, person):
    return phone_for(console_app, person)


@pytest.fixture(scope="module")
def sync(console_app, phone):
    client = console_app.test_client()

    def send(*changes, who=phone) -> dict:
        answer = signed(client, who, "POST", "/v1/phone/sync", {"cursor": 0, "changes": list(changes)})
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return answer.get_json()

    return send


def in_app(app):
    return app.app_context(), db.proxy.connection_context()


def window_three_days_ago(app, person: str) -> CheckinSchedule:
    """A weekly 24-hour window that opened 3 days and 2 hours ago."""
    with app.app_context(), db.proxy.connection_context():
        return schedules.set_schedule(person, "olivia", 7, timestamp(datetime.now(UTC) - timedelta(days=3, hours=2)),
                                      24, 51.4816, -3.1791, 200)


def window_open_now(app, person: str) -> CheckinSchedule:
    with app.app_context(), db.proxy.connection_context():
        return schedules.set_schedule(person, "olivia", 7, timestamp(datetime.now(UTC) - timedelta(hours=1)), 24,
                                      51.4816, -3.1791, 200)


def nonce_at(app, phone, when: datetime) -> str:
    with app.app_context(), db.proxy.connection_context():
        return service.issue_nonce(phone.caller(), when).nonce


def stored(app, checkin_id: str) -> Checkin:
    with app.app_context(), db.proxy.connection_context():
        return Checkin.get_by_id(checkin_id)


def photo(app, person: str, tag: bytes) -> dict:
    return sealed_photo(app, person, b"\x89PNG\r\n\x1a\n" + tag.ljust(56, b"\x00"))


def test_a_worker_sets_a_schedule_and_the_phone_learns_its_next_window_and_a_fresh_nonce(
        console_app, team, as_worker, person, phone):
    client = as_worker("olivia")
    path = f"/work/people/{person}/checkins"
    status, text = page(client, path)
    assert status == 200 and "No schedule yet." in text and "you do." in text
    bad = post(client, f"{path}/schedule", {"every_days": "3", "start": "2027-01-05", "window_hours": "24",
                                            "lat": "51.48", "lon": "-3.18", "radius_m": "200"}, page=path)
    assert bad.status_code == 400
    assert "The days between check-ins (every_days) must be a whole number from 7 to 56 (weekly to every 8 weeks). " \
        "Nothing was saved." in \
        bad.get_data(as_text=True)
    start = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    good = post(client, f"{path}/schedule", {"every_days": "14", "start": start, "window_hours": "24",
                                             "lat": "51.4816", "lon": "-3.1791", "radius_m": "200"}, page=path)
    assert good.status_code == 303
    status, text = page(client, good.headers["Location"])
    assert "Schedule saved. The phone learns it at its next sync." in text and "14 days, from" in text
    phones = console_app.test_client()
    first = signed(phones, phone, "GET", "/v1/phone/checkins").get_json()
    second = signed(phones, phone, "GET", "/v1/phone/checkins").get_json()
    assert first["next"]["opens_at"] == f"{start}T09:00:00.000Z" and first["next"]["place"]["radius_m"] == 200
    assert first["schedule"] == {"every_days": 14, "window_hours": 24}
    assert first["nonce"] != second["nonce"] and len(first["nonce"]) == 32
    assert phones.get("/v1/phone/checkins", base_url="http://localhost").status_code == 401
    theirs = signed(phones, phone_for(console_app, team.person["sam"]), "GET", "/v1/phone/checkins").get_json()
    assert (theirs["next"], theirs["schedule"], theirs["checkins"]) == (None, None, [])  # another person's phone
    feed = signed(phones, phone, "POST", "/v1/phone/sync", {"cursor": 0}).get_json()["changes"]
    assert [c["kind"] for c in feed][-1] == "checkin_schedule"  # the phone learns it has check-ins to make
    with console_app.app_context(), db.proxy.connection_context():
        entry = [e for e in trail.entries() if e["action"] == "work.checkins.schedule"][-1]
    assert entry["actor"] == "olivia" and entry["target"] == person


def test_a_checkin_made_offline_three_days_ago_is_accepted_once_with_its_drift_and_a_changed_one_is_a_conflict(
        console_app, as_worker, person, phone, sync):
    row = window_three_days_ago(console_app, person)
    made = datetime.now(UTC) - timedelta(days=3)
    nonce = nonce_at(console_app, phone, made - timedelta(hours=1))
    doc = document(phone, photo(console_app, person, b"offline"), nonce, f"{row.schedule_id}/0", timestamp(made))
    sent = change(phone, doc)
    assert sync(sent)["accepted"] == [doc["checkin_id"]]
    kept = stored(console_app, doc["checkin_id"])
    assert (kept.outcome, json.loads(kept.reasons), kept.jws) == ("accepted", [], sent["body"]["jws"])
    assert kept.document == wire.canonical(doc).decode()  # the bytes the phone signed, three days ago
    assert sync(sent)["accepted"] == [doc["checkin_id"]]  # sent again (a lost answer): stored once
    changed = change(phone, {**doc, "gps": {**doc["gps"], "lat": 51.48}})
    answer = sync(changed)
    assert answer["accepted"] == [] and answer["refused"][0]["error"] == "conflict"
    with console_app.app_context(), db.proxy.connection_context():
        assert Checkin.select().where(Checkin.checkin_id == doc["checkin_id"]).count() == 1
        assert PhoneChange.select().where(PhoneChange.change_id == doc["checkin_id"]).count() == 1
    status, text = page(as_worker("olivia"), f"/work/people/{person}/checkins")
    assert status == 200 and "nothing flagged" in text and "3 d" in text and schedules.ON_TIME in text
    assert "breach" not in text.lower()


def test_each_kind_of_tampering_is_refused_and_the_worker_still_sees_it_with_why(
        console_app, as_worker, person, phone, sync):
    row = window_three_days_ago(console_app, person)
    nonce = nonce_at(console_app, phone, datetime.now(UTC) - timedelta(minutes=5))
    ref = photo(console_app, person, b"tamper")
    other = phone_for(console_app, person)  # the person's other phone: its key is not this phone's

    def base() -> dict:
        return document(phone, ref, nonce, f"{row.schedule_id}/0", timestamp(datetime.now(UTC)))

    cases = {}
    for what, changes in (("photo", {"photo": {**ref, "sha256": "c" * 64}}),
                          ("gps", {"gps": {"lat": 51.4816, "lon": -3.1791, "accuracy": 12.0, "mock": True}}),
                          ("time", {"device_time": timestamp(datetime.now(UTC) - timedelta(days=2))})):
        doc = base()
        sent = change(phone, doc)
        sent["body"]["jws"] = swap_payload(sent["body"]["jws"], {**doc, **changes})
        cases[what] = (sent, "signature_invalid")
    doc = base()
    wrong = change(phone, doc)
    wrong["body"]["jws"] = wire.sign(doc, other.key, other.key_id)
    cases["another key"] = (wrong, "wrong_key")
    doc = base()
    cases["photo sent"] = (change(phone, doc, attachments=[photo(console_app, person, b"swapped")]), "photo_mismatch")
    cases["not a JWS"] = ({"id": str(uuid.uuid4()), "kind": "checkin", "body": {"jws": "nonsense"}}, "bad_jws")
    answer = sync(*(sent for sent, _code in cases.values()))
    assert answer["refused"] == [] and len(answer["accepted"]) == len(cases)  # held, so sending again is harmless
    for what, (sent, code) in cases.items():
        kept = stored(console_app, sent["id"])
        assert (what, kept.outcome, json.loads(kept.reasons)[0]["code"]) == (what, "refused", code)
    status, text = page(as_worker("olivia"), f"/work/people/{person}/checkins")
    assert text.count("the hub could not trust it as this phone") >= len(cases)
    assert "was changed after the phone signed it" in text and "the photo was changed after signing" in text
    mine = signed(console_app.test_client(), phone, "GET", "/v1/phone/checkins").get_json()["checkins"]
    told = {item["checkin_id"]: item for item in mine}
    assert told[cases["gps"][0]["id"]]["outcome"] == "refused"
    assert "changed after the phone signed it" in told[cases["gps"][0]["id"]]["reasons"][0]


def test_doubtful_checkins_are_flagged_in_plain_words_and_windows_show_what_came(
        console_app, as_worker, person, phone, sync):
    row = window_three_days_ago(console_app, person)
    stale = nonce_at(console_app, phone, datetime.now(UTC) - timedelta(days=4))  # before the window opened
    doc = document(phone, photo(console_app, person, b"flagged"), stale, f"{row.schedule_id}/0",
                   timestamp(datetime.now(UTC) - timedelta(days=2)), lat=51.50, accuracy=150.0, mock=True)
    assert sync(change(phone, doc))["accepted"] == [doc["checkin_id"]]
    kept = stored(console_app, doc["checkin_id"])
    assert kept.outcome == "flagged"
    assert [r["code"] for r in json.loads(kept.reasons)] == ["mock_location", "poor_accuracy", "away_from_place",
                                                             "late", "stale_nonce"]
    status, text = page(as_worker("olivia"), f"/work/people/{person}/checkins")
    for words in ("things to check", "mock location", "stale nonce", "poor GPS accuracy", "(radius 200 m, accuracy "
                  "150 m)", "you do."):
        assert words in text, words
    assert schedules.LATE in text and "breach" not in text.lower()


def test_a_credential_bound_to_the_phone_confirms_the_owner_and_a_synced_passkey_is_refused(
        console_app, person, sync):
    pytest.importorskip("webauthn", reason="the hub checks WebAuthn with the webauthn package (setup.cfg)")
    phone = phone_for(console_app, person, p256=True)
    client = console_app.test_client()
    nonce = signed(client, phone, "GET", "/v1/phone/checkins").get_json()["nonce"]
    synced = Authenticator("hub.example.org", ORIGIN, backup_eligible=True)
    refused = signed(client, phone, "POST", "/v1/phone/checkins/credential",
                     {"nonce": nonce, "credential": synced.register(nonce.encode())})
    assert refused.status_code == 422 and refused.get_json()["error"] == "synced_passkey"
    assert "device-bound credential" in refused.get_json()["reason"]
    bound = Authenticator("hub.example.org", ORIGIN)
    made = signed(client, phone, "POST", "/v1/phone/checkins/credential",
                  {"nonce": nonce, "credential": bound.register(nonce.encode())})
    assert made.status_code == 201, made.get_json()
    assert signed(client, phone, "GET", "/v1/phone/checkins").get_json()["webauthn"]["registered"] is True
    ref = photo(console_app, person, b"owner")
    when = timestamp(datetime.now(UTC))
    confirmed = document(phone, ref, nonce, None, when)
    wrong = document(phone, ref, nonce, None, when)
    without = document(phone, ref, nonce, None, when)
    sync(change(phone, confirmed, webauthn=bound.assert_(wire.challenge(confirmed))),
         change(phone, wrong, webauthn=bound.assert_(wire.challenge(confirmed))),  # over another check-in
         change(phone, without), who=phone)
    assert stored(console_app, confirmed["checkin_id"]).owner_confirmed is True
    codes = {d["checkin_id"]: [r["code"] for r in json.loads(stored(console_app, d["checkin_id"]).reasons)]
             for d in (confirmed, wrong, without)}
    assert "owner_check_failed" in codes[wrong["checkin_id"]] and "owner_not_confirmed" not in codes[
        confirmed["checkin_id"]]
    assert "owner_not_confirmed" in codes[without["checkin_id"]]
    assert stored(console_app, wrong["checkin_id"]).owner_confirmed is False


def test_a_window_reminder_is_claimed_once_and_carries_no_personal_data(console_app, person, phone):
    row = window_three_days_ago(console_app, person)
    with console_app.app_context(), db.proxy.connection_context():
        PushSubscription.get_or_create(phone=phone.key_id, defaults={
            "person": person, "endpoint": "https://push.example.org/x", "p256dh": "p" * 87, "auth": "a" * 22,
            "made_at": timestamp()})
        inside = datetime.now(UTC) - timedelta(days=3)
        assert reminders.enqueue_due(inside) == [f"{row.schedule_id}/0"]
        assert reminders.enqueue_due(inside + timedelta(minutes=1)) == []  # claimed once
        assert reminders.enqueue_due(datetime.now(UTC)) == []  # between windows
        queued = PushOutbox.get((PushOutbox.phone == phone.key_id) & (PushOutbox.topic.startswith("checkin:")))
        assert json.loads(outbox.payload(queued.topic)) == {"v": 1, "kind": "checkin", "slot": f"{row.schedule_id}/0"}
        assert reminders.still_due(queued.topic, inside) and not reminders.still_due(queued.topic, datetime.now(UTC))


def test_retention_deletes_photos_per_outcome_on_the_clock_the_test_sets_and_keeps_hash_and_signature(
        console_app, as_worker, person, phone, sync):
    row = window_open_now(console_app, person)
    nonce = nonce_at(console_app, phone, datetime.now(UTC) - timedelta(minutes=1))
    now = datetime.now(UTC)
    accepted = document(phone, photo(console_app, person, b"keep-acc"), nonce, f"{row.schedule_id}/0", timestamp(now))
    flagged = document(phone, photo(console_app, person, b"keep-flag"), nonce, None, timestamp(now), mock=True)
    sync(change(phone, accepted), change(phone, flagged))
    assert (stored(console_app, accepted["checkin_id"]).outcome, stored(console_app, flagged["checkin_id"]).outcome) \
        == ("accepted", "flagged")
    client = as_worker("olivia")
    path = f"/work/people/{person}/checkins"
    reviewed = post(client, f"{path}/reviewed", {"checkin": accepted["checkin_id"]}, page=path)
    assert reviewed.status_code == 303
    shown = client.get(f"{path}/photo?checkin={accepted['checkin_id']}", base_url=BASE)
    assert shown.status_code == 200 and shown.get_data() == b"\x89PNG\r\n\x1a\n" + b"keep-acc".ljust(56, b"\x00")
    store = uploads.Store(console_app.config["ATTACHMENTS_DIR"], console_app.config["ATTACHMENTS_KEY_FILE"])
    blob = store.blob(person, accepted["photo"]["sha256"])
    purger = job.RetentionJob(store)
    with console_app.app_context():
        assert purger.run_once(now + timedelta(days=13)) == job.EVERY_S
        assert blob.exists()
        assert purger.run_once(now + timedelta(days=15)) == job.EVERY_S
    assert not blob.exists() and store.blob(person, flagged["photo"]["sha256"]).exists()
    kept = stored(console_app, accepted["checkin_id"])
    assert kept.photo_deleted_at is not None and kept.photo_sha256 == accepted["photo"]["sha256"] and kept.jws
    with console_app.app_context(), db.proxy.connection_context():
        assert PhoneUpload.get_or_none(PhoneUpload.sha256 == accepted["photo"]["sha256"]) is None
    status, text = page(client, f"{path}/photo?checkin={accepted['checkin_id']}")
    assert status == 410 and "retention" in text
    assert "deleted" in page(client, path)[1]
    with console_app.app_context():
        purger.run_once(now + timedelta(days=181))  # a flagged photo never reviewed: 180 days
    assert not store.blob(person, flagged["photo"]["sha256"]).exists()


def test_the_checkin_pages_are_for_the_persons_offender_manager_only(console_app, team, as_worker, person):
    paths = [("GET", "/work/people/{}/checkins"), ("POST", "/work/people/{}/checkins/schedule"),
             ("POST", "/work/people/{}/checkins/reviewed"), ("GET", "/work/people/{}/checkins/photo")]

    def status(name: str | None, method: str, path: str) -> int:
        client = as_worker(name) if name else console_app.test_client()
        if method == "GET":
            return client.get(path, base_url=BASE).status_code
        return post(client, path, {}, page="/work/people" if name else "/work/login").status_code

    for method, path in paths:
        mine, theirs = path.format(person), path.format(team.person["sam"])
        assert status("olivia", method, mine) in (200, 400), (method, path)  # 400: the form said nothing
        assert status("hana", method, mine) == 403  # health care: not check-ins
        assert status("olivia", method, theirs) == 404  # another worker's person: as if they did not exist
        assert status(None, method, mine) in (302, 401)
