"""Security pass over health uploads: an appointments upload is about one person. A health system's export
that carries a second Patient (no person id) and that Patient's appointment, next to this person's, is
refused with the reason, and nothing is stored: stored, the other person's appointment would show on this
person's phone, in their printable and on the page their GP opens. Through the health systems' push API,
on SQLite (the checks are pure)."""

from __future__ import annotations

import json

import pytest
from adminkit import admin_token, bearer
from ipskit import appointments

from hub import db
from hub.medical.models import HealthRecord
from hub.people import service as people

pytestmark = pytest.mark.parametrize("hub_db_url", ["sqlite"], indirect=True)
OTHER = "urn:uuid:00000000-0000-4000-8000-000000000022"


def test_an_appointments_upload_carrying_another_patients_appointment_is_refused(app, client):
    with db.proxy.connection_context():
        person = people.add("test").person_id
    upload = appointments(person)
    upload["entry"] += [
        {"fullUrl": OTHER, "resource": {"resourceType": "Patient", "id": "other", "name": [{"family": "Else"}]}},
        {"fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000023", "resource": {
            "resourceType": "Appointment", "id": "theirs", "status": "booked", "description": "Sexual health clinic",
            "start": "2026-12-21T10:00:00Z", "end": "2026-12-21T10:30:00Z",
            "participant": [{"actor": {"reference": OTHER}, "status": "accepted"}]}},
    ]
    answer = client.post(f"/v1/health/people/{person}/appointments", data=json.dumps(upload),
                         headers={"Content-Type": "application/fhir+json",
                                  **bearer(admin_token("leeds-health", "health"))})
    assert answer.status_code == 422 and answer.get_json()["error"] == "not_appointments"
    assert any("2 Patient resources" in problem["reason"] for problem in answer.get_json()["problems"])
    with app.app_context(), db.connected():
        assert HealthRecord.select().count() == 0
