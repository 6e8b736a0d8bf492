"""Migration 0005 (console accounts, sessions, failed logins) on a saved hub with rows, on SQLite and
PostgreSQL: the hub saved before schema versions (tests/hub/data "today"), brought to version 4, then
given what version 4 stores, by the services that write it (an admin token, an approval request,
audit entries, an edge's status report). After the step every row stays, the audit chain still verifies, the old
admin token still works, the new tables match the models, and an admin can be set up and log in."""

from __future__ import annotations

from adminkit import admin_token, bearer
from consolekit import BASE, login, make_admin
from dumpkit import catalogue, fresh_catalogue, load_dump, migrate, recorded, rows
from healthkit import sample_report

from hub import db
from hub.admins import roles
from hub.app import create_app
from hub.approvals import service as approvals
from hub.audit import trail
from hub.fleet import store
from wire import schema
from wire.records import timestamp

STEP = next(step for step in schema.load("hub.migrations") if step.name == "staff_accounts")
NEW_TABLES = ("staff_account", "staff_session", "staff_login_failure")


def staff_tables(found: dict) -> dict:
    return {section: {name: value for name, value in entries.items() if "staff" in name}
            for section, entries in found.items() if any("staff" in name for name in entries)}


def test_a_hub_at_version_4_keeps_every_row_and_its_admins_can_then_use_the_console(hub_db_url, instance):
    models = fresh_catalogue(hub_db_url)
    load_dump(hub_db_url, "today")
    migrate(hub_db_url, upto=STEP.number - 1)
    app = create_app({"DATABASE_URL": hub_db_url}, instance_path=instance)
    with app.app_context(), db.proxy.connection_context():  # what version 4 stores, by the services that write it
        store.save("edge-north", sample_report("edge-north"), timestamp(), keep=10)
        approvals.ask("edges.revoke", "edge-north", {"edge_id": "edge-north"}, "alice", 3600, timestamp())
        for action in ("edges.list", "courses.list"):
            trail.append(trail.Actor("alice", roles.FLEET, "10.0.0.9"), action)
    token = admin_token("ops-bot", roles.AUDITOR)
    before = rows(hub_db_url)
    assert before["admin_token"] and before["approval_request"] and before["audit_entry"] and before["edge_report"]
    assert not any(table in before for table in NEW_TABLES)

    lines = migrate(hub_db_url, upto=STEP.number)

    assert lines == [f"{db.hub_schema().title}: applied {STEP.label}"]
    after = rows(hub_db_url)
    assert {table: after[table] for table in before} == before
    assert all(after[table] == [] for table in NEW_TABLES)
    assert staff_tables(catalogue(hub_db_url)) == staff_tables(models) != {}
    assert recorded(hub_db_url) == STEP.number
    migrate(hub_db_url)  # the rest of this release's steps, as `hub run` does
    app = create_app({"DATABASE_URL": hub_db_url}, instance_path=instance)
    with app.app_context(), db.connected():
        assert trail.verify().intact
    assert app.test_client().get("/v1/admin/edges", headers=bearer(token)).status_code == 200
    admin = make_admin(app, "alice", roles.FLEET)
    browser = app.test_client()
    assert login(app, browser, admin).status_code == 302
    page = browser.get("/admin/fleet", base_url=BASE)
    assert page.status_code == 200 and "Log out" in page.get_data(as_text=True)
