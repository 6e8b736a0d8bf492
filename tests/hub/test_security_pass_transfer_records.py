"""Security pass: a transfer brings a person's record from the prisons they were at before, and only those.

GET /v1/edge/transfers/<id>/records paged through every learner id of the person but the transfer's own, so
after they moved on again (north, then south, then west), south's old transfer went on serving what they did
at west: their progress, quiz answers, submissions and the feedback they were given, to a prison they had
left. Now a transfer serves only the learner ids the person had when it was made."""

from __future__ import annotations

import time

import pytest
from hubkit import post_batch

from hub.people import service as people
from hub.people import transfers
from wire.records import new_record, timestamp


def _sent(learner: str, kind: str, payload: dict, seq: int) -> dict:
    return new_record(kind, learner, seq, payload).to_dict() | {"device": "console", "received": timestamp()}


@pytest.fixture
def moved_twice(client, make_edge):
    north, south, west = make_edge("edge-north"), make_edge("edge-south"), make_edge("edge-west")
    person = people.add("test").person_id
    people.link(person, "edge-north", "L-0042")
    at_north = _sent("L-0042", "award", {"badge": "Reader", "rule": "complete 1 unit", "awarded": timestamp()}, 1)
    assert post_batch(client, north, north.seal([at_north])).status_code == 200
    to_south, _ = transfers.transfer(person, "edge-south", "L-0107", "cli:test")
    time.sleep(0.002)  # the next transfer, a later millisecond (weeks later, at a real prison)
    to_west, _ = transfers.transfer(person, "edge-west", "L-0300", "cli:test")
    at_west = _sent("L-0300", "feedback", {"submission": "x", "assignment": "essay-1", "grade": "Merit",
                                           "feedback": "About my family.", "marker": "tina", "marked": timestamp()}, 2)
    assert post_batch(client, west, west.seal([at_west])).status_code == 200
    return south, west, to_south, to_west, at_north, at_west


def _ids(client, edge, transfer) -> list[str]:
    page = client.get(f"/v1/edge/transfers/{transfer.transfer_id}/records?after=0", environ_base=edge.environ)
    assert page.status_code == 200
    return [r["id"] for r in page.get_json()["records"]]


def test_the_prison_the_person_left_gets_nothing_from_where_they_went_next(client, moved_twice):
    south, _west, to_south, _to_west, at_north, _at_west = moved_twice
    assert _ids(client, south, to_south) == [at_north["id"]]


def test_the_next_prison_still_gets_everything_from_before(client, moved_twice):
    _south, west, _to_south, to_west, at_north, _at_west = moved_twice
    assert _ids(client, west, to_west) == [at_north["id"]]
