"""Migration 0007 (people, activation codes, phones, the feed, phone changes, messages) on a saved hub
with rows (tests/hub/data "today", brought to version 6), on SQLite and PostgreSQL: every row stays,
the eight new tables match the models and start empty, and a learner id of an edge the hub already
had is then linked to a new person who is released with a code."""

from __future__ import annotations

from dumpkit import migrate, step_adds_tables

from hub import db
from hub.app import create_app
from hub.people import service as people
from wire import schema

STEP = next(step for step in schema.load("hub.migrations") if step.name == "people_phones_sync")
NEW = ("person", "person_learner", "activation_code", "phone", "phone_nonce", "person_change", "phone_change",
       "message")


def test_a_saved_hub_keeps_its_rows_and_then_knows_people(hub_db_url, instance):
    step_adds_tables(hub_db_url, STEP, NEW, changed_later=("activation_code",))  # 0016 adds its code id
    migrate(hub_db_url)
    create_app({"DATABASE_URL": hub_db_url}, instance_path=instance)
    with db.connected():
        person = people.add("test")
        people.link(person.person_id, "edge-north", "L-0042")
        released, code, row = people.release(person.person_id, "test", 7)
    assert released.status == "released" and len(code) == 14 and row.expires_at > released.released_at
