"""The person carries their health summary: a release summary imported at a real hub (served over HTTPS
in-process, on SQLite: the routes' SQL is the services', tested on both databases there), the reference
phone syncs and fetches it, then, with the hub stopped, shows it and exports the bundle, HTML and PDF.
Nothing changed: 204. Saying no (or an erasure at the hub) deletes the phone's copy, and after no the hub
refuses uploads. The reads list shows the phone's own reads and a worker's. Every health route refuses an
unsigned request, and answers another person's phone with nothing of this person's."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from phonekit import offer_for, phone_says, released_person

from hub import db
from hub.medical import service
from hub.refusals import Refused
from hub.server import HubServer
from hub.staff import accounts
from hub.workers import caseload
from phone import client, health, identity
from phone.store import Store
from wire import ips_build

MEDICINE = "Sertraline 50 mg tablets"
DOCS = (Path(__file__).resolve().parents[2] / "docs" / "phone-sync.md").read_text()


@pytest.fixture
def hub_db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'hub.db'}"


def _at(**delta) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).isoformat(timespec="seconds")


def _facts() -> dict:
    release = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    return {
        "patient": {"name": "Sam Carter", "born": "1990-04-02"},
        "author": {"name": "Dr Ann Jones", "organisation": "HMP Leeds Healthcare"},
        "release_date": release,
        "medicines": [{"name": MEDICINE, "dose": "50 mg once a day", "last_given": _at(hours=-3), "days_supplied": 28,
                       "prescription_issued": release}],
        "ost": {"drug": "methadone", "form": "oral solution", "daily_dose_mg": 60,
                "last_supervised_dose": _at(hours=-2), "prescriber": "Dr Priya Patel",
                "pharmacy": "Boots, 12 High Street",
                "first_dose_appointment": {"start": _at(days=2), "where": "Boots, 12 High Street"}},
        "naloxone": {"kits": 2, "handed_over": _at(hours=-1), "training": release},
        "gp": {"practice": "Hyde Park Surgery", "status": "requested"},
        "allergies": [{"what": "Penicillin", "reaction": "Rash", "severity": "moderate"}],
        "problems": [{"what": "Depression", "since": "2019", "status": "active"}],
    }


def _import(app, person: str) -> str:
    with app.app_context(), db.connected():
        summary = ips_build.release_summary(_facts(), person, _at())
        made = service.import_bundle(person, summary, "summary", "nurse", "health_care", "cli")
        visits = ips_build.appointments_bundle([{"start": _at(days=5), "what": "Blood test", "where": "Hyde Park "
                                                 "Surgery", "minutes": 20}], person, _at())
        service.import_bundle(person, visits, "appointments", "nurse", "health_care", "cli")
    return made.record_id


@pytest.fixture
def alex(app, tmp_path):
    """A released person whose phone is set up, at a hub served over HTTPS: (server, person, phone folder)."""
    server = HubServer(app, "127.0.0.1", 0).start()
    try:
        person, code = released_person(app)
        folder = tmp_path / "phone"
        client.activate(offer_for(server, app.instance_path, code), folder, "Alex's phone")
        yield server, person, folder
    finally:
        server.stop()


def _get(folder, path: str, signed: bool = True) -> tuple[int, bytes]:
    done = identity.activation(folder)
    key = identity.load_or_make_key(folder) if signed else None
    return client._request(done.hub, identity.tls_context(folder), "GET", path, b"", key)


def test_the_phone_keeps_the_summary_and_shows_and_exports_it_with_the_hub_stopped(app, alex, tmp_path, capsys):
    server, person, folder = alex
    record = _import(app, person)
    store = Store(folder / "phone.db")
    assert client.sync(folder, store).health  # the feed said "health": the phone fetched it
    kept = store.health()
    assert kept["record"].startswith(record + ".") and kept["carried"]
    assert kept["plain"]["medicines"][0]["name"] == MEDICINE

    status, body = _get(folder, f"/v1/phone/health?record={kept['record']}")
    assert (status, body) == (204, b"")  # nothing changed: no body, and no read of the contents
    assert client.sync(folder, store).health is False
    store.close()

    server.stop()  # the hub is gone: everything below is the phone alone
    shown = phone_says(["health", "--home", str(folder)], capsys)
    assert shown.startswith("WARNING: Your tolerance to opioids")
    for words in (MEDICINE, "Opioid substitution: Methadone", "Boots, 12 High Street", "Penicillin", "Depression",
                  "Naloxone: 2 kit(s)", "Hyde Park Surgery", "Upcoming health appointments:", "Blood test"):
        assert words in shown, words
    said = phone_says(["health", "export", "--bundle", str(tmp_path / "ips.json"), "--home", str(folder)], capsys)
    assert said.startswith("Saved the FHIR bundle (JSON) to")
    bundle = json.loads((tmp_path / "ips.json").read_text())
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "document"
    phone_says(["health", "export", "--pdf", str(tmp_path / "summary.pdf"), "--home", str(folder)], capsys)
    assert (tmp_path / "summary.pdf").read_bytes().startswith(b"%PDF-")
    phone_says(["health", "export", "--html", str(tmp_path / "summary.html"), "--home", str(folder)], capsys)
    assert MEDICINE in (tmp_path / "summary.html").read_text()


def test_saying_no_deletes_the_phone_copy_and_the_hub_refuses_uploads_until_yes(app, alex, capsys):
    _server, person, folder = alex
    _import(app, person)
    client.sync(folder)
    said = phone_says(["health", "carry", "no", "--home", str(folder)], capsys)
    assert said.startswith("You carry no health summary: the hub keeps none and this phone's copy is deleted")
    store = Store(folder / "phone.db")
    assert store.health() is None and store.health_file("pdf") is None
    assert phone_says(["health", "--home", str(folder)], capsys).startswith("No health summary on this phone")
    with app.app_context(), db.connected(), pytest.raises(Refused) as refused:
        service.import_bundle(person, ips_build.release_summary(_facts(), person, _at()), "summary", "nurse",
                              "health_care", "cli")
    assert (refused.value.status, refused.value.code) == (409, "not_carried")
    client.sync(folder, store)  # the hub's "health" change ({"carried": false}) changes nothing more
    assert store.health() is None
    with pytest.raises(client.PhoneError) as none:
        health.share(folder, "new GP")
    assert none.value.code == "not_carried"

    phone_says(["health", "carry", "yes", "--home", str(folder)], capsys)
    _import(app, person)
    client.sync(folder, store)
    assert store.health()["plain"]["medicines"][0]["name"] == MEDICINE
    with app.app_context(), db.connected():  # erased at the hub (or past its keeping time): the copy goes too
        service.erase(person, "test")
    assert client.sync(folder, store).health and store.health() is None
    store.close()


def test_the_reads_list_shows_the_phones_own_reads_and_a_workers_and_sharing_is_for_own_workers(app, alex, capsys):
    _server, person, folder = alex
    _import(app, person)
    assert phone_says(["health", "reads", "--home", str(folder)], capsys) == \
        "No one has read your health summary yet.\n"
    client.sync(folder)
    with app.app_context(), db.connected():
        accounts.add("nora", accounts.WORKER, "health_care", "Nora Price", "test", 1)
        caseload.add("nora", person, "test")
        service.read(person, "nora", "health_care", "direct_care", "console", "summary")
        accounts.add("omar", accounts.WORKER, "offender_manager", "Omar Shah", "test", 1)  # not Alex's worker
    found = phone_says(["health", "reads", "--home", str(folder)], capsys).splitlines()
    assert len(found) == 4  # the phone's summary, its HTML and PDF, then Nora's read
    assert found[0].endswith("  You read your health summary through your phone, for: your own copy")
    assert found[3].endswith("  Nora Price (health care) read your health summary through the workers' console, "
                             "for: Direct care")

    said = phone_says(["health", "share-with", "olivia", "yes", "--home", str(folder)], capsys)
    assert said == "olivia may now read your health summary (each read is recorded).\n"
    with app.app_context(), db.connected():
        assert service.may_read(accounts.find("olivia"), person)
    for stranger in ("omar", "nobody"):  # another's worker and no worker are told apart by nothing
        with pytest.raises(client.PhoneError) as refused:
            health.share_with(folder, stranger, True)
        assert (refused.value.status, refused.value.code) == (404, "unknown_worker")
    listed = phone_says(["health", "shares", "--home", str(folder)], capsys)
    assert "Olivia (offender manager, olivia) may read your summary" in listed
    assert "Nora Price (health care, nora) may not read your summary" in listed
    phone_says(["health", "share-with", "olivia", "no", "--home", str(folder)], capsys)
    with app.app_context(), db.connected():
        assert not service.may_read(accounts.find("olivia"), person)


def test_every_health_route_refuses_an_unsigned_request_and_tells_another_persons_phone_nothing(app, alex,
                                                                                                tmp_path, capsys):
    server, person, folder = alex
    _import(app, person)
    shared = phone_says(["health", "share", "--for", "new GP", "--days", "3", "--home", str(folder)], capsys)
    share_id = shared.rsplit("Share id ", 1)[1].split(":", 1)[0]
    _sam, sam_code = released_person(app)
    sam = tmp_path / "sam"
    client.activate(offer_for(server, app.instance_path, sam_code), sam)
    routes = sorted((method, rule.rule) for rule in app.url_map.iter_rules()
                    if rule.rule.startswith("/v1/phone/health") for method in rule.methods - {"HEAD", "OPTIONS"})
    assert len(routes) == 9
    wrong = []
    for method, rule in routes:
        path = rule.replace("<share_id>", share_id)
        body = b"" if method == "GET" else json.dumps({"carried": False, "worker": "olivia", "shared": True,
                                                       "made_for": "x"}).encode()
        extra = {"Content-Type": "application/json"} if body else {}
        for who, signed in (("unsigned", False), ("sam", True)):
            key = identity.load_or_make_key(sam) if signed else None
            status, data = client._request(server.url, identity.tls_context(sam), method, path, body, key, extra)
            text = data.decode("utf-8", "replace")
            if who == "unsigned" and (status != 401 or "signature_missing" not in text):
                wrong.append((who, method, rule, status))
            if who == "sam" and (person in text or MEDICINE in text or "new GP" in text or status >= 500):
                wrong.append((who, method, rule, status, text[:200]))
    assert wrong == []
    with app.app_context(), db.connected():
        assert service.choice(person)  # Sam's {"carried": false} was Sam's own
        assert not service.may_read(accounts.find("olivia"), person)
    listed = phone_says(["health", "shares", "--home", str(folder)], capsys)
    assert f"{share_id}  for new GP: works until" in listed  # Sam's revoke of Alex's share did nothing


def test_the_docs_show_every_health_command_and_route():
    section = DOCS.split("## Health summary", 1)[1].split("\n## ", 1)[0]
    for command in ("health --home", "health export --bundle", "health export --pdf", "health export --html",
                    "health share --for", "health shares", "health revoke", "health carry no", "health carry yes",
                    "health share-with", "health reads"):
        assert f"$ throughgate phone {command}" in section, command
    for route in ("GET /v1/phone/health?record=", "GET /v1/phone/health/bundle", "/v1/phone/health/printable",
                  "POST /v1/phone/health/choice", "POST /v1/phone/health/shares", "GET /v1/phone/health/shares",
                  "POST\n/v1/phone/health/shares/<share_id>/revoke", "POST /v1/phone/health/workers",
                  "GET /v1/phone/health/reads"):
        assert route in section, route
