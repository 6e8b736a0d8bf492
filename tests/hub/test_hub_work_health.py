"""The workers' console's health pages (/work/people/<id>/health, its bundle.json, upload and reads): an
offender manager sees that a summary exists but not what it says (and no bundle) until the person shares
it with them; a health care worker uploads the project's own release summary and reads its medicines,
each read (page or bundle) a health_read row with its purpose; a broken bundle is refused with reasons
naming the resource and the path, and nothing is stored; a worker without the person in their caseload
gets 404 on every page and form. The authorization matrix (every role, every route) is
tests/hub/test_hub_work_console.py's."""

from __future__ import annotations

import copy
import io
import json

import consolekit
import pytest
import workkit
from consolekit import BASE, post
from workkit import add_person, make_worker, page

from hub import db
from hub.audit.models import AuditEntry
from hub.medical import service
from hub.medical.models import HealthRead, HealthRecord
from wire import ips, ips_build

console_app, team, as_worker = workkit.console_app, workkit.team, workkit.as_worker

FACTS = {
    "patient": {"name": "Sam Carter", "born": "1990-04-02"},
    "author": {"name": "Dr Ann Jones", "organisation": "HMP Cardiff Healthcare"},
    "release_date": "2027-03-14",
    "medicines": [{"name": "Sertraline 50 mg tablets", "dose": "50 mg once a day",
                   "last_given": "2027-03-14T08:05:00+00:00", "days_supplied": 28,
                   "prescription_issued": "2027-03-13"}],
    "ost": {"drug": "methadone", "form": "oral solution", "daily_dose_mg": 60,
            "last_supervised_dose": "2027-03-14T08:30:00+00:00", "prescriber": "Dr Priya Patel",
            "pharmacy": "Boots, 12 High Street",
            "first_dose_appointment": {"start": "2027-03-15T10:00:00+00:00", "where": "Boots, 12 High Street"}},
    "naloxone": {"kits": 2, "training": "2027-03-10", "handed_over": "2027-03-14T09:00:00+00:00"},
    "gp": {"practice": "Hyde Park Surgery", "status": "accepted"},
    "allergies": [{"what": "Penicillin", "reaction": "Rash", "severity": "mild"}],
    "problems": [{"what": "Depression", "since": "2019", "status": "active"}],
}
MEDICINE = "Sertraline 50 mg tablets"


def summary_of(person: str) -> dict:
    return ips_build.release_summary(FACTS, person, "2027-03-13T10:00:00+00:00")


def upload(client, person: str, raw: bytes, kind: str = "summary", agreed: bool = True):
    path = f"/work/people/{person}/health/upload"
    data = {"kind": kind, "file": (io.BytesIO(raw), "summary.json")}
    if agreed:
        data["agreed"] = "yes"
    return post(client, path, data, page=path)


def stored(app, person: str) -> list[HealthRecord]:
    with app.app_context(), db.proxy.connection_context():
        return list(HealthRecord.select().where(HealthRecord.person == person))


def reads(app, person: str) -> list[tuple[str, str, str, str, str]]:
    with app.app_context(), db.proxy.connection_context():
        return [(r.who, r.role, r.purpose, r.via, r.what) for r in
                HealthRead.select().where(HealthRead.person == person).order_by(HealthRead.id)]


@pytest.fixture
def person(console_app) -> str:
    """A person in Hana's (health care) and Olivia's (offender manager) caseloads, with a summary Hana uploaded."""
    found = add_person(console_app, "hana", "olivia")
    with console_app.app_context(), db.proxy.connection_context():
        service.import_bundle(found, summary_of(found), "summary", "hana", "health_care", "console")
    return found


def test_a_health_care_worker_uploads_a_release_summary_and_reads_its_medicines(console_app, as_worker):
    hana, someone = as_worker("hana"), add_person(console_app, "hana")
    status, text = page(hana, f"/work/people/{someone}/health")
    assert status == 200 and "No health summary has been uploaded" in text
    answer = upload(hana, someone, json.dumps(summary_of(someone)).encode())
    assert answer.status_code == 303, answer.get_data(as_text=True)
    [record] = stored(console_app, someone)
    assert answer.headers["Location"].endswith(f"/work/people/{someone}/health?uploaded={record.record_id}")
    status, text = page(hana, answer.headers["Location"])
    assert status == 200 and "Uploaded." in text and "hana (health care)" in text
    assert MEDICINE not in text and "Why are you opening it?" in text  # not before saying why
    assert reads(console_app, someone) == []

    opened = hana.get(f"/work/people/{someone}/health?purpose=release_planning", base_url=BASE)
    text = opened.get_data(as_text=True)
    assert opened.status_code == 200 and opened.headers["Cache-Control"] == "no-store"
    for shown in (MEDICINE, "50 mg once a day", "14 March 2027 at 08:05", "Yes, 13 March 2027", "Methadone",
                  "60 mg once a day", "Boots, 12 High Street", "Hyde Park Surgery", "Penicillin", "Depression",
                  "First methadone dose after release", "Warning: read this first",
                  "Your tolerance to opioids", "Download the FHIR bundle"):
        assert shown in text, shown
    assert reads(console_app, someone) == [("hana", "health_care", "release_planning", "console", "summary")]
    with console_app.app_context(), db.proxy.connection_context():
        assert AuditEntry.select().where((AuditEntry.action == "work.health.upload")
                                         & (AuditEntry.target == someone)).exists()

    bundle = hana.get(f"/work/people/{someone}/health/bundle.json?purpose=medicines", base_url=BASE)
    assert bundle.status_code == 200 and bundle.mimetype == "application/fhir+json"
    assert bundle.headers["Content-Disposition"].startswith("attachment;")
    assert bundle.headers["Cache-Control"] == "no-store"
    got = json.loads(bundle.get_data())
    assert got["resourceType"] == "Bundle" and ips.plain(got)["medicines"][0]["name"] == MEDICINE
    assert reads(console_app, someone)[-1] == ("hana", "health_care", "medicines", "console", "bundle")

    again = upload(hana, someone, json.dumps(summary_of(someone)).encode())  # the same file: stored once
    assert again.status_code == 303 and len(stored(console_app, someone)) == 1


def test_an_offender_manager_sees_it_exists_but_not_what_it_says_until_the_person_shares(console_app, as_worker,
                                                                                         person):
    olivia = as_worker("olivia")
    status, text = page(olivia, f"/work/people/{person}/health")
    assert status == 200 and "Uploaded by" in text and "hana (health care)" in text
    assert MEDICINE not in text and "Why are you opening it?" not in text
    assert "for health care staff, and for a worker" in text
    assert page(olivia, f"/work/people/{person}/health?purpose=direct_care")[0] == 403
    assert page(olivia, f"/work/people/{person}/health/bundle.json?purpose=direct_care")[0] == 403
    assert reads(console_app, person) == []
    with console_app.app_context(), db.proxy.connection_context():
        refused = {e.action for e in AuditEntry.select().where((AuditEntry.actor == "olivia")
                                                               & (AuditEntry.target == person))}
        assert refused == {"work.health.read"}
        service.share_with_worker(person, "olivia", True)  # the person shares it, from their phone

    assert "Why are you opening it?" in page(olivia, f"/work/people/{person}/health")[1]
    status, text = page(olivia, f"/work/people/{person}/health?purpose=person_asked")
    assert status == 200 and MEDICINE in text
    bundle = olivia.get(f"/work/people/{person}/health/bundle.json?purpose=person_asked", base_url=BASE)
    assert bundle.status_code == 200 and bundle.mimetype == "application/fhir+json"
    assert reads(console_app, person) == [("olivia", "offender_manager", "person_asked", "console", "summary"),
                                          ("olivia", "offender_manager", "person_asked", "console", "bundle")]
    assert page(olivia, f"/work/people/{person}/health/upload")[0] == 403  # sharing lets them read, not upload

    with console_app.app_context(), db.proxy.connection_context():
        service.share_with_worker(person, "olivia", False)  # and stops sharing
    assert page(olivia, f"/work/people/{person}/health?purpose=person_asked")[0] == 403


def test_every_read_is_listed_with_its_purpose_for_the_caseload_and_a_wrong_purpose_reads_nothing(
        console_app, as_worker, person):
    hana, olivia = as_worker("hana"), as_worker("olivia")
    status, text = page(hana, f"/work/people/{person}/health?purpose=holiday")
    assert status == 400 and "Choose why you are opening the summary" in text and MEDICINE not in text
    assert page(hana, f"/work/people/{person}/health/bundle.json")[0] == 400
    assert reads(console_app, person) == []
    for purpose in ("direct_care", "medicines"):
        assert page(hana, f"/work/people/{person}/health?purpose={purpose}")[0] == 200
    assert [r[2] for r in reads(console_app, person)] == ["direct_care", "medicines"]

    status, text = page(olivia, f"/work/people/{person}/health/reads")  # who read it, never what it said
    assert status == 200 and "Direct care" in text and "Checking medicines" in text and "health care" in text
    assert MEDICINE not in text
    assert len(reads(console_app, person)) == 2  # the list of reads is not itself a read of the contents


@pytest.mark.parametrize("broken, resource, path, says", [
    ("no_allergies", "Composition/", "Composition.section",
     "the required section Allergies and Intolerances (LOINC 48765-2) is missing"),
    ("dangling", "Composition/", "Composition.section[0].entry[", "names nothing in this upload"),
    ("not_json", "", "", "Not uploaded"),
])
def test_a_broken_summary_is_refused_with_its_reasons_and_nothing_is_stored(console_app, as_worker, broken,
                                                                           resource, path, says):
    hana, someone = as_worker("hana"), add_person(console_app, "hana")
    bundle = copy.deepcopy(summary_of(someone))
    composition = bundle["entry"][0]["resource"]
    if broken == "no_allergies":
        composition["section"] = [s for s in composition["section"]
                                  if s["code"]["coding"][0]["code"] != ips.SECTION_ALLERGIES]
    elif broken == "dangling":
        composition["section"][0]["entry"].append({"reference": "MedicationStatement/missing"})
    raw = b"<Bundle xmlns='http://hl7.org/fhir'/>" if broken == "not_json" else json.dumps(bundle).encode()
    answer = upload(hana, someone, raw)
    text = answer.get_data(as_text=True)
    assert answer.status_code == 422, text
    assert 'role="alert"' in text and "nothing was stored" in text.lower() and says in text
    if resource:
        assert f"<strong>{resource}" in text and f"<code>{path}" in text
    assert stored(console_app, someone) == []


def test_the_form_wants_a_file_a_kind_and_the_persons_agreement(console_app, as_worker):
    hana, someone = as_worker("hana"), add_person(console_app, "hana")
    raw = json.dumps(summary_of(someone)).encode()
    unticked = upload(hana, someone, raw, agreed=False)
    assert unticked.status_code == 400 and "The person agreed to carry this summary" in unticked.get_data(as_text=True)
    assert upload(hana, someone, raw, kind="letter").status_code == 400
    assert upload(hana, someone, b"").status_code == 400
    with console_app.app_context(), db.proxy.connection_context():
        service.set_choice(someone, False, "person")  # they said no on their phone
    said_no = upload(hana, someone, raw)
    assert said_no.status_code == 409 and "chose not to carry" in said_no.get_data(as_text=True)
    assert stored(console_app, someone) == []


def test_a_worker_without_the_person_in_their_caseload_gets_404(console_app, as_worker, person):
    hugo = consolekit.browser(console_app)  # health care, of other caseloads
    assert workkit.login(console_app, hugo, make_worker(console_app, "hugo", "health_care",
                                                        "Swansea health")).status_code == 302
    for client in (as_worker("sam"), hugo):  # and an offender manager of another team
        for suffix in ("", "?purpose=direct_care", "/bundle.json?purpose=direct_care", "/upload", "/reads"):
            assert page(client, f"/work/people/{person}/health{suffix}")[0] == 404, suffix
        assert upload(client, person, json.dumps(summary_of(person)).encode()).status_code == 404
    assert len(stored(console_app, person)) == 1 and reads(console_app, person) == []
