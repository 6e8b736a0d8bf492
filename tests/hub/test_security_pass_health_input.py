"""Security pass over health uploads: an appointments upload is about one person. A health system's export
that carries a second Patient (no person id) and that Patient's appointment, next to this person's, is
refused with the reason, and nothing is stored: stored, the other person's appointment would show on this
person's phone, in their printable and on the page their GP opens. And an accepted summary with a very long
field still prints. Through the health systems' push API and the GP's link, on SQLite."""

from __future__ import annotations

import json

import ipskit
import pytest
from adminkit import admin_token, bearer
from ipskit import appointments

from hub import db
from hub.medical import service, shares
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


def test_a_summary_with_a_very_long_field_still_prints_as_a_pdf(app, client):
    """A table row taller than a page made the PDF fail (500): the GP's link, and the phone's sync, which
    fetches the PDF with every new summary, failed on it each time. The cell is cut, saying where the rest is."""
    long_problem = "Depression with recurrent episodes " * 150  # about 5,000 characters in one cell
    with app.app_context(), db.connected():
        person = people.add("test").person_id
        summary = ipskit.summary(person)
        summary["entry"][3]["resource"]["code"]["text"] = long_problem
        service.import_bundle(person, summary, "summary", "nurse", "health_care", "cli")
        _share, secret = shares.make(person, "new GP", 7)
    pdf = client.get(f"/health/shared/{secret}/summary.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    page = client.get(f"/health/shared/{secret}").get_data(as_text=True)
    assert long_problem.strip() in page  # the page keeps every word
