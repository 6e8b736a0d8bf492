"""Releases made at a prison's edge console, as the hub takes them from the edge's sealed batches (hub/people/
edge_release.py), on SQLite and PostgreSQL: the code registers for the linked person once however often the
record comes, the person is released, their older code is withdrawn; a release for a learner not linked yet
waits until `link`; the code then works once and is refused after its expiry, each refusal saying why."""

from __future__ import annotations

import datetime as dt

import pytest
from hubkit import post_batch

from hub.people import service as people
from hub.people.models import ActivationCode, Person
from hub.refusals import Refused
from provisioning.tokens import digest, new_enrolment_code
from wire.records import new_record, parse_timestamp, timestamp


def _release(learner: str, code: str, issued: dt.datetime | None = None, days: int = 7) -> dict:
    issued = issued or dt.datetime.now(dt.UTC)
    payload = {"code_sha256": digest(code), "issued_at": timestamp(issued),
               "expires_at": timestamp(issued + dt.timedelta(days=days)), "issued_by": "mary"}
    return new_record("release", learner, 1, payload).to_dict() | {"device": "console", "received": timestamp()}


@pytest.fixture
def person(app, edge):
    found = people.add("test")
    people.link(found.person_id, edge.edge_id, "L-0042")
    return found.person_id


def test_an_edge_release_registers_its_code_once_and_withdraws_the_older_one(client, edge, person):
    _old_code, old = people.issue_code(person, "olivia", 7)
    code = new_enrolment_code()
    record = _release("L-0042", code)
    assert post_batch(client, edge, edge.seal([record])).status_code == 200
    assert post_batch(client, edge, edge.seal([record])).status_code == 200  # the record again, in a new batch
    row = ActivationCode.get(ActivationCode.code_sha256 == digest(code))
    assert (row.person_id, row.issued_by, row.withdrawn_at) == (person, "edge-1:mary", None)
    assert ActivationCode.get(ActivationCode.code_sha256 == old.code_sha256).withdrawn_at is not None
    assert ActivationCode.select().count() == 2
    assert Person.get(Person.person_id == person).status == "released"
    assert people.redeem_code(code, timestamp()).person_id == person
    with pytest.raises(Refused) as used:
        people.redeem_code(code, timestamp())
    assert used.value.code == "code_used"


def test_a_code_from_the_edge_is_refused_after_its_days(client, edge, person):
    code = new_enrolment_code()
    eight_days_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=8)
    assert post_batch(client, edge, edge.seal([_release("L-0042", code, eight_days_ago)])).status_code == 200
    with pytest.raises(Refused) as expired:
        people.redeem_code(code, timestamp())
    assert expired.value.code == "code_expired" and "ask your worker for a new one" in expired.value.reason


def test_a_release_for_a_learner_not_linked_yet_waits_for_the_link(app, client, edge):
    code = new_enrolment_code()
    assert post_batch(client, edge, edge.seal([_release("L-0077", code)])).status_code == 200
    with pytest.raises(Refused) as unknown:
        people.redeem_code(code, timestamp())
    assert unknown.value.code == "code_unknown" and "try again in a few minutes" in unknown.value.reason
    later = people.add("test").person_id
    people.link(later, edge.edge_id, "L-0077")
    assert people.redeem_code(code, timestamp()).person_id == later


def test_a_malformed_release_is_stored_but_registers_nothing(client, edge, person):
    record = _release("L-0042", new_enrolment_code())
    record["payload"]["code_sha256"] = "not a digest"
    assert post_batch(client, edge, edge.seal([record])).status_code == 200
    assert ActivationCode.select().count() == 0
    assert Person.get(Person.person_id == person).status == "in_custody"


def test_an_edge_code_older_than_the_workers_newest_arrives_withdrawn(client, edge, person):
    code = new_enrolment_code()
    record = _release("L-0042", code, dt.datetime.now(dt.UTC) - dt.timedelta(hours=2))  # printed at the prison
    newest, _row = people.issue_code(person, "olivia", 7)  # the worker gave a new code since
    assert post_batch(client, edge, edge.seal([record])).status_code == 200  # the prison's batch comes late
    with pytest.raises(Refused) as withdrawn:
        people.redeem_code(code, timestamp())
    assert withdrawn.value.code == "code_withdrawn"
    assert people.redeem_code(newest, timestamp()).person_id == person


def test_an_edge_code_issued_in_the_same_millisecond_as_the_workers_is_the_one_that_works(client, edge, person):
    _old_code, old = people.issue_code(person, "olivia", 7)
    code = new_enrolment_code()
    assert post_batch(client, edge, edge.seal([_release("L-0042", code, parse_timestamp(old.issued_at))])
                      ).status_code == 200
    assert ActivationCode.get(ActivationCode.code_sha256 == old.code_sha256).withdrawn_at is not None
    assert people.redeem_code(code, timestamp()).person_id == person
