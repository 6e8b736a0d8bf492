"""`throughgate hub teams add|list|show|set|duty` on a real instance (SQLite), run in-process through the
hub's own argument parser: what each prints, the promise and duty as the console sees them, refusals
that say what to do, and each command in the audit trail as its action."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def hub(hub_cli_fresh):
    """hub("teams", "list") -> (exit code, stdout, stderr) of `throughgate hub ... --instance`."""
    for name, role in (("olivia", "offender_manager"), ("ed", "employment_adviser"), ("tom", "team_manager")):
        assert hub_cli_fresh("workers", "add", name, "--role", role, "--team", "Cardiff probation")[0] == 0
    return hub_cli_fresh


def test_a_team_gets_its_promise_members_and_managers_from_the_workers_accounts(hub):
    code, out, _ = hub("teams", "add", "Cardiff probation", "--reply-within", "4h")
    assert code == 0
    assert "answered within 4 h, or flagged to the team's managers" in out
    assert "Members: ed, olivia, tom." in out
    assert "Nobody is on duty: messages go to the team's manager (tom)." in out
    code, out, _ = hub("teams", "list")
    assert code == 0 and out.splitlines()[1].split() == ["Cardiff", "probation", "4", "h", "3", "nobody", "0", "0"]


def test_duty_on_and_off_and_a_new_promise_show_in_show(hub):
    hub("teams", "add", "Cardiff probation")
    assert "within 1 d" in hub("teams", "show", "Cardiff probation")[1]  # the default: a day
    code, out, _ = hub("teams", "duty", "ed", "--on")
    assert code == 0 and out.strip() == "ed is on duty for Cardiff probation. On duty: ed."
    assert hub("teams", "set", "Cardiff probation", "--reply-within", "90m")[0] == 0
    out = hub("teams", "show", "Cardiff probation")[1]
    assert "replies within 1 h 30 min" in out
    assert [line.split() for line in out.splitlines() if line.startswith(("ed ", "olivia "))] == [
        ["ed", "employment", "adviser", "yes"], ["olivia", "offender", "manager", "no"]]
    assert hub("teams", "duty", "ed", "--off")[1].strip().endswith("Nobody is on duty: messages go to the team's "
                                                                   "manager (tom).")


def test_refusals_say_what_to_do(hub):
    hub("teams", "add", "Cardiff probation")
    code, _, err = hub("teams", "add", "Cardiff probation")
    assert code == 1 and "teams set 'Cardiff probation' --reply-within" in err
    code, _, err = hub("teams", "show", "Newport")
    assert code == 1 and "no team named 'Newport': `throughgate hub teams list` shows them" in err
    code, _, err = hub("teams", "duty", "nobody", "--on")
    assert code == 1 and "no worker named 'nobody'" in err
    assert hub("workers", "add", "sam", "--role", "offender_manager", "--team", "Swansea probation")[0] == 0
    code, _, err = hub("teams", "duty", "sam", "--on")
    assert code == 1 and "has no team the hub knows" in err and "hub teams add" in err
    with pytest.raises(SystemExit):
        hub("teams", "set", "Cardiff probation", "--reply-within", "3y")


def test_each_teams_command_is_in_the_audit_trail_as_its_action(hub):
    hub("teams", "add", "Cardiff probation", "--reply-within", "4h")
    hub("teams", "duty", "ed", "--on")
    hub("teams", "list")
    entries = [json.loads(line) for line in hub("audit", "export")[1].splitlines()]
    actions = [(e["action"], e["target"], e["outcome"]) for e in entries if e["action"].startswith("teams.")]
    assert actions == [("teams.manage", "Cardiff probation", "ok"), ("teams.manage", "", "ok"),
                       ("teams.list", "", "ok")]
