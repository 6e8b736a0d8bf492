"""A released person's courses, for their phone (GET /v1/phone/courses): the courses they had in prison and
where they are in each. Service functions (no Flask): callers hold a database connection.

Which courses: the current version at the hub of each course targeted at an edge the person was linked to
(hub/people PersonLearner: a learner id at each prison), and any course their statements or resume states name
(a course later untargeted, or one from a transfer's earlier prison). Only courses the hub still holds.

Where they are, per item, from the records of every learner id they had (the edges' `record` rows) and their
phone's own (`phone_record`): `started` (any statement), `done` (a completing verb: completed, passed, failed or
mastered, as the player counts an attempt over), the newest `score`, and the newest resume state
(wire/course_state.py `newer`: a later state of the same attempt, else the later `updated`), which the phone's
player starts from (entry `resume`, the same location and suspend data).

The version to play is the one the newest unfinished resume state names, where the hub still holds it (so a
person part-way through resumes in the version they started, as an edge keeps a retained version); else the
current one.
"""

from __future__ import annotations

import functools
import json
import operator

from hub.courses.models import Course, CourseTarget, CourseVersion, PhoneRecord
from hub.models import Record
from hub.people.models import PersonLearner
from wire import course_state, xapi
from wire.records import STATEMENT_KINDS

LEARNING_KINDS = (*sorted(STATEMENT_KINDS), course_state.KIND)
DONE_VERBS = frozenset(xapi.VERBS[name] for name in ("completed", "passed", "failed", "mastered"))


def _payloads(person_id: str) -> list[tuple[str, str, dict]]:
    """(kind, created, payload) of every learning record of the person's: their learner ids' at the edges,
    and their phone's."""
    links = [(link.edge_id, link.learner) for link in PersonLearner.select().where(PersonLearner.person == person_id)]
    found = []
    if links:
        mine = functools.reduce(operator.or_, [(Record.edge == edge) & (Record.learner == learner)
                                               for edge, learner in links])
        query = (Record.select(Record.kind, Record.created, Record.payload)
                 .where(mine & Record.kind.in_(LEARNING_KINDS)).order_by(Record.arrival))
        found += [(row.kind, row.created, row.payload) for row in query]
    query = (PhoneRecord.select(PhoneRecord.kind, PhoneRecord.created, PhoneRecord.payload)
             .where(PhoneRecord.person == person_id).order_by(PhoneRecord.arrival))
    found += [(row.kind, row.created, row.payload) for row in query]
    out = []
    for kind, created, text in found:
        try:
            payload = json.loads(text)
        except ValueError:
            continue
        if isinstance(payload, dict):
            out.append((kind, created, payload))
    return out


def _item(items: dict, course: str, item: str) -> dict:
    return items.setdefault(course, {}).setdefault(item, {"item": item, "started": False, "done": False,
                                                         "score": None, "scored_at": "", "state": None})


def _statement(items: dict, created: str, statement: dict) -> None:
    try:
        course, item = xapi.parse_activity_id(statement["object"]["id"])
        verb = statement["verb"]["id"]
    except (KeyError, TypeError, xapi.XapiError):
        return
    if item is None:
        return
    entry = _item(items, course, item)
    entry["started"] = True
    entry["done"] = entry["done"] or verb in DONE_VERBS
    score = (statement.get("result") or {}).get("score")
    when = statement.get("timestamp") or created
    if isinstance(score, dict) and str(when) >= entry["scored_at"]:
        entry["score"], entry["scored_at"] = score, str(when)


def _state(items: dict, payload: dict) -> None:
    try:
        course_state.check(payload)
    except ValueError:
        return  # the edge checked it on the way in; an odd one is left out, not shown
    entry = _item(items, payload["course"], payload["item"])
    entry["started"] = True
    if entry["state"] is None or course_state.newer(payload, entry["state"]):
        entry["state"] = payload


def progress(person_id: str) -> dict[str, dict[str, dict]]:
    """course -> item -> {"item", "started", "done", "score", "state"}."""
    items: dict[str, dict[str, dict]] = {}
    for kind, created, payload in _payloads(person_id):
        if kind == course_state.KIND:
            _state(items, payload)
        else:
            _statement(items, created, payload)
    return items


def _targeted(person_id: str) -> set[int]:
    edges = [link.edge_id for link in PersonLearner.select(PersonLearner.edge_id)
             .where(PersonLearner.person == person_id)]
    if not edges:
        return set()
    return {t.course_id for t in CourseTarget.select(CourseTarget.course).where(CourseTarget.edge.in_(edges))}


def _version_to_play(course: Course, items: dict[str, dict]) -> CourseVersion | None:
    states = [entry["state"] for entry in items.values() if entry["state"] and not entry["state"]["done"]]
    if states:
        newest = functools.reduce(lambda a, b: b if course_state.newer(b, a) else a, states)
        held = course.versions.where(CourseVersion.version == newest["version"]).first()
        if held is not None:
            return held
    return course.versions.order_by(CourseVersion.version.desc()).first()


def for_person(person_id: str) -> list[dict]:
    """The person's courses, each {"course", "title", "format", "version", "envelope", "items": [...]}, the
    items in the manifest's order (those the records name that the manifest lacks, after)."""
    done = progress(person_id)
    wanted = Course.select().where(Course.id.in_(list(_targeted(person_id))) | Course.slug.in_(list(done)))
    answer = []
    for course in wanted.order_by(Course.slug):
        items = done.get(course.slug, {})
        row = _version_to_play(course, items)
        if row is None:
            continue
        envelope = json.loads(row.envelope)
        order = [i["id"] for i in envelope["manifest"].get("items", [])]
        listed = [items[i] for i in order if i in items] + [items[i] for i in sorted(items) if i not in order]
        answer.append({"course": course.slug, "title": row.title, "format": course.format, "version": row.version,
                       "envelope": envelope,
                       "items": [{k: v for k, v in entry.items() if k != "scored_at"} for entry in listed]})
    return answer


def course_named(kind: str, payload: dict) -> str | None:
    """The course a phone's learning change is about (a resume state's, a statement's Throughgate activity's), or
    None (a statement about another activity names none)."""
    if kind == course_state.KIND:
        return payload.get("course")
    try:
        return xapi.parse_activity_id(payload["object"]["id"])[0]
    except (KeyError, TypeError, xapi.XapiError):
        return None


def theirs(person_id: str, slug: str) -> bool:
    """Whether the course is one of the person's (sent to a prison they were at, or one their records name
    already): the only courses their phone may record progress in, since a record makes a course theirs."""
    course = Course.get_or_none(Course.slug == slug)
    return course is not None and (course.id in _targeted(person_id) or slug in progress(person_id))


def playable(person_id: str, slug: str, version: int | None) -> CourseVersion | None:
    """The version of one of the person's courses their phone may open (the one to play unless another
    version of it is named), or None: not one of theirs, or no such version."""
    course = Course.get_or_none(Course.slug == slug) if isinstance(slug, str) else None
    if course is None:
        return None
    items = progress(person_id).get(slug)
    if items is None and course.id not in _targeted(person_id):
        return None
    if version is None:
        return _version_to_play(course, items or {})
    return course.versions.where(CourseVersion.version == version).first()
