"""A person's phone from release to messages, against a real `throughgate hub run` on SQLite and
PostgreSQL, with the reference phone client: release and a one-time code, activation, a worker's
message, messages written offline, and syncs whose connection is cut mid-request and whose answer
is lost after the hub stored the changes: nothing lost, nothing stored twice. Then the refusals: a
used, a withdrawn, an expired and a guessed code; a replayed and a tampered request; a revoked phone.
And the phone routes' authorization matrix: every /v1/phone route unsigned, from a revoked phone, and from
another person's phone. Wrong codes from one address are limited (429 too_many_tries). A large first
sync comes in bounded pages; a sync with nothing new is one request of at most 1024 bytes. A P-256 key
(as WebCrypto makes) works as an Ed25519 one does."""

from __future__ import annotations

import json
import urllib.request

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from hubkit import make_instance
from hubprocess import HubProcess
from phonekit import AnswerDroppingProxy, hub_app, offer_for, point_phone_at, released_person
from test_hub_roles import PHONE_ROUTES

from bench.wireproxy import TlsCountingProxy
from hub import ca, db
from hub.people import service as people
from hub.people.models import ActivationCode
from hub.phones import service as phones
from hub.phones.models import Phone
from hub.staff import accounts
from hub.sync import feed, messages
from hub.sync.models import Message, PhoneChange
from hub.workers import caseload
from phone import client, identity
from phone.store import Store
from provisioning import signatures
from tests.learning.learningkit import CuttingProxy
from wire import media
from wire.records import timestamp


def _running_hub(url: str, tmp_path):
    instance = make_instance(tmp_path / "hub")
    process = HubProcess(instance, url, tmp_path / "hub.log").start()
    try:
        yield process, hub_app(instance, url), instance
    finally:
        process.stop()


@pytest.fixture
def hub(hub_db_url, tmp_path):
    """A real hub on SQLite and on PostgreSQL: the journey runs on both."""
    yield from _running_hub(hub_db_url, tmp_path)


@pytest.fixture
def sqlite_hub(tmp_path):
    """A real hub on SQLite: the refusals are the hub's own code on either database (the journey shows
    the databases store the same)."""
    yield from _running_hub(f"sqlite:///{tmp_path / 'hub.db'}", tmp_path)


def test_release_activation_offline_messages_and_cut_connections_lose_and_double_nothing(hub, tmp_path):
    process, app, instance = hub
    person, code = released_person(app)
    folder = tmp_path / "phone"
    done = client.activate(offer_for(process, instance, code), folder, "Alex's phone")
    assert done.person == person
    with app.app_context(), db.connected():
        worker_message = messages.send_from_worker(person, "olivia", "Your first appointment is Monday at 10.")

    store = Store(folder / "phone.db")  # offline: written on the phone, waiting in its outbox
    written = [store.queue("message", {"to": "olivia", "text": f"Message {n} written offline",
                                       "written_at": timestamp()}) for n in range(3)]

    cutter = CuttingProxy(process.port, cut_after=900).start()  # the request dies half-way up
    point_phone_at(folder, f"https://127.0.0.1:{cutter.port}")
    with pytest.raises(client.PhoneError) as offline:
        client.sync(folder, store)
    assert offline.value.code == "offline" and cutter.cut.is_set()
    cutter.stop()
    assert len(store.pending(10)) == 3

    dropper = AnswerDroppingProxy(instance, process.port, drops=1)  # stored at the hub, the answer lost
    point_phone_at(folder, dropper.url)
    with pytest.raises(client.PhoneError):
        client.sync(folder, store)
    assert dropper.dropped == 1 and len(store.pending(10)) == 3
    result = client.sync(folder, store)  # the same changes again: acknowledged, stored once
    dropper.stop()
    assert result.sent == 3 and store.pending(10) == []

    with app.app_context(), db.connected():
        stored = [m.message_id for m in Message.select().where(Message.person == person, Message.from_person)]
        assert sorted(stored) == sorted(written)  # 0 lost, 0 duplicated
        assert PhoneChange.select().where(PhoneChange.person == person).count() == 3
    received = {m["id"]: m for m in store.messages()}
    assert received[worker_message.message_id]["text"] == "Your first appointment is Monday at 10."
    assert all(received[i]["sent"] for i in written)

    point_phone_at(folder, process.url)
    store.queue("read", {"message": worker_message.message_id, "read_at": timestamp()})
    client.sync(folder, store)
    with app.app_context(), db.connected():
        seen = Message.get(Message.message_id == worker_message.message_id)
    assert seen.delivered_at and seen.read_at
    store.close()


def test_codes_are_refused_once_used_withdrawn_expired_or_guessed_each_saying_why(sqlite_hub, tmp_path):
    process, app, instance = sqlite_hub
    person, code = released_person(app)
    client.activate(offer_for(process, instance, code), tmp_path / "first")
    reasons = {}
    with pytest.raises(client.PhoneError) as used:
        client.activate(offer_for(process, instance, code), tmp_path / "second")
    reasons[used.value.code] = used.value.reason
    with app.app_context(), db.connected():
        old, _row = people.issue_code(person, "test", 7)
        new, row = people.issue_code(person, "test", 7)
        ActivationCode.update(expires_at="2020-01-01T00:00:00.000Z").where(
            ActivationCode.code_sha256 == row.code_sha256).execute()
    for typed, folder in ((old, "third"), (new, "fourth"), ("ABCD-EFGH-JKMN", "fifth")):
        with pytest.raises(client.PhoneError) as refused:
            client.activate(offer_for(process, instance, typed), tmp_path / folder)
        reasons[refused.value.code] = refused.value.reason
    assert set(reasons) == {"code_used", "code_withdrawn", "code_expired", "code_unknown"}
    assert all("worker" in reason for reason in reasons.values())


def _signed(process, folder, body: bytes, **changes):
    key = identity.load_or_make_key(folder)
    url = f"{process.url}/v1/phone/sync"
    headers = {"Content-Type": "application/json", **signatures.sign("POST", url, {}, body, key)}
    headers.update(changes)
    return url, headers


def _post(url: str, headers: dict, body: bytes, folder) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (https)
    try:
        with urllib.request.urlopen(request, context=identity.tls_context(folder), timeout=10) as answer:  # noqa: S310
            return answer.status, {}
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def test_a_replayed_or_tampered_request_and_a_revoked_phone_are_refused(sqlite_hub, tmp_path):
    process, app, instance = sqlite_hub
    _person, code = released_person(app)
    folder = tmp_path / "phone"
    done = client.activate(offer_for(process, instance, code), folder)
    body = b'{"cursor":0}'
    url, headers = _signed(process, folder, body)
    assert _post(url, headers, body, folder)[0] in (200, 204)
    status, answer = _post(url, headers, body, folder)
    assert (status, answer["error"]) == (401, "replayed")
    url, headers = _signed(process, folder, body)
    status, answer = _post(url, headers, b'{"cursor":5}', folder)
    assert (status, answer["error"]) == (401, "digest_mismatch")
    with app.app_context(), db.connected():
        phones.revoke(done.key_id, "test")
    with pytest.raises(client.PhoneError) as revoked:
        client.sync(folder)
    assert revoked.value.code == "phone_revoked" and "worker" in revoked.value.reason


def test_a_phone_reaches_only_its_own_persons_data(sqlite_hub, tmp_path):
    process, app, instance = sqlite_hub
    alex, alex_code = released_person(app)
    sam, sam_code = released_person(app)
    alex_phone, sam_phone = tmp_path / "alex", tmp_path / "sam"
    client.activate(offer_for(process, instance, alex_code), alex_phone)
    client.activate(offer_for(process, instance, sam_code), sam_phone)
    with app.app_context(), db.connected():
        for_sam = messages.send_from_worker(sam, "olivia", "For Sam only.")
    alex_store = Store(alex_phone / "phone.db")
    alex_store.queue("read", {"message": for_sam.message_id, "read_at": timestamp()})  # another person's message
    client.sync(alex_phone, alex_store)
    assert all(m["id"] != for_sam.message_id for m in alex_store.messages())
    with app.app_context(), db.connected():
        assert Message.get(Message.message_id == for_sam.message_id).read_at is None
    sam_store = Store(sam_phone / "phone.db")
    client.sync(sam_phone, sam_store)
    assert [m["text"] for m in sam_store.messages()] == ["For Sam only."]
    alex_store.close()
    sam_store.close()


def test_the_person_sees_who_looked_at_their_record_and_no_one_elses(sqlite_hub, tmp_path):
    process, app, instance = sqlite_hub
    alex, alex_code = released_person(app)
    sam, sam_code = released_person(app)
    alex_phone, sam_phone = tmp_path / "alex", tmp_path / "sam"
    client.activate(offer_for(process, instance, alex_code), alex_phone)
    client.activate(offer_for(process, instance, sam_code), sam_phone)
    assert client.views(alex_phone) == []
    with app.app_context(), db.connected():
        caseload.record_reads("olivia", [alex], "person")
        caseload.record_reads("olivia", [alex, sam], "list")
        caseload.record_reads("olivia", [alex], "messages")
    seen = client.views(alex_phone)
    assert [(v["who"], v["role"], v["what"]) for v in seen] == [
        ("Olivia", "offender_manager", "your record"), ("Olivia", "offender_manager", "your name in their list"),
        ("Olivia", "offender_manager", "your messages")]
    assert client.views(alex_phone, after=seen[1]["id"]) == seen[2:]
    assert [v["what"] for v in client.views(sam_phone)] == ["your name in their list"]


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
       + b"\x00" * 64)
"""Enough of a PNG for the hub's magic-byte check: Alex's photo, which no other phone may reach."""


def test_every_phone_route_refuses_no_signature_and_a_revoked_phone_and_another_persons_phone_gets_nothing(
        sqlite_hub, tmp_path):
    """The phone routes' authorization matrix: every /v1/phone route (test_hub_roles.py PHONE_ROUTES) and
    method, unsigned, signed by Alex's revoked phone, and signed by Sam's phone (another person's)."""
    process, app, instance = sqlite_hub
    alex, code = released_person(app)
    _sam, sam_code = released_person(app)
    alex_phone, lost_phone, sam_phone = tmp_path / "alex", tmp_path / "lost", tmp_path / "sam"
    client.activate(offer_for(process, instance, code), alex_phone)
    client.activate(offer_for(process, instance, sam_code), sam_phone)
    with app.app_context(), db.connected():
        second, _row = people.issue_code(alex, "test", 7)
    lost = client.activate(offer_for(process, instance, second), lost_phone)
    photo = tmp_path / "photo.png"
    photo.write_bytes(PNG)
    ref = client.attach(alex_phone, photo, media.PHOTO)
    store = Store(alex_phone / "phone.db")
    store.queue("message", {"to": "olivia", "text": "Alex's photo", "written_at": timestamp(), "attachments": [ref]})
    assert client.sync(alex_phone, store).sent == 1
    store.close()
    with app.app_context(), db.connected():
        phones.revoke(lost.key_id, "test")
    routes = sorted((method, rule.rule) for rule in app.url_map.iter_rules() if rule.rule.startswith("/v1/phone/")
                    for method in rule.methods - {"HEAD", "OPTIONS"})
    assert {rule for _m, rule in routes} == PHONE_ROUTES

    def ask(folder, method, rule, signed=True):
        path = rule.replace("<sha256>", ref["sha256"]).replace("<share_id>", "0e5c1d2a-5d8b-4c55-9c4e-2f0a8e3b7d10") \
            .replace("<course>", "intro-maths")
        body = b"" if method in ("GET", "DELETE") else b"{}"
        extra = {"Content-Type": "application/json"} if body else {}
        if rule == "/v1/phone/uploads/<sha256>" and method == "PUT":
            body, extra = PNG, {"Content-Type": "image/png", "Content-Range": f"bytes 0-{len(PNG) - 1}/{len(PNG)}"}
        key = identity.load_or_make_key(folder) if signed else None
        status, data = client._request(process.url, identity.tls_context(folder), method, path, body, key, extra)
        return status, data.decode("utf-8", "replace")

    wrong = []
    for method, rule in routes:
        if rule == "/v1/phone/activate":
            continue  # the code is the credential: test_codes_are_refused_once_used_withdrawn_expired_or_guessed…
        status, text = ask(sam_phone, method, rule, signed=False)
        if status != 401 or "signature_missing" not in text:
            wrong.append(("unsigned", method, rule, status))
        status, text = ask(lost_phone, method, rule)
        if status != 401 or "phone_revoked" not in text:
            wrong.append(("revoked", method, rule, status))
        status, text = ask(sam_phone, method, rule)
        if alex in text or "Alex's photo" in text or status >= 500:
            wrong.append(("another person's phone", method, rule, status))
        if rule == "/v1/phone/attachments/<sha256>" and status != 404:
            wrong.append(("another person's phone read the photo", method, rule, status))
        if (method, rule) == ("GET", "/v1/phone/uploads/<sha256>") and '"received":0' not in text:
            wrong.append(("another person's phone found the photo", method, rule, status))
    assert wrong == []
    assert client.download(alex_phone, ref["sha256"], tmp_path / "mine.png") == len(PNG)  # Alex's own phone still can


def test_wrong_codes_from_one_address_are_limited_and_then_even_the_right_code_waits(sqlite_hub, tmp_path):
    process, app, instance = sqlite_hub
    _person, code = released_person(app)
    refused = []
    for n in range(6):  # LOGIN_FAILURES is 5
        with pytest.raises(client.PhoneError) as wrong:
            client.activate(offer_for(process, instance, f"ABCD-EFGH-JK{n}N"), tmp_path / f"guess{n}")
        refused.append((wrong.value.status, wrong.value.code))
    assert refused == [(401, "code_unknown")] * 5 + [(429, "too_many_tries")]
    with pytest.raises(client.PhoneError) as waiting:
        client.activate(offer_for(process, instance, code), tmp_path / "right")
    assert (waiting.value.status, waiting.value.code) == (429, "too_many_tries")
    assert "wait" in waiting.value.reason and "minutes" in waiting.value.reason
    with app.app_context(), db.connected():
        assert ActivationCode.select().where(ActivationCode.used_at.is_null(False)).count() == 0  # still unused


def test_a_large_first_sync_comes_in_bounded_pages_and_the_phone_gets_every_change_once(sqlite_hub, tmp_path):
    process, app, instance = sqlite_hub
    person, code = released_person(app)
    folder = tmp_path / "phone"
    client.activate(offer_for(process, instance, code), folder)
    with app.app_context(), db.connected():
        sent = [messages.send_from_worker(person, "olivia", f"{n:03} " + "x" * 1500).message_id for n in range(120)]
        sent += [messages.send_from_worker(person, "olivia", f"short {n}").message_id for n in range(230)]
        pages, cursor, more = [], 0, True
        while more:  # what each answer holds: about PAGE_BYTES of JSON, at most PAGE_CHANGES changes
            changes, cursor, more = feed.page(person, cursor)
            pages.append((len(changes), len(json.dumps(changes))))
    assert len(pages) >= 4 and sum(n for n, _size in pages) == 351  # the 350 messages, and the person's contacts
    assert all(n <= feed.PAGE_CHANGES and size <= feed.PAGE_BYTES + 4096 for n, size in pages)
    store = Store(folder / "phone.db")
    done = client.sync(folder, store)
    assert (done.rounds, done.received) == (len(pages), 351)
    assert [m["id"] for m in store.messages()] == sent
    assert client.sync(folder, store).rounds == 1  # and then one request, with nothing to fetch
    store.close()


def test_a_sync_with_nothing_new_is_one_request_of_at_most_1024_bytes_headers_included(sqlite_hub, tmp_path):
    """The issue's budget, as `make bench` measures it (sync_nochange_bytes): HTTP bytes both ways through a
    proxy that ends TLS, so the handshake a kept-alive connection does not repeat is not counted."""
    process, app, instance = sqlite_hub
    person, code = released_person(app)
    folder = tmp_path / "phone"
    client.activate(offer_for(process, instance, code), folder)
    with app.app_context(), db.connected():
        messages.send_from_worker(person, "olivia", "Your first appointment is Monday at 10.")
    assert client.sync(folder).received == 2  # the message, and the person's contacts
    paths = ca.files(instance)
    proxy = TlsCountingProxy(int(process.url.rsplit(":", 1)[1]), str(paths.server_cert), str(paths.server_key),
                             str(paths.root_cert)).start()
    try:
        point_phone_at(folder, f"https://127.0.0.1:{proxy.port}")
        done = client.sync(folder)
    finally:
        proxy.stop()
    assert (done.rounds, done.received, done.sent) == (1, 0, 0)
    assert 0 < proxy.upstream + proxy.downstream <= 1024, (proxy.upstream, proxy.downstream)


def test_a_phone_whose_key_is_p256_activates_and_syncs_like_an_ed25519_one(sqlite_hub, tmp_path):
    """What a browser's WebCrypto makes (ECDSA P-256, non-extractable): the reference phone is given such a key."""
    process, app, instance = sqlite_hub
    person, code = released_person(app)
    folder = tmp_path / "phone"
    folder.mkdir(mode=0o700)
    key = ec.generate_private_key(ec.SECP256R1())
    (folder / identity.KEY_FILE).write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    done = client.activate(offer_for(process, instance, code), folder)
    assert done.key_id == signatures.key_id(key.public_key())
    with app.app_context(), db.connected():
        messages.send_from_worker(person, "olivia", "Hello from Olivia.")
        assert Phone.get_by_id(done.key_id).alg == "P-256"
    assert client.sync(folder).received == 2  # the message, and the person's contacts


def test_a_phone_writes_only_to_the_persons_own_workers(sqlite_hub, tmp_path):
    """A worker whose caseload does not hold the person could never open what they wrote; and accepting it
    would tell a phone which worker names exist. Refused as for a name that does not exist."""
    process, app, instance = sqlite_hub
    person, code = released_person(app)
    with app.app_context(), db.connected():
        accounts.add("ed", accounts.WORKER, "employment_adviser", "Ed", "test", 1)
    folder = tmp_path / "phone"
    client.activate(offer_for(process, instance, code), folder)
    store = Store(folder / "phone.db")
    for to in ("ed", "nobody", "olivia"):
        store.queue("message", {"to": to, "text": f"Hello {to}", "written_at": timestamp()})
    done = client.sync(folder, store)
    refused = {json.loads(row[1])["to"]: row[0] for row in store.db.execute("SELECT error, body FROM refused")}
    store.close()

    assert (done.sent, done.refused) == (1, 2)
    assert refused == {"ed": "unknown_worker", "nobody": "unknown_worker"}
    with app.app_context(), db.connected():
        assert [m.worker for m in Message.select().where(Message.person == person)] == ["olivia"]


def test_a_long_outbox_goes_in_rounds_each_within_the_hubs_request_limit_and_arrives_once(sqlite_hub, tmp_path):
    process, app, instance = sqlite_hub
    person, code = released_person(app)
    folder = tmp_path / "phone"
    client.activate(offer_for(process, instance, code), folder)
    store = Store(folder / "phone.db")
    written = [store.queue("message", {"to": "olivia", "text": f"{n:02} " + "é" * 3000, "written_at": timestamp()})
               for n in range(40)]  # 40 long messages: about 720 KB of JSON, where the hub reads 64 KiB a request
    assert all(len(client.sync_body(0, store.pending(client.BATCH)[i:])) <= client.MAX_BODY for i in range(40))
    done = client.sync(folder, store)
    store.close()
    assert done.sent == 40 and done.refused == 0 and done.rounds >= 12
    with app.app_context(), db.connected():
        stored = [m.message_id for m in Message.select().where(Message.from_person).order_by(Message.written_at)]
    assert sorted(stored) == sorted(written) and len(stored) == len(set(stored))
