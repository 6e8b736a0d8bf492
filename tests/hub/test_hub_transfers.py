"""Transfers between prisons at the hub (hub/people/transfers.py, edge_api.py), on SQLite and PostgreSQL: the person
keeps their record; the new prison's edge, over its own client certificate, is offered the transfer, pages through
what the person's learner id at the earlier prison sent (progress, feedback, badges), says it imported it, and is
not offered it again; another edge cannot see it; no certificate and a revoked edge are refused on every new edge
route (transfers and plans); the command run twice adds nothing; a person with no earlier prison is refused saying
what to do."""

from __future__ import annotations

import pytest
from hubkit import post_batch

from hub.enrolment import edges
from hub.people import service as people
from hub.people import transfers
from hub.people.models import PersonLearner, Transfer
from hub.refusals import Refused
from wire.records import new_record, timestamp


def _sent(learner: str, kind: str, payload: dict, seq: int) -> dict:
    return new_record(kind, learner, seq, payload).to_dict() | {"device": "console", "received": timestamp()}


@pytest.fixture
def moved(client, make_edge):
    north, south = make_edge("edge-north"), make_edge("edge-south")
    person = people.add("test").person_id
    people.link(person, "edge-north", "L-0042")
    other = [_sent("L-0099", "award", {"badge": "Someone else's"}, 1)]
    records = [_sent("L-0042", "award", {"badge": "Reader", "rule": "complete 1 unit", "awarded": timestamp()}, 2),
               _sent("L-0042", "feedback", {"submission": "x", "assignment": "essay-1", "grade": "Merit",
                                            "feedback": "Clear.", "marker": "tina", "marked": timestamp()}, 3)]
    assert post_batch(client, north, north.seal(records + other)).status_code == 200
    made, new = transfers.transfer(person, "edge-south", "L-0107", "cli:test")
    assert new
    return north, south, person, made, records


def test_the_new_prisons_edge_gets_the_record_once_and_says_when_it_is_in(client, moved):
    north, south, person, made, records = moved
    assert PersonLearner.get_or_none(PersonLearner.edge_id == "edge-south").person_id == person
    offered = client.get("/v1/edge/transfers", environ_base=south.environ).get_json()
    assert offered == {"transfers": [{"transfer": made.transfer_id, "learner": "L-0107"}]}
    page = client.get(f"/v1/edge/transfers/{made.transfer_id}/records?after=0", environ_base=south.environ).get_json()
    assert [(r["id"], r["kind"], r["from_edge"], r["from_learner"]) for r in page["records"]] == [
        (r["id"], r["kind"], "edge-north", "L-0042") for r in records]
    assert page["next"] is None
    done = client.post(f"/v1/edge/transfers/{made.transfer_id}/delivered", json={"records": 2},
                       environ_base=south.environ)
    assert done.status_code == 200 and done.get_json()["records"] == 2
    assert client.get("/v1/edge/transfers", environ_base=south.environ).get_json() == {"transfers": []}
    again = client.post(f"/v1/edge/transfers/{made.transfer_id}/delivered", json={"records": 5},
                        environ_base=south.environ)
    assert again.get_json()["records"] == 2


def test_another_edge_sees_nothing_of_the_transfer(client, moved):
    north, _south, _person, made, _records = moved
    assert client.get("/v1/edge/transfers", environ_base=north.environ).get_json() == {"transfers": []}
    for answer in (client.get(f"/v1/edge/transfers/{made.transfer_id}/records", environ_base=north.environ),
                   client.post(f"/v1/edge/transfers/{made.transfer_id}/delivered", json={"records": 0},
                               environ_base=north.environ)):
        assert answer.status_code == 404 and answer.get_json()["error"] == "unknown_transfer"
    assert client.get("/v1/edge/transfers").status_code in (401, 403)


def test_the_new_edge_routes_refuse_no_certificate_and_a_revoked_edge(client, moved):
    _north, south, _person, made, _records = moved
    routes = [("GET", "/v1/edge/transfers"), ("GET", f"/v1/edge/transfers/{made.transfer_id}/records"),
              ("POST", f"/v1/edge/transfers/{made.transfer_id}/delivered"), ("GET", "/v1/edge/plans?after=0")]
    for method, path in routes:
        assert client.open(path, method=method, json={"records": 0}).status_code in (401, 403), path
    edges.revoke("edge-south", timestamp())
    for method, path in routes:
        answer = client.open(path, method=method, json={"records": 0}, environ_base=south.environ)
        assert (answer.status_code, answer.get_json()["error"]) == (403, "edge_revoked"), path
    assert Transfer.get_by_id(made.transfer_id).delivered_at is None


def test_records_come_in_pages(client, moved):
    _north, _south, _person, made, records = moved
    first, following = transfers.records(made, 0, limit=1)
    assert [r["id"] for r in first] == [records[0]["id"]] and following is not None
    second, last = transfers.records(made, following, limit=1)
    assert [r["id"] for r in second] == [records[1]["id"]] and last is None


def test_a_transfer_run_twice_adds_nothing_and_one_without_an_earlier_prison_is_refused(moved, make_edge):
    _north, _south, person, made, _records = moved
    again, new = transfers.transfer(person, "edge-south", "L-0107", "cli:test")
    assert (again.transfer_id, new) == (made.transfer_id, False)
    assert Transfer.select().count() == 1
    fresh = people.add("test").person_id
    with pytest.raises(Refused) as refused:
        transfers.transfer(fresh, "edge-south", "L-0108", "cli:test")
    assert refused.value.code == "nothing_to_transfer" and "hub people link" in refused.value.reason
    people.link(fresh, "edge-north", "L-0200")
    with pytest.raises(Refused) as taken:
        transfers.transfer(fresh, "edge-south", "L-0107", "cli:test")
    assert taken.value.code == "learner_taken"
    assert Transfer.select().count() == 1
