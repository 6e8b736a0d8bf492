"""Migration 0011 (teams, duty, team messages) on a saved hub with rows (tests/hub/data "today",
brought to version 10, with a released person, their feed, a message, a worker of a team and a
caseload as version 10 holds them), on SQLite and PostgreSQL: every row stays, the three new tables
match the models and start empty, and the person's next message to their team then waits for whoever
is on duty, and an answer answers it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dumpkit import inserting, migrate, step_adds_tables

from hub import db
from hub.app import create_app
from hub.staff import accounts
from hub.teams import service as teams
from wire import schema

STEP = next(step for step in schema.load("hub.migrations") if step.number == 11)
NEW = ("team", "team_duty", "team_message")
PERSON = "P-8XXH-XDWK"
OLD_ROWS = (  # what a hub at version 10 holds of a released person and their team's worker
    "INSERT INTO person VALUES ('P-8XXH-XDWK', 'released', '2026-12-01', '2026-12-01T09:00:00.000Z', "
    "'2026-11-01T09:00:00.000Z', 'cli:root')",
    "INSERT INTO person_change (person_id, kind, item_id, body, at) VALUES ('P-8XXH-XDWK', 'message', "
    "'d6b536b6-0383-46d1-992a-718fa624a715', '{\"text\":\"Hello\"}', '2026-12-01T09:00:00.000Z')",
    "INSERT INTO message VALUES ('d6b536b6-0383-46d1-992a-718fa624a715', 'P-8XXH-XDWK', {true}, 'olivia', 'Hello', "
    "'2026-12-01T09:00:00.000Z', '2026-12-01T09:00:01.000Z', NULL, NULL)",
    "INSERT INTO staff_account (name, console, role, display_name, team, totp_last_step, created_at, created_by) "
    "VALUES ('olivia', 'worker', 'offender_manager', 'Olivia', 'Cardiff probation', 0, '2026-11-01T09:00:00.000Z', "
    "'cli:root')",
    "INSERT INTO caseload VALUES ('olivia', 'P-8XXH-XDWK', '2026-12-01T09:00:00.000Z', 'cli:root')",
)


def test_a_saved_hub_keeps_its_rows_and_then_routes_a_message_to_the_team_on_duty(hub_db_url, instance):
    assert STEP.name == "teams_duty"
    before = step_adds_tables(hub_db_url, STEP, NEW, inserting(OLD_ROWS))
    assert before["person"] and before["message"] and before["staff_account"] and before["caseload"]
    migrate(hub_db_url)
    create_app({"DATABASE_URL": hub_db_url}, instance_path=instance)
    with db.connected():
        team = teams.add("Cardiff probation", 240, "test")
        assert [m.name for m in teams.members(team.name)] == ["olivia"]  # the account's team, as it was
        teams.set_duty("olivia", True, "test")
        teams.receive(PERSON, "0b0e7a43-5d43-4c0e-9d9d-0cbb3cf1b8a1", "team:Cardiff probation", "Hi",
                      "2027-01-11T09:00:00.000Z")
        [waiting] = teams.waiting(team, datetime.now(UTC) + timedelta(hours=5))
        assert waiting.person_id == PERSON and waiting.flagged
        olivia = accounts.find("olivia")
        assert teams.inbox_holder(olivia) == "on duty"
        reply = teams.answer(olivia, PERSON, "Hello, this is Olivia for the team.")
        assert teams.waiting(team, datetime.now(UTC) + timedelta(hours=5)) == []
        assert [m.message_id for m in teams.thread(team.name, PERSON)][-1] == reply.message_id
