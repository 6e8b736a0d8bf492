"""Migration 0006 (enrolment tokens' cancelled_at) on a saved hub with tokens used, unused and expired
(tests/hub/data "today", brought to version 5), on SQLite and PostgreSQL: every token keeps its state,
none reads as cancelled, every other row stays, and an unused token can then be cancelled and is
refused at enrolment."""

from __future__ import annotations

import pytest
from dumpkit import catalogue, fresh_catalogue, load_dump, migrate, recorded, rows

from hub import db
from hub.app import create_app
from hub.enrolment import tokens
from hub.refusals import Refused
from wire import schema
from wire.records import timestamp

STEP = next(step for step in schema.load("hub.migrations") if step.name == "enrolment_token_cancelled")


def token_table(found: dict) -> dict:
    return {section: {name: value for name, value in entries.items() if "enrolment_token" in name}
            for section, entries in found.items() if any("enrolment_token" in name for name in entries)}


def test_saved_tokens_keep_their_state_and_an_unused_one_can_then_be_cancelled(hub_db_url, instance):
    models = fresh_catalogue(hub_db_url)
    load_dump(hub_db_url, "today")
    migrate(hub_db_url, upto=STEP.number - 1)
    before = rows(hub_db_url)
    assert before["enrolment_token"]

    assert migrate(hub_db_url, upto=STEP.number) == [f"{db.hub_schema().title}: applied {STEP.label}"]

    after = rows(hub_db_url)
    assert {table: after[table] for table in before if table != "enrolment_token"} == \
        {table: found for table, found in before.items() if table != "enrolment_token"}
    assert [row[:-1] for row in after["enrolment_token"]] == before["enrolment_token"]  # one new column, empty
    assert all(row[-1] is None for row in after["enrolment_token"])
    assert token_table(catalogue(hub_db_url)) == token_table(models)
    assert recorded(hub_db_url) == STEP.number
    migrate(hub_db_url)  # the rest of this release's steps, as `hub run` does
    create_app({"DATABASE_URL": hub_db_url}, instance_path=instance)
    now = timestamp()
    with db.connected():
        states = {info.token_id: info.state(now) for info in tokens.list_tokens()}
        assert tokens.CANCELLED not in states.values() and tokens.USED in states.values()
        token, info = tokens.create("edge-new", 3600)
        tokens.cancel(info.token_id, timestamp())
        with pytest.raises(Refused) as refused:
            tokens.redeem(str(token), "edge-new", timestamp())
    assert refused.value.code == "token_cancelled"
