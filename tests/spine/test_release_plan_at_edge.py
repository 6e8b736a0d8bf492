"""A release plan written at the prison's edge console, with real processes (the hub, the edge, Mosquitto) and the
reference tablet client (issue 11): the manager sets a learner's release date and a pathway; a worker at the hub
had written the same field later; the edge's real sealed batch reaches the hub and merges per field (the later
value wins, the edge's is kept and shown, the edge's status and date are taken); the batch again changes nothing;
the learner's tablet receives the plan before release, the edge's own edits at once and the hub's merged items by
the edge's pull, and acknowledges it (`throughgate tablet plan`)."""

from __future__ import annotations

import json
import time

import pytest

from edge import config as edge_config
from edge import store
from edge.console.app import create_app
from edge.downlink.tables import DownMessage
from edge.plans import pull as plan_pull
from edge.plans.tables import LearnerPlanField
from edge.uplink.hubclient import HubClient
from tests.console.consolekit import Visitor, seed_staff
from tests.hub.hubkit import hub_command
from tests.spine.test_learner_binding import _bind
from tests.spine.test_release_at_edge import _deliver
from tests.spine.waiting import wait_for
from throughgate.cli import main
from throughgate.stack import _cli

LEARNER = "L-0042"
QUIET_S = 1.0
"""relay.down_listen_quiet_s here: the edge sends its messages when it starts, before this tablet ever connected
(the broker keeps nothing for it); the tablet's "listening" then gets them again once this long has passed."""


@pytest.fixture
def prison(stack_factory):
    """Mosquitto, a tablet bound to L-0042, a person linked to L-0042 at edge-1 (hub and edge not running yet),
    and edge-1's console in this process with its manager logged in."""
    stack = stack_factory(relay__down_listen_quiet_s=QUIET_S)
    stack.start_broker()
    [tablet] = stack.add_devices(1).values()
    _bind(stack, tablet, LEARNER)
    person = hub_command("people", "add", "--instance", str(stack.hub_dir)).strip()  # (set-up: in this process)
    hub_command("people", "link", person, "--edge", stack.edge_id, "--learner", LEARNER, "--instance",
                str(stack.hub_dir))
    cfg = edge_config.load(stack.edge_dir)
    store.open_store(str(cfg.db_path)).close()
    app = create_app(cfg)
    seed_staff()
    mary = Visitor(app)
    assert mary.login("mary").status_code == 302
    yield stack, cfg, person, mary, tablet
    if not store.db.is_closed():
        store.db.close()


def _hub_plan(stack, person: str) -> str:
    return _cli("hub", "people", "plan", person, "--instance", str(stack.hub_dir))


def test_an_edit_at_the_edge_merges_at_the_hub_per_field_and_reaches_the_tablet(prison, capsys):
    stack, cfg, person, mary, tablet = prison
    page = f"/learners/learner/{LEARNER}/plan/"
    assert mary.get(page).status_code == 200
    assert mary.post(page, {"pathway": "release", "was_date": "", "date": "2027-03-14"}).status_code == 303
    saved = mary.post(page, {"pathway": "accommodation", "was_status": "not_started", "status": "in_progress",
                             "was_owner": "", "owner": "Olivia", "was_notes": "", "notes": ""})
    assert saved.status_code == 303
    shown = mary.get(f"{page}?saved=accommodation").get_data(as_text=True)
    assert "Release in " in shown and "(2027-03-14)." in shown and "In progress, with Olivia" in shown
    assert {(r.pathway, r.field) for r in LearnerPlanField.select()} == {
        ("release", "date"), ("accommodation", "status"), ("accommodation", "owner")}

    # meanwhile (later by the clock) a worker at the hub gives the same field another owner
    _cli("hub", "people", "plan", person, "--set", "accommodation", "--owner", "Housing officer, Cardiff council",
         "--instance", str(stack.hub_dir))

    stack.start_hub()
    envelopes = _deliver(stack, cfg)
    assert len(envelopes) == 1
    merged = _hub_plan(stack, person)
    assert f"{person}: Release in " in merged and "(2027-03-14)." in merged
    row = next(line for line in merged.splitlines() if line.startswith("Accommodation"))
    assert "in progress" in row and "Housing officer, Cardiff council" in row
    assert "Also written: Accommodation owner 'Olivia' by mary (edge-1) at " in merged
    status, _ = HubClient(cfg.uplink.hub_url, **stack.edge_tls()).post_batch(envelopes[0])  # the batch again
    assert status == 409 and _hub_plan(stack, person) == merged

    # the tablet, before release: the edge's own edits went to it at once; the hub's merged items (with the
    # worker's owner) come with the edge's next pull; each counts as delivered once acknowledged
    assert DownMessage.select().where(DownMessage.device == tablet.device).count() == 3
    hub_client = HubClient(cfg.uplink.hub_url, **stack.edge_tls())
    assert plan_pull.pull(hub_client) == 4  # the worker's owner; the edge's date, status and losing owner merged
    assert plan_pull.pull(hub_client) == 0  # nothing new: nothing twice
    stack.start_edge()
    time.sleep(QUIET_S + 0.5)
    capsys.readouterr()
    assert main(["tablet", "plan", "--folder", str(tablet.folder), "--timeout", "30"]) == 0
    captured = capsys.readouterr()
    out = captured.out
    assert captured.err == "", captured.err
    assert f"Release plan for {LEARNER}: Release in " in out and "(2027-03-14)." in out
    assert "Accommodation (Llety): in progress, with Housing officer, Cardiff council" in out
    assert "Family (Teulu): not started" in out
    assert wait_for(lambda: all(row.acked for row in DownMessage.select().where(DownMessage.device == tablet.device)),
                    30, "the tablet's acknowledgements")


def test_the_plan_page_is_for_the_manager_and_a_wrong_date_is_refused_saying_what_to_do(prison):
    _stack, _cfg, _person, mary, _tablet = prison
    page = f"/learners/learner/{LEARNER}/plan/"
    refused = mary.post(page, {"pathway": "release", "was_date": "", "date": "14/03/2027"})
    assert refused.status_code == 400 and "YYYY-MM-DD" in refused.get_data(as_text=True)
    assert mary.post(page, {"pathway": "housing", "owner": "x"}).status_code == 400
    assert not LearnerPlanField.select().exists()
    assert mary.post(page, {"pathway": "gp", "was_status": "not_started", "status": "not_started", "was_owner": "",
                            "owner": "", "was_notes": "", "notes": ""}).status_code == 303
    assert not LearnerPlanField.select().exists()  # nothing changed: nothing written, nothing sent


def test_a_tablet_bound_after_the_plan_was_written_gets_each_pathway_once(stack_factory):
    stack = stack_factory()
    [tablet] = stack.add_devices(1).values()
    cfg = edge_config.load(stack.edge_dir)
    store.open_store(str(cfg.db_path)).close()
    app = create_app(cfg)
    seed_staff()
    mary = Visitor(app)
    assert mary.login("mary").status_code == 302
    try:
        page = f"/learners/learner/{LEARNER}/plan/"
        assert mary.post(page, {"pathway": "release", "was_date": "", "date": "2027-03-14"}).status_code == 303
        assert mary.post(page, {"pathway": "gp", "was_status": "not_started", "status": "done", "was_owner": "",
                                "owner": "Healthcare team", "was_notes": "", "notes": ""}).status_code == 303
        assert not DownMessage.select().exists()  # no tablet for L-0042 yet: nothing to send
        store.db.close()
        _bind(stack, tablet, LEARNER)
        _bind(stack, tablet, LEARNER)  # bound again: nothing twice
        store.open_store(str(cfg.db_path))
        sent = {row.message_id: row for row in DownMessage.select().where(DownMessage.device == tablet.device)}
        newest = {"release": LearnerPlanField.get(LearnerPlanField.pathway == "release").record,
                  "gp": max(LearnerPlanField.select().where(LearnerPlanField.pathway == "gp"),
                            key=lambda row: (row.at, row.record)).record}
        assert set(sent) == set(newest.values())
        body = json.loads(sent[newest["gp"]].body)
        assert (body["type"], body["pathway"], body["status"], body["owner"]) == ("plan", "gp", "done",
                                                                                 "Healthcare team")
    finally:
        if not store.db.is_closed():
            store.db.close()
