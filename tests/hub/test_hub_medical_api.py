"""The health systems' push API (POST /v1/health/people/<person_id>/summary|appointments): a token of
the `health` role stores a release summary (201), the same again changes nothing (200), a broken one is
refused with its problems and nothing stored (422); a fleet token gets 403, no token 401; every call is
in the audit trail, without contents."""

from __future__ import annotations

import copy
import json

import pytest
from adminkit import admin_token, bearer
from ipskit import appointments

from hub import db
from hub.audit import trail
from hub.medical import service
from hub.medical.models import HealthRecord
from hub.people import service as people
from wire.ips_build import EXAMPLE_FACTS, release_summary

pytestmark = pytest.mark.parametrize("hub_db_url", ["sqlite"], indirect=True)
FHIR = "application/fhir+json"


@pytest.fixture
def person(app):
    with db.proxy.connection_context():
        return people.add("test").person_id


def _post(client, person_id: str, body, token: str | None, what: str = "summary"):
    headers = {"Content-Type": FHIR, **(bearer(token) if token else {})}
    return client.post(f"/v1/health/people/{person_id}/{what}", data=json.dumps(body), headers=headers)


def test_a_health_system_pushes_a_summary_once_and_a_broken_one_is_refused_with_reasons(app, client, person):
    token = admin_token("leeds-health", "health")
    bundle = release_summary(EXAMPLE_FACTS, person, "2026-12-14T09:30:00+00:00")
    made = _post(client, person, bundle, token)
    assert made.status_code == 201 and made.get_json()["created"] is True
    again = _post(client, person, bundle, token)
    assert again.status_code == 200 and again.get_json() == {**made.get_json(), "created": False}

    broken = copy.deepcopy(bundle)
    broken["entry"][0]["resource"]["section"][0]["code"]["coding"][0]["code"] = "10160-1"  # a wrong section code
    refused = _post(client, person, broken, token)
    body = refused.get_json()
    assert refused.status_code == 422 and body["error"] == "not_an_ips" and "nothing was stored" in body["reason"]
    assert body["problems"] and all(set(p) == {"resource", "path", "reason"} for p in body["problems"])
    assert any("10160-0" in p["reason"] for p in body["problems"])

    booked = _post(client, person, appointments(person), token, "appointments")
    assert booked.status_code == 201
    with app.app_context():
        assert HealthRecord.select().count() == 2
        opened = service.read(person, "test", "health_care", "Direct care", "console", "summary")
    assert opened.summary["entry"][0]["resource"]["title"] == bundle["entry"][0]["resource"]["title"]
    with db.proxy.connection_context():
        entries = list(trail.entries())
    found = [(e["action"], e["actor"], e["target"], e["outcome"]) for e in entries]
    assert found == [("health.import", "leeds-health", f"{person}/summary", "ok")] * 2 + [
        ("health.import", "leeds-health", f"{person}/summary", "refused: not_an_ips"),
        ("health.import", "leeds-health", f"{person}/appointments", "ok")]
    assert "Sertraline" not in json.dumps(entries)  # the person and the record id, never the contents


def test_only_a_health_token_may_push_and_only_fhir_json(app, client, person):
    bundle = release_summary(EXAMPLE_FACTS, person, "2026-12-14T09:30:00+00:00")
    assert _post(client, person, bundle, None).status_code == 401
    fleet = _post(client, person, bundle, admin_token("fiona", "fleet"))
    assert fleet.status_code == 403 and fleet.get_json()["error"] == "forbidden"
    token = admin_token("leeds-health", "health")
    xml = client.post(f"/v1/health/people/{person}/summary", data="<Bundle/>",
                      headers={**bearer(token), "Content-Type": "application/fhir+xml"})
    assert xml.status_code == 415 and xml.get_json()["error"] == "unsupported_media_type"
    assert _post(client, "P-ZZZZ-ZZZZ", bundle, token).status_code == 404
    assert client.get("/v1/admin/edges", headers=bearer(token)).status_code == 403  # health.import, nothing else
    with app.app_context():
        service.set_choice(person, False, "person")
    said_no = _post(client, person, bundle, token)
    assert said_no.status_code == 409 and said_no.get_json()["error"] == "not_carried"
