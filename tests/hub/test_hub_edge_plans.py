"""Release plan edits made at a prison's edge console, as the hub takes them from the edge's sealed batches
(hub/plans/service.py `apply_records`), on SQLite and PostgreSQL: each merges per field into the linked person's
plan (a later worker's value wins, the edge's is kept; the edge's other fields are taken), the person's feed gets
the item, the record again changes nothing, a bad payload is stored but not merged, and edits for a learner not
linked yet merge when `link` is run."""

from __future__ import annotations

import pytest
from hubkit import post_batch

from hub.people import service as people
from hub.plans import service as plans
from hub.sync import feed
from wire import plans as rules
from wire.records import new_record, timestamp


def _edit(learner: str, pathway: str, field: str, value: str, at: str, base: str | None = None) -> dict:
    payload = {"pathway": pathway, "field": field, "value": value, "at": at, "by": "mary", "base": base}
    return new_record("release_plan", learner, 1, payload).to_dict() | {"device": "console", "received": timestamp()}


@pytest.fixture
def person(app, edge):
    found = people.add("test", "2027-03-14")
    people.link(found.person_id, edge.edge_id, "L-0042")
    return found.person_id


def test_an_edge_edit_merges_per_field_and_reaches_the_feed_once(client, edge, person):
    plans.apply(person, rules.check_edit("accommodation", "owner", "Housing officer", "2026-12-07T11:00:00.000Z",
                                         "olivia"))
    owner = _edit("L-0042", "accommodation", "owner", "Olivia", "2026-12-07T10:00:00.000Z")
    status = _edit("L-0042", "accommodation", "status", "in_progress", "2026-12-07T10:00:00.000Z")
    assert post_batch(client, edge, edge.seal([owner, status])).status_code == 200
    fields = plans.fields_of(people.find(person))["accommodation"]
    assert fields["owner"].current.value == "Housing officer"
    assert [(w.value, w.by) for w in fields["owner"].losing] == [("Olivia", "mary (edge-1)")]
    assert fields["status"].current.value == "in_progress"
    seen = len(feed.page(person, 0)[0])
    assert post_batch(client, edge, edge.seal([owner, status])).status_code == 200  # again, in a new batch
    assert len(feed.page(person, 0)[0]) == seen
    body = [c for c in feed.page(person, 0)[0] if c["kind"] == "plan"][-1]["body"]
    assert body["also"] == [{"field": "owner", "value": "Olivia", "by": "mary (edge-1)",
                             "at": "2026-12-07T10:00:00.000Z"}]


def test_a_release_date_from_the_edge_moves_the_persons_date_and_a_bad_edit_is_not_merged(client, edge, person):
    date = _edit("L-0042", "release", "date", "2027-03-21", timestamp())
    bad = _edit("L-0042", "housing", "owner", "x", timestamp())
    assert post_batch(client, edge, edge.seal([date, bad])).status_code == 200
    assert people.find(person).release_date == "2027-03-21"
    assert "housing" not in plans.fields_of(people.find(person))


def test_edits_for_a_learner_not_linked_yet_merge_when_they_are_linked(app, client, edge):
    waiting = _edit("L-0099", "gp", "status", "done", timestamp())
    assert post_batch(client, edge, edge.seal([waiting])).status_code == 200
    found = people.add("test")
    assert plans.fields_of(found) == {}
    people.link(found.person_id, edge.edge_id, "L-0099")
    assert plans.fields_of(people.find(found.person_id))["gp"]["status"].current.value == "done"


def test_an_edge_gets_the_merged_items_of_its_own_learners_only_from_its_cursor(client, make_edge):
    north, south = make_edge("edge-north"), make_edge("edge-south")
    mine, theirs = people.add("test").person_id, people.add("test").person_id
    people.link(mine, "edge-north", "L-0042")
    people.link(theirs, "edge-south", "L-0007")
    for person in (mine, theirs):
        plans.apply(person, rules.check_edit("gp", "owner", "Healthcare team", timestamp(), "olivia"))
    answer = client.get("/v1/edge/plans?after=0", environ_base=north.environ).get_json()
    assert [(i["learner"], i["pathway"], i["item"]["owner"]) for i in answer["items"]] == [
        ("L-0042", "gp", "Healthcare team")]
    assert answer["more"] is False
    theirs_seen = client.get("/v1/edge/plans?after=0", environ_base=south.environ).get_json()["items"]
    assert [(i["learner"], i["pathway"]) for i in theirs_seen] == [("L-0007", "gp")]
    again = client.get(f"/v1/edge/plans?after={answer['cursor']}", environ_base=north.environ).get_json()
    assert again["items"] == [] and again["cursor"] == answer["cursor"]
    plans.apply(mine, rules.check_edit("gp", "status", "done", timestamp(), "olivia"))
    later = client.get(f"/v1/edge/plans?after={answer['cursor']}", environ_base=north.environ).get_json()
    assert [(i["pathway"], i["item"]["status"]) for i in later["items"]] == [("gp", "done")]
    assert client.get("/v1/edge/plans?after=x", environ_base=north.environ).status_code == 400
    assert client.get("/v1/edge/plans?after=0").status_code in (401, 403)  # no client certificate
