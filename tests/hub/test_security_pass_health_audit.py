"""Security pass over the health reads list: a read that fails records nothing. A person with health
appointments but no summary asks their phone for the summary's bundle or printable, and a health care
worker asks the console for the summary's bundle: each is told there is none (404), and no health_read row
says that someone read it. On SQLite: the SQL is the services' own. A real hub over HTTPS for the phone
(its requests are signed), the workers' console through its test client."""

from __future__ import annotations

import ipskit
import pytest
import workkit
from phonekit import offer_for, released_person
from workkit import add_person, page

from hub import db
from hub.medical import service
from hub.medical.models import HealthRead
from hub.server import HubServer
from phone import client, identity

console_app, team, as_worker = workkit.console_app, workkit.team, workkit.as_worker


@pytest.fixture
def hub_db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'hub.db'}"


def _appointments_only(app, person: str) -> None:
    with app.app_context(), db.connected():
        service.import_bundle(person, ipskit.appointments(person), "appointments", "nurse", "health_care", "cli")


def _reads(app, person: str) -> list:
    with app.app_context(), db.connected():
        return [(row.via, row.what) for row in HealthRead.select().where(HealthRead.person == person)]


def test_a_phone_asking_for_a_summary_it_does_not_have_records_no_read(app, tmp_path):
    server = HubServer(app, "127.0.0.1", 0).start()
    try:
        person, code = released_person(app)
        folder = tmp_path / "phone"
        client.activate(offer_for(server, app.instance_path, code), folder, "Alex's phone")
        _appointments_only(app, person)
        key, tls = identity.load_or_make_key(folder), identity.tls_context(folder)
        answers = [client._request(server.url, tls, "GET", path, b"", key)[0]
                   for path in ("/v1/phone/health/bundle", "/v1/phone/health/printable?format=pdf")]
        assert answers == [404, 404]
        assert _reads(app, person) == []
        status, _data = client._request(server.url, tls, "GET", "/v1/phone/health", b"", key)
        assert status == 200 and _reads(app, person) == [("phone", "summary")]  # the appointments, read: kept
    finally:
        server.stop()


def test_a_worker_asking_for_a_bundle_that_is_not_there_records_no_read(console_app, as_worker):
    person = add_person(console_app, "hana")
    _appointments_only(console_app, person)
    status, _text = page(as_worker("hana"), f"/work/people/{person}/health/bundle.json?purpose=direct_care")
    assert status == 404
    assert _reads(console_app, person) == []
