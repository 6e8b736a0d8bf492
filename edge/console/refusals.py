"""Values courses sent that learners' tablets refused (course_refusal records, wire/course_refusal.py), for support.

The relay keeps them in the tutors' copy (edge.console.learning, kind course_refusal, with the course in its own
column), so this page reads them whether or not they have gone on to the hub. Newest first, by course and learner,
with what to do (wire.course_refusal.advice).

Who sees what: tutors the refusals of their classes' learners, the manager all of them, with learner and value;
IT staff every refusal, but never whose it was nor the value the learner's course sent (a value can be a
learner's own answer), which the reason shows as [value hidden].

Below them, forms filled in on tablets that the hub refused (edge_form_refusal, kept by the edge's forms pull,
edge/forms/pull.py), newest first, with the hub's reason naming the field: tutors those of their classes' learners,
the manager all, IT staff all without whose it was or the reason (which can quote an answer).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import peewee as pw

from edge.console import learning, tables
from edge.forms.tables import EdgeFormRefusal
from wire import course_refusal

HIDDEN_VALUE = "[value hidden]"


@dataclass(frozen=True)
class Refused:
    id: str
    learner: str  # "" where the viewer may not see whose it was
    received: str
    course: str
    version: int | None
    item: str
    element: str
    value: str | None  # None where the viewer may not see it
    error_code: str
    reason: str

    @property
    def advice(self) -> str:
        return course_refusal.advice(self.element, self.error_code)


_QUOTED = re.compile(r"""(['"])(?:(?!\1)[^\\]|\\.)*(?:\1|\\?$)""", re.DOTALL)
"""A value quoted in a reason as the tablets quote it (Python's repr: \\n, \\', a doubled backslash), to its
closing quote, or to the end where the reason was cut."""


def hide_value(reason: str, value: str) -> str:
    """The reason without the value, however it quotes or cuts it: every quoted part (the tablets quote only
    what the course sent) and the value as written (a number, in brackets)."""
    if not value:
        return reason
    reason = _QUOTED.sub(lambda m: f"{m[1]}{HIDDEN_VALUE}{m[1]}", reason)
    return reason.replace(value, HIDDEN_VALUE)


def _refused(row, personal: bool) -> Refused:
    payload = json.loads(row.body).get("payload") or {}
    value, reason = str(payload.get("value", "")), str(payload.get("reason", ""))
    if not personal:
        reason = hide_value(reason, value)
    version = payload.get("version")
    return Refused(row.id, row.learner if personal else "", row.received, row.course,
                   version if isinstance(version, int) else None, str(payload.get("item", "")),
                   str(payload.get("element", "")), value if personal else None,
                   str(payload.get("error_code", "")), reason)


def _query(scope: learning.Scope | None, course: str):
    LR = tables.LearningRecord  # noqa: N806
    query = LR.select().where(LR.kind == learning.REFUSAL)
    if course:
        query = query.where(LR.course == course)
    return query if scope is None else learning._in_scope(query, scope)


def refusals(scope: learning.Scope | None, course: str = "", limit: int = 200) -> list[Refused]:
    """Refusals newest first (one course if given). scope: whose learners (None: everyone, without learner or
    value: IT staff)."""
    LR = tables.LearningRecord  # noqa: N806
    rows = _query(scope, course).order_by(LR.received.desc(), learning.ARRIVAL.desc()).limit(limit)
    return [_refused(row, personal=scope is not None) for row in rows]


def courses(scope: learning.Scope | None) -> list[tuple[str, int]]:
    """(course, refusals) for each course with any, by name."""
    LR = tables.LearningRecord  # noqa: N806
    query = (_query(scope, "").select(LR.course, pw.fn.COUNT(LR.id).alias("n"))
             .group_by(LR.course).order_by(LR.course))
    return [(row.course, row.n) for row in query.namedtuples()]


@dataclass(frozen=True)
class FormRefused:
    id: str
    learner: str  # "" where the viewer may not see whose it was
    received: str
    form: str  # the form's title (its id where the edge did not have it)
    version: str
    code: str
    reason: str  # "" where the viewer may not see it


def form_refusals(scope: learning.Scope | None, limit: int = 200) -> list[FormRefused]:
    """Tablets' forms the hub refused, newest first. scope: whose learners (None: everyone, without learner or
    reason: IT staff)."""
    query = EdgeFormRefusal.select()
    learners = scope.learners() if scope is not None else None
    if learners is not None:
        query = query.where(EdgeFormRefusal.learner.in_(learners))
    rows = query.order_by(EdgeFormRefusal.received.desc(), EdgeFormRefusal.record_id).limit(limit)
    personal = scope is not None
    return [FormRefused(row.record_id, row.learner if personal else "", row.received, row.title or row.form_id,
                        row.version, row.code, row.reason if personal else "") for row in rows]
