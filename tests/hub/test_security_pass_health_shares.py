"""Security pass over the links a person shares with a GP or pharmacy (hub/medical/shares.py, share_web.py):
an erasure at the hub ends the person's links, so a link made before it never opens a summary uploaded
after it; a link to a person with no summary (appointments only) records no read, as nothing was read;
and every answer under /health/shared/, the hub's own 404 and 405 included, keeps the secret address out
of Referer headers and caches. On SQLite: the SQL is the services' own."""

from __future__ import annotations

import ipskit
import pytest

from hub import db
from hub.medical import service, shares
from hub.medical.models import HealthRead
from hub.people import service as people


@pytest.fixture
def hub_db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'hub.db'}"


def _person_with(app, *kinds: str) -> str:
    with app.app_context(), db.connected():
        found = people.add("test").person_id
        if "summary" in kinds:
            service.import_bundle(found, ipskit.summary(found), "summary", "nurse", "health_care", "cli")
        if "appointments" in kinds:
            service.import_bundle(found, ipskit.appointments(found), "appointments", "nurse", "health_care", "cli")
    return found


def test_a_link_made_before_an_erasure_never_opens_a_summary_uploaded_after_it(app, client):
    person = _person_with(app, "summary")
    with app.app_context(), db.connected():
        share, secret = shares.make(person, "new GP", 7)
        service.erase(person, "cli:root")
        service.import_bundle(person, ipskit.summary(person, medicine="Olanzapine"), "summary", "nurse",
                              "health_care", "cli")
        assert shares.state(shares.find(secret)) == "revoked"
    for path in ("", "/bundle.json", "/summary.pdf"):
        answer = client.get(f"/health/shared/{secret}{path}")
        assert answer.status_code == 404 and "Olanzapine" not in answer.get_data(as_text=True)
    with app.app_context(), db.connected():
        assert not HealthRead.select().where(HealthRead.via == "share").exists()


def test_a_link_to_a_person_with_only_appointments_records_no_read(app, client):
    person = _person_with(app, "appointments")
    with app.app_context(), db.connected():
        _share, secret = shares.make(person, "new GP", 7)
    for path in ("", "/bundle.json", "/summary.pdf"):
        assert client.get(f"/health/shared/{secret}{path}").status_code == 404
    with app.app_context(), db.connected():
        assert list(HealthRead.select().where(HealthRead.person == person)) == []


def test_every_answer_under_a_shared_address_keeps_it_out_of_referers_and_caches(app, client):
    person = _person_with(app, "summary")
    with app.app_context(), db.connected():
        _share, secret = shares.make(person, "new GP", 7)
    answers = [client.get(f"/health/shared/{secret}"), client.post(f"/health/shared/{secret}"),
               client.get(f"/health/shared/{secret}/other"), client.delete(f"/health/shared/{secret}/bundle.json"),
               client.get(f"/health/shared/{'x' * 43}")]
    assert [a.status_code for a in answers] == [200, 405, 404, 405, 404]
    for answer in answers:
        assert answer.headers.get("Referrer-Policy") == "no-referrer", answer.status_code
        assert answer.headers.get("Cache-Control") == "no-store", answer.status_code
    assert client.get("/healthz").headers.get("Referrer-Policy") != "no-referrer"  # elsewhere as before
