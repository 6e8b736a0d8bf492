"""Migration 0007 (people, activation codes, phones, the feed, phone changes, messages) on a saved hub
with rows (tests/hub/data "today", brought to version 6), on SQLite and PostgreSQL: every row stays,
the eight new tables match the models and start empty, and a learner id of an edge the hub already
had is then linked to a new person who is released with a code."""

from __future__ import annotations

from dumpkit import catalogue, fresh_catalogue, load_dump, migrate, recorded, rows, rows_kept

from hub import db
from hub.app import create_app
from hub.people import service as people
from wire import schema

STEP = next(step for step in schema.load("hub.migrations") if step.name == "people_phones_sync")
NEW = ("person", "person_learner", "activation_code", "phone", "phone_nonce", "person_change", "phone_change",
       "message")


def _table_of(name: str, value) -> str:
    if isinstance(value, dict) and "table" in value:  # a SQLite index
        return value["table"]
    if isinstance(value, str) and " ON " in value:  # a PostgreSQL index's definition
        return value.split(" ON ", 1)[1].split()[0].removeprefix("public.")
    return name.split(":", 1)[0]  # a table; a PostgreSQL constraint or trigger, "table:name"


def new_tables(found: dict) -> dict:
    """The part of a catalogue about the new tables (and no later step's): their columns, indexes and
    constraints."""
    return {section: {name: value for name, value in entries.items() if _table_of(name, value) in NEW}
            for section, entries in found.items()}


def test_a_saved_hub_keeps_its_rows_and_then_knows_people(hub_db_url, instance):
    models = fresh_catalogue(hub_db_url)
    load_dump(hub_db_url, "today")
    migrate(hub_db_url, upto=STEP.number - 1)
    before = rows(hub_db_url)

    assert migrate(hub_db_url, upto=STEP.number) == [f"{db.hub_schema().title}: applied {STEP.label}"]

    after = rows(hub_db_url)
    assert rows_kept(before, after) == {}
    assert all(after[table] == [] for table in NEW)
    assert new_tables(catalogue(hub_db_url)) == new_tables(models)
    assert recorded(hub_db_url) == STEP.number
    migrate(hub_db_url)
    create_app({"DATABASE_URL": hub_db_url}, instance_path=instance)
    with db.connected():
        person = people.add("test")
        people.link(person.person_id, "edge-north", "L-0042")
        released, code, row = people.release(person.person_id, "test", 7)
    assert released.status == "released" and len(code) == 14 and row.expires_at > released.released_at
