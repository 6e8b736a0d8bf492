"""Security pass: a person's release plan stays with the prison they are at.

After `hub people transfer` the prison they left keeps its learner link. Before, GET /v1/edge/plans went on
sending that edge every change workers made to the person's plan (who houses them, their notes), and a
release_plan record from it still merged into the plan, so staff of a prison the person had left could read
and rewrite it. Now neither: only the edge of their latest transfer (hub/people/moves.py)."""

from __future__ import annotations

import pytest
from hubkit import post_batch

from hub.people import service as people
from hub.people import transfers
from hub.plans import service as plans
from wire import plans as rules
from wire.records import new_record, timestamp


def _edit(learner: str, value: str) -> dict:
    payload = {"pathway": "accommodation", "field": "owner", "value": value, "at": timestamp(), "by": "mallory",
               "base": None}
    return new_record("release_plan", learner, 1, payload).to_dict() | {"device": "console", "received": timestamp()}


@pytest.fixture
def moved(client, make_edge):
    north, south = make_edge("edge-north"), make_edge("edge-south")
    person = people.add("test", "2027-03-14").person_id
    people.link(person, "edge-north", "L-0042")
    transfers.transfer(person, "edge-south", "L-0107", "cli:test")
    plans.apply(person, rules.check_edit("accommodation", "notes", "Approved premises, 12 High St", timestamp(),
                                         "olivia"))
    return north, south, person


def test_the_prison_the_person_left_is_sent_none_of_their_plan(client, moved):
    north, south, _person = moved
    left = client.get("/v1/edge/plans?after=0", environ_base=north.environ).get_json()
    assert left["items"] == []
    now = client.get("/v1/edge/plans?after=0", environ_base=south.environ).get_json()
    assert [(i["learner"], i["item"]["notes"]) for i in now["items"]] == [("L-0107", "Approved premises, 12 High St")]


def test_the_prison_the_person_left_cannot_write_their_plan(client, moved):
    north, south, person = moved
    assert post_batch(client, north, north.seal([_edit("L-0042", "Someone else")])).status_code == 200
    assert "owner" not in plans.fields_of(people.find(person)).get("accommodation", {})
    assert post_batch(client, south, south.seal([_edit("L-0107", "Housing officer")])).status_code == 200
    assert plans.fields_of(people.find(person))["accommodation"]["owner"].current.value == "Housing officer"
