"""Migration 0003 (admin tokens, approval requests, the audit trail) on a hub saved from the release
before it, with rows, on SQLite and PostgreSQL: every row stays, the new tables are there and empty,
and the hub.toml admin token keeps working ADMIN_TOKEN_DAYS from the upgrade, then is refused."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from adminkit import admin_token, bearer
from dumpkit import load_dump, migrate, recorded, rows
from hubkit import ADMIN_TOKEN, EdgeIdentity

from hub import db
from hub.admins import legacy, roles
from hub.app import create_app
from hub.audit import trail
from wire.records import parse_timestamp

NEW_TABLES = {"admin_token", "approval_request", "audit_entry"}
STEP = 3


@pytest.fixture
def upgraded(hub_db_url, instance):
    """A saved hub (edges, tokens, batches, records) as the release before ran it (version 2), then migrated
    to 0003 as `hub run` does."""
    load_dump(hub_db_url, "today")
    migrate(hub_db_url, upto=2)
    assert recorded(hub_db_url) == 2
    before = rows(hub_db_url)
    lines = migrate(hub_db_url, upto=STEP)
    assert lines == [f"{db.hub_schema().title}: applied 0003_admin_tokens_approvals_audit"]
    return before


def app_on(url, instance, **settings):
    """The upgraded hub as `hub run` serves it: brought to this release's schema first (later steps keep
    what 0003 made)."""
    migrate(url)
    return create_app({"DATABASE_URL": url, "ADMIN_TOKEN_SHA256": hashlib.sha256(ADMIN_TOKEN.encode()).hexdigest(),
                       **settings}, instance_path=instance)


def test_every_old_row_stays_and_the_new_tables_start_empty(hub_db_url, upgraded):
    after = rows(hub_db_url)
    assert {table: found for table, found in after.items() if table in upgraded} == upgraded
    assert set(after) >= NEW_TABLES and not any(after[table] for table in NEW_TABLES)
    assert recorded(hub_db_url) == STEP


def test_the_old_admin_token_works_on_the_upgraded_hub_for_its_days_from_the_upgrade(hub_db_url, instance, upgraded):
    app = app_on(hub_db_url, instance)
    client = app.test_client()
    listed = client.get("/v1/admin/edges", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert listed.status_code == 200 and {e["edge_id"] for e in listed.get_json()} >= {"edge-north", "edge-south"}
    with db.proxy.connection_context():
        until = parse_timestamp(legacy.expires_at(30))
        [entry] = list(trail.entries())
    assert dt.timedelta(days=29) < until - dt.datetime.now(dt.UTC) <= dt.timedelta(days=30)
    assert entry["actor"] == "hub.toml" and entry["action"] == "edges.list"

    expired = app_on(hub_db_url, instance, ADMIN_TOKEN_DAYS=0).test_client()
    refused = expired.get("/v1/admin/edges", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert refused.status_code == 401 and "admins token create" in refused.get_json()["reason"]


def test_the_upgraded_hub_makes_scoped_tokens_and_asks_for_a_second_admin(hub_db_url, instance, upgraded):
    app = app_on(hub_db_url, instance, ADMIN_APPROVALS=True)
    client = app.test_client()
    alice, carol = bearer(admin_token("alice", roles.FLEET)), bearer(admin_token("carol", roles.FLEET))
    made = client.post("/v1/admin/enrolment-tokens", json={"edge_id": "edge-east"}, headers=alice).get_json()
    assert client.post("/v1/enrol", json=EdgeIdentity.new("edge-east").request(made["token"])).status_code == 403
    assert client.post(f"/v1/admin/approvals/{made['approval']['id']}/approve", headers=carol).status_code == 200
    assert client.post("/v1/enrol", json=EdgeIdentity.new("edge-east").request(made["token"])).status_code == 200
    with db.proxy.connection_context():
        assert trail.verify().count == 2
