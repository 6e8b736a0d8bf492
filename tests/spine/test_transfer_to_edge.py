"""A transfer between prisons, with a real hub process (issue 11): a learner at edge-north (their records arrive in
its sealed batches: progress in algebra-1, a badge, feedback) moves to the stack's edge (edge-1) as L-0107; `hub
people transfer` keeps their record and names the course edge-1 lacks; edge-1 pulls the record over its own mutual
TLS and imports it under L-0107, so its console's progress page counts their units and shows their badge and
feedback; the hub stops offering it; a second run of the command and a second pull add nothing, and with
--send-courses the course goes to edge-1."""

from __future__ import annotations

import uuid

import pytest

from edge import config as edge_config
from edge import store
from edge.console import learning
from edge.console.app import create_app
from edge.courses import progress as course_progress
from edge.courses.tables import CourseProgress
from edge.transfers import pull
from edge.transfers.tables import TransferIn, TransferredRecord
from edge.uplink.hubclient import HubClient
from hub import ca, db
from hub.app import create_app as hub_create_app
from tests.console.consolekit import Visitor, seed_staff
from tests.hub.coursekit import build_native_zip
from tests.hub.hubkit import enrol_edge, hub_command, post_envelope, tls_client
from throughgate.stack import _cli
from wire.records import new_record, timestamp


def _statement(learner: str, activity: str, score: float) -> dict:
    return {"id": str(uuid.uuid4()), "actor": {"account": {"homePage": "urn:throughgate", "name": learner}},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en": "completed"}},
            "object": {"id": f"urn:throughgate:course:{activity}"}, "result": {"score": {"scaled": score}},
            "context": {"extensions": {"urn:throughgate:course-version": 1}},
            "timestamp": timestamp()}


def _records(learner: str) -> list[dict]:
    made = [new_record("progress_statement", learner, seq, _statement(learner, activity, score))
            for seq, (activity, score) in enumerate([("algebra-1/unit-1", 0.9), ("algebra-1/unit-2", 0.7)], start=1)]
    made.append(new_record("award", learner, 3, {"badge": "Algebra starter", "rule": "complete at least 2 units",
                                                 "awarded": timestamp(), "course": "algebra-1"}))
    made.append(new_record("feedback", learner, 4, {"submission": made[0].id, "assignment": "essay-1",
                                                    "grade": "Merit", "feedback": "Clear and careful.",
                                                    "marker": "tina", "marked": timestamp()}))
    return [r.to_dict() | {"device": "tab-0001", "received": timestamp()} for r in made]


@pytest.fixture
def moved(stack_factory, tmp_path):
    stack = stack_factory()
    stack.start_hub()
    hub_url = f"sqlite:///{stack.hub_dir / 'hub.db'}"
    app = hub_create_app({"DATABASE_URL": hub_url}, instance_path=stack.hub_dir)
    with app.app_context(), db.connected():
        north = enrol_edge(app, "edge-north")
    context = tls_client(ca.files(stack.hub_dir).root_cert, north.tls_files(tmp_path / "north"))
    sent = _records("L-0042")
    status, _ = post_envelope(stack.hub_url, context, north.seal(sent))
    assert status == 200
    build_native_zip(tmp_path / "algebra.zip", course="algebra-1", title="Algebra 1")
    # set up with the hub's commands in this process (the transfer, under test, runs as a process)
    hub_command("courses", "import", str(tmp_path / "algebra.zip"), "--instance", str(stack.hub_dir))
    hub_command("courses", "target", "algebra-1", "--edge", "edge-north", "--instance", str(stack.hub_dir))
    person = hub_command("people", "add", "--instance", str(stack.hub_dir)).strip()
    hub_command("people", "link", person, "--edge", "edge-north", "--learner", "L-0042", "--instance",
                str(stack.hub_dir))
    cfg = edge_config.load(stack.edge_dir)
    store.open_store(str(cfg.db_path)).close()
    console = create_app(cfg)
    seed_staff()
    yield stack, cfg, person, sent, console
    if not store.db.is_closed():
        store.db.close()


def test_a_transfer_brings_progress_badges_and_feedback_to_the_new_prisons_edge_once(moved):
    stack, cfg, person, sent, console = moved
    printed = _cli("hub", "people", "transfer", person, "--to", stack.edge_id, "--learner", "L-0107", "--instance",
                   str(stack.hub_dir))
    assert f"{person} is L-0107 at {stack.edge_id} now" in printed and "L-0042@edge-north" in printed
    assert f"Courses they were taking that {stack.edge_id} does not have: algebra-1. Add --send-courses" in printed

    client = HubClient(cfg.uplink.hub_url, **stack.edge_tls())
    pulled = pull.pull(client)
    assert (pulled.transfers, pulled.records) == (1, 4)
    kept = {row.id: (row.kind, row.learner, row.from_edge, row.from_learner) for row in TransferredRecord.select()}
    assert kept == {r["id"]: (r["kind"], "L-0107", "edge-north", "L-0042") for r in sent}
    everyone = learning.Scope(everyone=True)
    progress = learning.progress_of(everyone, ["L-0107"])["L-0107"]
    assert progress.units == 2
    assert "L-0042" not in learning.known_learners(everyone)
    course_progress.absorb()
    assert {(row.learner, row.course) for row in CourseProgress.select()} == {("L-0107", "algebra-1")}

    mary = Visitor(console)
    assert mary.login("mary").status_code == 302
    page = mary.get("/progress/learner/L-0107").get_data(as_text=True)
    assert "From earlier prisons" in page and "Algebra starter" in page and "Clear and careful." in page
    assert "Units completed: <strong>2</strong>" in page

    assert pull.pull(client) == pull.Pulled(0, 0)  # delivered: not offered again
    assert TransferIn.get(TransferIn.learner == "L-0107").records == 4
    again = _cli("hub", "people", "transfer", person, "--to", stack.edge_id, "--learner", "L-0107",
                 "--send-courses", "--instance", str(stack.hub_dir))
    assert "nothing added" in again and "imported 4 records" in again
    shown = _cli("hub", "people", "show", person, "--instance", str(stack.hub_dir))
    assert "L-0042" in shown and "L-0107" in shown and "IMPORTED AT" in shown
    assert f"Courses sent to {stack.edge_id} for everyone there: algebra-1." in again
    status, offered = client.call_json("GET", "/v1/courses")
    assert status == 200 and [c["groups"] for c in offered["courses"]] == [[]]
    assert "all at edge-1 already: algebra-1" in _cli("hub", "people", "transfer", person, "--to", stack.edge_id,
                                                       "--learner", "L-0107", "--instance", str(stack.hub_dir))


def test_a_pull_cut_off_before_it_reports_imports_nothing_twice(moved):
    stack, cfg, person, sent, _console = moved
    _cli("hub", "people", "transfer", person, "--to", stack.edge_id, "--learner", "L-0107", "--instance",
         str(stack.hub_dir))

    class CutBeforeDelivered(HubClient):
        def call_json(self, method, path, payload=None):
            if path.endswith("/delivered"):
                raise OSError("connection reset")
            return super().call_json(method, path, payload)

    with pytest.raises(pull.TransferError):
        pull.pull(CutBeforeDelivered(cfg.uplink.hub_url, **stack.edge_tls()))
    assert TransferredRecord.select().count() == 4
    assert pull.pull(HubClient(cfg.uplink.hub_url, **stack.edge_tls())) == pull.Pulled(1, 4)
    assert TransferredRecord.select().count() == 4
    assert learning.progress_of(learning.Scope(everyone=True), ["L-0107"])["L-0107"].units == 2
