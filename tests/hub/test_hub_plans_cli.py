"""`throughgate hub people plan ...` on a real instance (SQLite), run in-process through the hub's own argument
parser: the countdown and the nine pathways, a pathway set and the release date moved (the person's date too),
refusals that say what to do, a value that lost a conflict listed as "Also written", and the audit trail."""

from __future__ import annotations

import pytest

from hub import db
from hub.plans import service
from wire import plans


@pytest.fixture
def hub(hub_cli_fresh):
    """hub("people", "plan", P) -> (exit code, stdout, stderr) of `throughgate hub ... --instance`."""
    return hub_cli_fresh


def test_a_plan_is_shown_set_and_moved_and_each_change_is_audited(hub):
    person = hub("people", "add", "--release-date", "2027-03-14")[1].strip()
    code, out, _ = hub("people", "plan", person)
    assert code == 0 and out.startswith(f"{person}: Release in ") and "(2027-03-14)." in out.splitlines()[0]
    assert [line.split("  ")[0] for line in out.splitlines()[2:]] == [label for _k, label, _cy in plans.PATHWAYS]

    code, out, _ = hub("people", "plan", person, "--set", "accommodation", "--status", "in progress", "--owner",
                       "Housing officer, Cardiff council", "--notes", "Hostel place asked for")
    row = next(line for line in out.splitlines() if line.startswith("Accommodation"))
    assert code == 0 and "in progress" in row and "Housing officer, Cardiff council" in row and "by cli:" in row

    code, out, _ = hub("people", "plan", person, "--release-date", "2027-03-21")
    assert code == 0 and "(2027-03-21)." in out.splitlines()[0] and "Also written" not in out
    assert "2027-03-21" in hub("people", "list")[1]

    audit = hub("audit", "export")[1]
    assert audit.count('"plans.manage"') == 3


def test_wrong_input_is_refused_saying_what_to_do(hub):
    person = hub("people", "add")[1].strip()
    code, _out, err = hub("people", "plan", person, "--set", "gp", "--status", "finished")
    assert code == 1 and "a status is one of not_started, in_progress, done, not_needed" in err
    code, _out, err = hub("people", "plan", person, "--status", "done")
    assert code == 1 and "say which pathway to change with --set PATHWAY" in err
    code, _out, err = hub("people", "plan", person, "--set", "housing", "--owner", "x")
    assert code == 1 and "the pathways are accommodation, id," in err
    code, _out, err = hub("people", "plan", person, "--release-date", "14/03/2027")
    assert code == 1 and "YYYY-MM-DD" in err
    code, _out, err = hub("people", "plan", "P-0000-0000")
    assert code == 1 and "no person" in err


def test_a_value_that_lost_a_conflict_is_listed(hub):
    person = hub("people", "add")[1].strip()
    hub("people", "plan", person, "--set", "gp", "--owner", "Healthcare team")
    with hub.app().app_context(), db.connected():  # an edit written earlier at a prison's edge, arriving now
        service.apply(person, plans.check_edit("gp", "owner", "Olivia", "2026-01-01T09:00:00.000Z", "mary (edge-1)"))
    out = hub("people", "plan", person)[1]
    assert "Healthcare team" in out
    assert out.splitlines()[-1] == ("Also written: GP registration owner 'Olivia' by mary (edge-1) at "
                                    "2026-01-01T09:00:00.000Z")
