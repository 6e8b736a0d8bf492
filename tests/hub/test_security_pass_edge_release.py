"""Security pass: a prison's edge the person has left cannot give itself a way into their phone account.

After `hub people transfer` the earlier prison's edge still knows the learner and its link stays (the records
came from there). A manager there could "release" the learner again: the hub registered that edge-made code for
the person (withdrawing the real one) and whoever held it could activate a phone as the person and read their
messages with probation. A release now counts only from the edge of the person's latest transfer."""

from __future__ import annotations

import datetime as dt

import pytest
from hubkit import post_batch

from hub.people import service as people
from hub.people import transfers
from hub.people.models import ActivationCode, Person
from hub.refusals import Refused
from provisioning.tokens import digest, new_enrolment_code
from wire.records import new_record, timestamp


def _release(learner: str, code: str) -> dict:
    issued = dt.datetime.now(dt.UTC)
    payload = {"code_sha256": digest(code), "issued_at": timestamp(issued),
               "expires_at": timestamp(issued + dt.timedelta(days=7)), "issued_by": "mallory"}
    return new_record("release", learner, 1, payload).to_dict() | {"device": "console", "received": timestamp()}


@pytest.fixture
def moved(client, make_edge):
    north, south = make_edge("edge-north"), make_edge("edge-south")
    person = people.add("test").person_id
    people.link(person, "edge-north", "L-0042")
    transfers.transfer(person, "edge-south", "L-0107", "cli:test")
    return north, south, person


def test_the_prison_the_person_left_cannot_make_a_code_that_works(client, moved):
    north, _south, person = moved
    code = new_enrolment_code()
    assert post_batch(client, north, north.seal([_release("L-0042", code)])).status_code == 200
    assert ActivationCode.get_or_none(ActivationCode.code_sha256 == digest(code)) is None
    assert Person.get(Person.person_id == person).status == "in_custody"
    with pytest.raises(Refused):
        people.redeem_code(code, timestamp())


def test_the_prison_the_person_is_at_now_still_releases_them(client, moved):
    _north, south, person = moved
    code = new_enrolment_code()
    assert post_batch(client, south, south.seal([_release("L-0107", code)])).status_code == 200
    assert Person.get(Person.person_id == person).status == "released"
    assert people.redeem_code(code, timestamp()).person_id == person


def test_a_code_dated_years_ahead_by_an_edge_still_stops_working_within_28_days(client, make_edge):
    """Before: issued_at five years ahead (a wrong clock, or a wish for a code that lasts) registered a code
    that worked until then, past the 28 days a code may last, and withdrew the worker's code."""
    edge = make_edge("edge-1")
    person = people.add("test").person_id
    people.link(person, "edge-1", "L-0042")
    code = new_enrolment_code()
    record = _release("L-0042", code)
    ahead = dt.datetime.now(dt.UTC) + dt.timedelta(days=5 * 365)
    record["payload"] |= {"issued_at": timestamp(ahead), "expires_at": timestamp(ahead + dt.timedelta(days=28))}
    assert post_batch(client, edge, edge.seal([record])).status_code == 200
    in_29_days = timestamp(dt.datetime.now(dt.UTC) + dt.timedelta(days=29))
    with pytest.raises(Refused) as expired:
        people.redeem_code(code, in_29_days)
    assert expired.value.code == "code_expired"
    assert people.redeem_code(code, timestamp()).person_id == person  # it works now, as any release's code


def test_a_prison_cannot_give_itself_a_second_phone_in_the_account_of_someone_already_using_theirs(client, make_edge):
    """Before: months after release, a manager at the prison 'released' the learner again and the code set up
    another phone as the person, beside the one they use, reading their messages with probation. Once the person
    has a phone working, a new code is their worker's to give (the workers' console), not the prison's."""
    from hub.phones.models import Phone

    edge = make_edge("edge-1")
    person = people.add("test").person_id
    people.link(person, "edge-1", "L-0042")
    first = new_enrolment_code()
    assert post_batch(client, edge, edge.seal([_release("L-0042", first)])).status_code == 200
    people.redeem_code(first, timestamp())
    Phone.create(key_id="key-1", person=person, jwk="{}", alg="Ed25519", label="Alex's phone",
                 activated_at=timestamp())
    later = new_enrolment_code()
    assert post_batch(client, edge, edge.seal([_release("L-0042", later)])).status_code == 200
    assert ActivationCode.get_or_none(ActivationCode.code_sha256 == digest(later)) is None
    Phone.update(revoked_at=timestamp(), revoked_by="olivia").execute()  # lost: now the prison may give a code
    again = new_enrolment_code()
    assert post_batch(client, edge, edge.seal([_release("L-0042", again)])).status_code == 200
    assert people.redeem_code(again, timestamp()).person_id == person
