"""Security pass over the hub's health keys (hub/medical/keys.py): a hub whose health-keys.json went missing
(a replica set up without it, a restore that forgot it) stops with an error that says to restore it, and
makes no new file, so no person's key is ever wrapped under a key the other replicas lack; a rotation cut
between batches leaves every record readable; and an erased person's rows in an earlier database backup
open with the hub's key file until the hub key is rotated and the old one retired, as `hub health erase`
now says. On SQLite: the SQL is the services' own."""

from __future__ import annotations

import ipskit
import pytest

from hub import db
from hub.medical import cli as health_cli
from hub.medical import keys, service
from hub.medical.models import HealthKey, HealthRecord
from hub.people import service as people


@pytest.fixture
def hub_db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'hub.db'}"


@pytest.fixture
def hub(app):
    with app.app_context(), db.connected():
        yield app


def _with_summary(medicine: str = ipskit.MEDICINE) -> str:
    person = people.add("test").person_id
    service.import_bundle(person, ipskit.summary(person, medicine=medicine), "summary", "nurse", "health_care", "cli")
    return person


def _read(person: str):
    return service.read(person, "nurse", "health_care", "direct_care", "cli", "summary")


def test_a_hub_whose_key_file_went_missing_stops_and_says_to_restore_it(hub):
    first = _with_summary()
    path = keys.key_path(hub.instance_path)
    saved = path.read_bytes()
    path.unlink()
    with pytest.raises(keys.HealthKeyError, match="health-keys.json is missing.*restore it"):
        _with_summary("Olanzapine")
    with pytest.raises(keys.HealthKeyError, match="is missing"):
        _read(first)
    assert not path.exists() and HealthKey.select().count() == 1  # nothing wrapped under a stray key
    path.write_bytes(saved)
    path.chmod(0o600)
    assert ipskit.MEDICINE in str(_read(first).summary)
    assert "Olanzapine" in str(_read(_with_summary("Olanzapine")).summary)


def test_a_rotation_cut_between_batches_leaves_every_record_readable(hub, monkeypatch):
    persons = [_with_summary(f"Medicine {n}") for n in range(5)]
    before = [_read(person).summary for person in persons]
    monkeypatch.setattr(keys, "BATCH", 2)
    real, calls = keys.unwrap, []

    def killed_in_the_second_batch(*args):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt  # the process stopped here
        return real(*args)

    monkeypatch.setattr(keys, "unwrap", killed_in_the_second_batch)
    with pytest.raises(KeyboardInterrupt):
        keys.rotate(hub.instance_path)
    monkeypatch.setattr(keys, "unwrap", real)
    assert sorted(row.kek_id for row in HealthKey.select()) == [1, 1, 1, 2, 2]
    assert [_read(person).summary for person in persons] == before
    assert keys.rotate(hub.instance_path, retire_old=True).retired == (1,)
    assert [_read(person).summary for person in persons] == before


def test_an_erased_persons_rows_in_a_backup_open_until_the_hub_key_is_rotated_and_retired(hub, capsys):
    person = _with_summary()
    record, wrapped = HealthRecord.get(HealthRecord.person == person), HealthKey.get(HealthKey.person == person)
    backup = (record.record_id, bytes(record.sealed), bytes(wrapped.wrapped), wrapped.kek_id)
    service.erase(person, "cli:root")

    def opened_from_backup():
        record_id, sealed, wrapped_key, kek_id = backup
        key = keys.unwrap(keys.hub_keys(hub.instance_path), person, wrapped_key, kek_id)
        return keys.open_record(key, record_id, person, "summary", sealed)

    assert ipskit.MEDICINE in str(opened_from_backup())  # the erasure alone does not reach backups
    keys.rotate(hub.instance_path)
    keys.rotate(hub.instance_path, retire_old=True)
    with pytest.raises(keys.HealthKeyError):
        opened_from_backup()

    class Args:
        person = _with_summary()

    health_cli.cmd_erase(Args, hub)
    said = capsys.readouterr().out
    assert "can no longer be opened" not in said and "rotate-key" in said and "--retire-old" in said
