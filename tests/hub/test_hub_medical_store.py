"""Health records sealed per person (hub/medical/service.py, keys.py): what reaches the database is
ciphertext, one person's key opens nothing of another's, a hub key rotation loses nothing, erasure and
the person's choice leave nothing to open, every read is recorded, and who may read is decided by role,
caseload and the person's own sharing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dumpkit import rows
from ipskit import MEDICINE, appointments, summary, without_section

from hub.medical import keys, service, shares
from hub.medical.models import HealthKey, HealthRead, HealthRecord, HealthShare
from hub.people import service as people
from hub.refusals import Refused
from hub.staff import accounts
from hub.sync.models import PersonChange
from hub.workers import caseload

SQLITE = pytest.mark.parametrize("hub_db_url", ["sqlite"], indirect=True)


@pytest.fixture
def hub(app):
    with app.app_context():
        yield app


def _person() -> str:
    return people.add("test").person_id


def _upload(person_id: str, bundle: dict | None = None, kind: str = "summary") -> service.Imported:
    return service.import_bundle(person_id, bundle or summary(), kind, "hana", "health_care", "console")


def _read(person_id: str, who: str = "hana", via: str = "console") -> service.Opened | None:
    return service.read(person_id, who, "health_care", "Direct care", via, "summary")


def _medicine(opened: service.Opened) -> str:
    statement = next(entry["resource"] for entry in opened.summary["entry"]
                     if entry["resource"]["resourceType"] == "MedicationStatement")
    return statement["medicationCodeableConcept"]["text"]


def test_the_database_holds_only_ciphertext_and_the_phone_is_told_no_contents(hub, hub_db_url):
    person = _person()
    made = _upload(person)
    assert made.created and made.resources == 6
    assert MEDICINE not in repr(rows(hub_db_url))  # every row of every table, keys and feed included
    if hub_db_url.startswith("sqlite"):
        path = Path(hub_db_url.removeprefix("sqlite:///"))
        raw = b"".join(file.read_bytes() for file in (path, path.with_name(path.name + "-wal")) if file.exists())
        assert MEDICINE.encode() not in raw and b"Depression" not in raw
    change = PersonChange.get((PersonChange.person == person) & (PersonChange.kind == "health"))
    assert set(json.loads(change.body)) == {"record", "uploaded_at"}
    opened = _read(person)
    assert _medicine(opened) == MEDICINE
    patient = next(e["resource"] for e in opened.summary["entry"] if e["resource"]["resourceType"] == "Patient")
    assert {"system": "https://throughgate.org/fhir/sid/person-id", "value": person} in patient["identifier"]


@SQLITE
def test_one_persons_key_cannot_open_anothers_record(hub):
    first, second = _person(), _person()
    _upload(first, summary(medicine="Sertraline"))
    _upload(second, summary(medicine="Olanzapine"))
    key_a, key_b = HealthKey.get(HealthKey.person == first), HealthKey.get(HealthKey.person == second)
    HealthKey.update(wrapped=key_b.wrapped).where(HealthKey.person == first).execute()
    with pytest.raises(keys.HealthKeyError, match="does not open"):
        _read(first)  # the second person's wrapped key, on the first person's row: not opened
    HealthKey.update(wrapped=key_a.wrapped).where(HealthKey.person == first).execute()
    record_a = HealthRecord.get(HealthRecord.person == first)
    record_b = HealthRecord.get(HealthRecord.person == second)
    HealthRecord.update(sealed=record_b.sealed).where(HealthRecord.record_id == record_a.record_id).execute()
    with pytest.raises(keys.HealthKeyError, match="not sealed for this person"):
        _read(first)  # the second person's record, under the first person's id and key: not opened
    HealthRecord.update(sealed=record_a.sealed).where(HealthRecord.record_id == record_a.record_id).execute()
    assert _medicine(_read(first)) == "Sertraline" and _medicine(_read(second)) == "Olanzapine"
    assert HealthRead.select().count() == 2  # the refused reads recorded nothing


@SQLITE
def test_rotating_the_hub_key_twice_loses_nothing_and_retires_the_old_keys(hub, monkeypatch):
    people_ids = [_person() for _ in range(5)]
    for n, person in enumerate(people_ids):
        _upload(person, summary(medicine=f"Medicine {n}"))
    before = [_read(person).summary for person in people_ids]
    sealed_before = {row.record_id: bytes(row.sealed) for row in HealthRecord.select()}
    monkeypatch.setattr(keys, "BATCH", 2)  # several batches
    progress = []
    assert keys.rotate(hub.instance_path, say=lambda done, total: progress.append((done, total))).rewrapped == 5
    assert progress[0] == (0, 5) and progress[-1] == (5, 5)
    assert keys.rotate(hub.instance_path).current == 3
    assert sorted(keys.hub_keys(hub.instance_path).keys) == [1, 2, 3]  # the old keys stay until retired
    assert {row.kek_id for row in HealthKey.select()} == {3}
    assert [_read(person).summary for person in people_ids] == before
    assert {row.record_id: bytes(row.sealed) for row in HealthRecord.select()} == sealed_before  # records untouched
    retired = keys.rotate(hub.instance_path, retire_old=True)
    assert retired.retired == (1, 2) and retired.rewrapped == 0
    assert sorted(keys.hub_keys(hub.instance_path).keys) == [3]
    assert (Path(hub.instance_path) / keys.KEY_FILE).stat().st_mode & 0o777 == 0o600
    assert [_read(person).summary for person in people_ids] == before


@SQLITE
def test_erasing_a_person_leaves_nothing_that_opens(hub):
    person = _person()
    _upload(person)
    kept = HealthRecord.get(HealthRecord.person == person)  # a copy of the row, as a backup would hold it
    assert service.erase(person, "cli:root") == 1
    assert _read(person) is None and service.summary_meta(person) is None
    assert not HealthKey.select().where(HealthKey.person == person).exists()
    last = PersonChange.select().where(PersonChange.kind == "health").order_by(PersonChange.seq.desc()).first()
    assert json.loads(last.body) == {"erased": True}  # the phone deletes its copy at its next sync
    HealthRecord.insert(kept.__data__).execute()  # the backup's row restored: no key opens it
    assert _read(person) is None
    key = keys.data_key(hub.instance_path, person, make=True)  # a new key for a new upload opens nothing old
    with pytest.raises(keys.HealthKeyError):
        keys.open_record(key, kept.record_id, person, kept.kind, kept.sealed)


@SQLITE
def test_every_read_is_recorded_with_who_role_purpose_and_how(hub):
    person = _person()
    assert _read(person) is None and service.reads(person) == []  # nothing to read: nothing recorded
    _upload(person)
    _upload(person, appointments(person), kind="appointments")
    _read(person, "hana", "console")
    service.read(person, "person", "person", "My own summary", "phone", "printable")
    service.read(person, "share:1a2b3c4d", "clinician", "Shared by the person: new GP", "share", "bundle")
    service.read(person, "cli:root", "host", "Direct care", "cli", "summary")
    opened = service.read(person, "api-bot", "health", "Checking medicines", "api", "appointments")
    assert opened.appointments["entry"][1]["resource"]["description"] == "Methadone review"
    assert [(r.who, r.role, r.purpose, r.via, r.what) for r in service.reads(person)] == [
        ("hana", "health_care", "Direct care", "console", "summary"),
        ("person", "person", "My own summary", "phone", "printable"),
        ("share:1a2b3c4d", "clinician", "Shared by the person: new GP", "share", "bundle"),
        ("cli:root", "host", "Direct care", "cli", "summary"),
        ("api-bot", "health", "Checking medicines", "api", "appointments")]
    assert all(r.record == opened.meta.record_id and r.at for r in service.reads(person))
    assert [r.who for r in service.reads(person, after=service.reads(person)[2].id)] == ["cli:root", "api-bot"]


@SQLITE
def test_the_same_bundle_is_stored_once_and_a_new_summary_replaces_the_old(hub):
    person = _person()
    first = _upload(person)
    again = _upload(person)
    assert (again.record_id, again.created) == (first.record_id, False)
    newer = _upload(person, summary(medicine="Mirtazapine"))
    assert newer.created and service.summary_meta(person).record_id == newer.record_id
    old = HealthRecord.get(HealthRecord.record_id == first.record_id)
    assert old.superseded_at and old.keep_until < HealthRecord.get(HealthRecord.record_id == newer.record_id).keep_until
    assert _medicine(_read(person)) == "Mirtazapine"


@SQLITE
def test_a_broken_summary_is_refused_with_its_problems_and_nothing_is_kept(hub):
    person = _person()
    with pytest.raises(service.HealthRefused) as refused:
        _upload(person, without_section(summary(), "48765-2"))
    assert refused.value.status == 422 and refused.value.code == "not_an_ips"
    assert refused.value.problems and all(p.resource and p.path and p.reason for p in refused.value.problems)
    assert any("48765-2" in p.reason or "48765-2" in p.path for p in refused.value.problems)
    with pytest.raises(service.HealthRefused):
        _upload(person, summary(person_id="P-0000-0000"))  # another person's subject
    assert HealthRecord.select().count() == 0 and HealthKey.select().count() == 0
    with pytest.raises(Refused) as unknown:
        _upload("P-ZZZZ-ZZZZ")
    assert unknown.value.status == 404


@SQLITE
def test_saying_no_erases_the_summary_stops_shares_and_refuses_uploads(hub):
    person = _person()
    accounts.add("olivia", accounts.WORKER, "offender_manager", "Olivia", "test", 1)
    caseload.add("olivia", person, "test")
    _upload(person)
    shares.make(person, "new GP")
    service.share_with_worker(person, "olivia", True)
    service.set_choice(person, False, "person")
    assert service.choice(person) is False
    assert HealthRecord.select().count() == 0 and HealthKey.select().count() == 0
    assert HealthShare.get().revoked_at is not None and service.shared_with(person) == []
    with pytest.raises(Refused) as refused:
        _upload(person)
    assert (refused.value.status, refused.value.code) == (409, "not_carried")
    bodies = [json.loads(c.body) for c in PersonChange.select().where(PersonChange.kind == "health")
              .order_by(PersonChange.seq)]
    assert bodies[-1] == {"carried": False}
    service.set_choice(person, True, "person")  # they change their mind
    assert service.choice(person) and _upload(person).created


@SQLITE
def test_health_care_reads_its_caseload_and_other_workers_only_what_the_person_shares(hub):
    person, other = _person(), _person()
    for name, role in (("hana", "health_care"), ("olivia", "offender_manager"), ("tom", "team_manager")):
        accounts.add(name, accounts.WORKER, role, name.title(), "test", 1, "Cardiff")
    for name in ("hana", "olivia"):
        caseload.add(name, person, "test")
    hana, olivia, tom = (accounts.find(name) for name in ("hana", "olivia", "tom"))
    assert service.may_read(hana, person) and not service.may_read(hana, other)
    assert not service.may_read(olivia, person) and not service.may_read(tom, person)
    service.share_with_worker(person, "olivia", True)
    assert service.may_read(olivia, person) and service.shared_with(person) == ["olivia"]
    with pytest.raises(Refused) as refused:
        service.share_with_worker(person, "tom", True)  # not in the person's caseload
    assert refused.value.status == 404
    service.share_with_worker(person, "olivia", False)
    assert not service.may_read(olivia, person)
    service.share_with_worker(person, "olivia", True)
    caseload.remove("olivia", person)  # the work ends: so does what the person let them read
    caseload.add("olivia", person, "test")
    assert not service.may_read(olivia, person) and service.shared_with(person) == []
