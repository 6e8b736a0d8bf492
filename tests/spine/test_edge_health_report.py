"""Every edge reports its health: a real edge process sends its status report to a real hub over mutual TLS,
and the hub's admin reads it with `throughgate hub edges health` / `hub edges show` (each a real CLI run).
The tests wait for a report by reading the hub's database (a CLI run per poll cost a second of CPU each), then
read what the admin sees with the CLI.

- the report arrives and is printed in full; the hub keeps only the newest EDGE_REPORTS_KEPT;
- a sick edge: its hub link cut, it turns red as silent, and green again once it reports;
- an edge whose tablet CRL is about to run out shows that alarm at the hub, with what to do.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from datetime import UTC, datetime

import pytest

from tests.conftest import FAST, copy_of
from tests.spine.waiting import wait_for
from throughgate.stack import _cli

REPORT_EVERY = {"uplink__report_interval_s": 0.5}
SILENT_AFTER_S = 4


@pytest.fixture
def make_stack(built_template, tmp_path):
    """make_stack(env, **edge settings) -> a started hub, edge and broker; everything stopped afterwards."""
    made = []

    def make(env: dict | None = None, **settings):
        stack = copy_of(built_template, tmp_path / f"stack{len(made)}", env=env, **{**FAST, **REPORT_EVERY, **settings})
        made.append(stack)
        return stack.start()

    yield make
    for stack in made:
        stack.stop()


def hub(stack, *args: str) -> str:
    """`throughgate hub ARGS --instance <the stack's hub>`, the edge rated silent after SILENT_AFTER_S."""
    return _cli("hub", *args, "--instance", str(stack.hub_dir),
                env={**stack.env, "THROUGHGATE_HUB_EDGE_SILENT_AFTER_S": str(SILENT_AFTER_S)})


def edge_health(stack) -> dict:
    return json.loads(hub(stack, "edges", "show", stack.edge_id, "--json", "--history", "100"))


def stored(stack) -> list[dict]:
    """The edge's reports as the hub keeps them, oldest first, each with its "received_at" (read from the hub's
    SQLite file: a cheap poll)."""
    with contextlib.closing(sqlite3.connect(stack.hub_dir / "hub.db", timeout=10)) as conn:
        try:
            rows = conn.execute("SELECT received_at, report FROM edge_report WHERE edge_id = ? ORDER BY id",
                                (stack.edge_id,)).fetchall()
        except sqlite3.OperationalError:  # the hub has not made its tables yet
            return []
    return [{**json.loads(report), "received_at": received_at} for received_at, report in rows]


def silent_for(stack) -> float:
    """Seconds since the hub received the edge's last report (the hub's clock: this machine's)."""
    last = datetime.fromisoformat(stored(stack)[-1]["received_at"].replace("Z", "+00:00"))
    return (datetime.now(UTC) - last).total_seconds()


def rated(stack, colour: str):
    """The fleet overview once the edge is rated `colour`, else None."""
    [row] = json.loads(hub(stack, "edges", "health", "--json"))
    return row if row["rating"] == colour else None


def test_the_edges_report_reaches_the_hub_and_hub_edges_show_prints_it(make_stack):
    stack = make_stack(env={"THROUGHGATE_HUB_EDGE_REPORTS_KEPT": "3"})
    stack.add_devices(2)

    first = wait_for(lambda: stored(stack), 30, "the edge's first report at the hub")[0]
    assert first["edge_id"] == stack.edge_id and first["tablets"]["enrolled"] in (0, 2)
    # the hub keeps 3: once the first report is gone, later ones took its place
    wait_for(lambda: stored(stack)[0]["sent_at"] > first["sent_at"], 30, "the first report dropped")
    wait_for(lambda: stored(stack)[-1]["tablets"]["enrolled"] == 2, 30, "a report counting the 2 tablets")
    health = edge_health(stack)
    assert health["report"]["edge_id"] == stack.edge_id and health["report"]["tablets"]["enrolled"] == 2
    assert len(health["history"]) == 3 and health["history"][0]["sent_at"] > first["sent_at"]

    shown = hub(stack, "edges", "show", stack.edge_id)
    assert shown.startswith(f"edge {stack.edge_id}: GREEN\n")
    assert "tablets:        2 enrolled, 0 active in the last 24 h, 0 revoked" in shown
    assert "alarms (none):" in shown and "backlog over time (last 3 reports, oldest first):" in shown
    assert "certificates:   edge's client certificate until 20" in shown
    listed = hub(stack, "edges", "health").splitlines()
    assert listed[1].split()[:2] == [stack.edge_id, "GREEN"]


def test_a_sick_edge_turns_red_as_silent_when_its_hub_link_is_cut_and_green_once_it_reports(make_stack):
    stack = make_stack()
    wait_for(lambda: stored(stack), 30, "the edge's first report at the hub")
    wait_for(lambda: rated(stack, "green"), 30, "the edge rated green")

    stack.hub.stop()  # the link is cut: the edge's reports cannot arrive
    wait_for(lambda: silent_for(stack) > SILENT_AFTER_S + 0.2, 30, f"{SILENT_AFTER_S} s without a report")
    silent = wait_for(lambda: rated(stack, "red"), 30, "the edge rated red")

    assert silent["reasons"][0].startswith("silent for ")
    stack.start_hub()
    wait_for(lambda: stored(stack)[-1]["received_at"] > silent["last_report_at"], 30, "a report after the cut")
    back = wait_for(lambda: rated(stack, "green"), 30, "the edge green again")
    assert back["reasons"] == [] and back["last_report_at"] > silent["last_report_at"]


def test_an_edge_whose_crl_is_about_to_run_out_shows_the_alarm_at_the_hub_with_what_to_do(make_stack):
    stack = make_stack(tablets__crl_days=1.0)  # a CRL that lives one day, under the 3-day alarm

    wait_for(lambda: any(a["code"] == "crl_expiring" for r in stored(stack) for a in r["alarms"]),
             30, "the crl_expiring alarm at the hub")

    shown = hub(stack, "edges", "show", stack.edge_id)
    assert shown.startswith(f"edge {stack.edge_id}: RED\n  - alarm crl_expiring\n  - the tablet CRL runs out at ")
    assert "  ! crl_expiring since " in shown and ": the tablet CRL runs out in " in shown
    assert ("    what to do: The tablet CRL is not being re-issued: read the edge log (journalctl -u "
            "throughgate-edge)") in shown
