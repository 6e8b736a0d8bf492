"""Migration 0017 (health records sealed per person) on a saved hub with rows (tests/hub/data "today",
brought to version 16, with a released person added), on SQLite and PostgreSQL: every row stays, the six
new tables match their models and start empty, and once migrated fully the person's health key and a
sealed record can be stored."""

from __future__ import annotations

from dumpkit import inserting, migrate, step_adds_tables

from hub import db
from hub.medical.models import MODELS, HealthChoice, HealthKey, HealthRecord
from wire import schema

STEP = next(step for step in schema.load("hub.migrations") if step.name == "health")
PERSON = "P-8XXH-XDWK"
OLD_ROWS = (  # what a hub at version 16 holds of a released person
    "INSERT INTO person VALUES ('P-8XXH-XDWK', 'released', '2026-12-01', '2026-12-01T09:00:00.000Z', "
    "'2026-11-01T09:00:00.000Z', 'cli:root')",
)
NEW = tuple(model._meta.table_name for model in MODELS)


def test_a_saved_hub_keeps_its_rows_and_then_keeps_sealed_health_records(hub_db_url):
    before = step_adds_tables(hub_db_url, STEP, NEW, inserting(OLD_ROWS))
    assert [row[0] for row in before["person"]] == [PERSON]
    migrate(hub_db_url)
    db.bind(hub_db_url)
    with db.connected():
        HealthKey.create(person=PERSON, wrapped=b"\x00" * 60, kek_id=1, created_at="2026-12-07T09:00:00.000Z")
        HealthRecord.create(record_id="r-1", person=PERSON, kind="summary", sealed=b"\x01\x02", digest="0" * 64,
                            resources=4, uploaded_at="2026-12-07T09:00:00.000Z", uploaded_by="hana",
                            uploaded_role="health_care", via="console", keep_until="2027-12-07T09:00:00.000Z")
        HealthChoice.create(person=PERSON, carried=True, changed_at="2026-12-07T09:00:00.000Z", changed_by="person")
        assert bytes(HealthKey.get().wrapped) == b"\x00" * 60
        assert bytes(HealthRecord.get().sealed) == b"\x01\x02"
        assert HealthChoice.get().carried is True
    db.proxy.close()
