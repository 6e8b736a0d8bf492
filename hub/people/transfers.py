"""Transfers between prisons: the person keeps their record when they move.

`transfer` links the person at the new prison (person_learner) and adds a `transfer` row for that edge, once per
learner id there (a second run adds nothing). The new prison's edge asks for its transfers (GET /v1/edge/transfers),
pages through the records the person's learner ids at earlier prisons sent (their progress and quiz answers, their
submissions, the feedback and badges they were given), imports them under the learner id it knows them by, and only
then says so (POST …/delivered): until then the transfer is offered again, and the edge's import is keyed by each
record's own id, so nothing arrives twice.
"""

from __future__ import annotations

import json
import uuid

import peewee

from hub import db
from hub.courses import catalogue
from hub.courses.models import Course, CourseTarget
from hub.models import Edge, Record
from hub.people import service
from hub.people.models import PersonLearner, Transfer
from hub.refusals import Refused
from wire.records import timestamp, valid_dns_label, valid_learner
from wire.xapi import ACTIVITY_PREFIX

KINDS = ("progress_statement", "quiz_answer", "assignment_submission", "feedback", "award")
"""What travels with the person: their learning, and what tutors gave them for it."""
PAGE = 500
OFFERED = 20


def transfer(person_id: str, edge_id: str, learner: str, by: str) -> tuple[Transfer, bool]:
    """The person is now `learner` at `edge_id`'s prison; True when the transfer is new."""
    person = service.find(person_id)
    if not valid_learner(learner):
        raise Refused(400, "bad_request", "a learner id is 1 to 64 letters, digits, '.', '_' or '-', like L-0042")
    if Edge.get_or_none(Edge.edge_id == edge_id) is None:
        raise Refused(404, "unknown_edge", f"no edge {edge_id!r}: `throughgate hub edges list` shows them")
    if not earlier_links(person.person_id, edge_id, learner):
        raise Refused(409, "nothing_to_transfer", f"{person.person_id} has no learner id at another prison, so there "
                      "is nothing to bring: link them where they were first (`throughgate hub people link`), or only "
                      "link them here")
    found = Transfer.get_or_none((Transfer.edge_id == edge_id) & (Transfer.learner == learner))
    if found is not None and found.person_id == person.person_id:
        return found, False
    try:
        with db.proxy.atomic():
            service.link(person.person_id, edge_id, learner)
            return Transfer.create(transfer_id=str(uuid.uuid4()), person=person, edge_id=edge_id, learner=learner,
                                   requested_at=timestamp(), requested_by=by[:80]), True
    except peewee.IntegrityError:
        found = Transfer.get_or_none((Transfer.edge_id == edge_id) & (Transfer.learner == learner))
        if found is None or found.person_id != person.person_id:
            raise
        return found, False


def earlier_links(person_id: str, edge_id: str, learner: str) -> list[PersonLearner]:
    return [link for link in service.learners(person_id) if (link.edge_id, link.learner) != (edge_id, learner)]


def waiting(edge_id: str) -> list[Transfer]:
    """The edge's transfers it has not imported yet, oldest first."""
    return list(Transfer.select().where((Transfer.edge_id == edge_id) & Transfer.delivered_at.is_null())
                .order_by(Transfer.requested_at, Transfer.transfer_id).limit(OFFERED))


def of_edge(edge_id: str, transfer_id: str) -> Transfer:
    found = Transfer.get_or_none((Transfer.transfer_id == str(transfer_id)[:36]) & (Transfer.edge_id == edge_id))
    if found is None:
        raise Refused(404, "unknown_transfer", "no such transfer to this edge")
    return found


def records(found: Transfer, after: int, limit: int = PAGE) -> tuple[list[dict], int | None]:
    """One page of what the person's learner ids at earlier prisons sent, in the hub's arrival order; the cursor
    of the next page, or None after the last. Only the learner ids the person had when the transfer was made: where
    they went after is no business of this prison."""
    links = [link for link in earlier_links(found.person_id, found.edge_id, found.learner)
             if link.linked_at <= found.requested_at]
    where = None
    for link in links:
        one = (Record.edge == link.edge_id) & (Record.learner == link.learner)
        where = one if where is None else where | one
    if where is None:
        return [], None
    rows = list(Record.select().where(where & Record.kind.in_(KINDS) & (Record.arrival > after))
                .order_by(Record.arrival).limit(limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    page = [{"id": row.id, "kind": row.kind, "from_edge": row.edge_id, "from_learner": row.learner,
             "created": row.created, "payload": row.payload} for row in rows]
    return page, (rows[-1].arrival if more else None)


def delivered(found: Transfer, count: int) -> Transfer:
    """The edge imported the transfer (the first word counts: it is asked again only while not delivered)."""
    if found.delivered_at is None:
        Transfer.update(delivered_at=timestamp(), records=count).where(
            (Transfer.transfer_id == found.transfer_id) & Transfer.delivered_at.is_null()).execute()
    return Transfer.get_by_id(found.transfer_id)


def of_person(person_id: str) -> list[Transfer]:
    return list(Transfer.select().where(Transfer.person == person_id).order_by(Transfer.requested_at))


def courses_of(found: Transfer) -> list[str]:
    """The courses the person was taking at earlier prisons (named by their statements, submissions, feedback and
    badges) that this hub holds, in order."""
    named: set[str] = set()
    page, after = records(found, 0)
    while True:
        for row in page:
            payload = json.loads(row["payload"])
            course = payload.get("course")
            activity = payload.get("object", {}).get("id") if isinstance(payload.get("object"), dict) else None
            if isinstance(activity, str) and activity.startswith(ACTIVITY_PREFIX):
                course = activity[len(ACTIVITY_PREFIX):].split("/", 1)[0]
            if isinstance(course, str) and valid_dns_label(course):
                named.add(course)
        if after is None:
            break
        page, after = records(found, after)
    return [c.slug for c in Course.select(Course.slug).where(Course.slug.in_(sorted(named))).order_by(Course.slug)]


def courses_missing(found: Transfer, courses: list[str]) -> list[str]:
    """Those of `courses` not sent to the transfer's edge (for anyone there)."""
    sent = {t.course.slug for t in CourseTarget.select().join(Course).where(CourseTarget.edge == found.edge_id)}
    return [course for course in courses if course not in sent]


def send_courses(found: Transfer, courses: list[str]) -> None:
    """Send these courses to the transfer's edge, for everyone there (`hub courses target` without --group)."""
    for course in courses:
        catalogue.set_target(course, found.edge_id)
