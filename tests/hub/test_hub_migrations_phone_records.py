"""Migration 0018 (learning records from phones) on a saved hub with rows (tests/hub/data "today", brought to
version 17, with a released person added), on SQLite and PostgreSQL: every row stays, the new table matches its
model and starts empty, and once migrated a phone's statement is stored once by its id."""

from __future__ import annotations

import peewee
import pytest
from dumpkit import inserting, migrate, step_adds_tables

from hub import db
from hub.courses.models import PhoneRecord
from wire import schema

STEP = next(step for step in schema.load("hub.migrations") if step.name == "phone_records")
PERSON = "P-8XXH-XDWK"
OLD_ROWS = (  # what a hub at version 17 holds of a released person
    "INSERT INTO person VALUES ('P-8XXH-XDWK', 'released', '2026-12-01', '2026-12-01T09:00:00.000Z', "
    "'2026-11-01T09:00:00.000Z', 'cli:root')",
)


def test_a_saved_hub_keeps_its_rows_and_then_keeps_a_phone_statement_once(hub_db_url):
    before = step_adds_tables(hub_db_url, STEP, ("phone_record",), inserting(OLD_ROWS))
    assert [row[0] for row in before["person"]] == [PERSON]
    migrate(hub_db_url)
    db.bind(hub_db_url)
    row = {"record_id": "0f8fad5b-d9cb-469f-a165-70867728950e", "person": PERSON, "key_id": "k" * 43,
           "kind": "progress_statement", "created": "2026-12-08T09:00:00.000Z",
           "received_at": "2026-12-08T09:00:01.000Z", "payload": "{}"}
    with db.connected():
        PhoneRecord.create(**row)
        with pytest.raises(peewee.IntegrityError), db.proxy.atomic():
            PhoneRecord.create(**row)
        assert PhoneRecord.select().count() == 1
    db.proxy.close()
