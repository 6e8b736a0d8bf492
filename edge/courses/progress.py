"""Which learners are part-way through which course version: what keeps an old version on the edge.

The choice: a `course_progress` table this package keeps (tables.CourseProgress), not a scan of
the edge store's records. Records lose their bodies once sealed for the hub (seconds after they
arrive), so the store cannot answer "who is part-way" later on. Instead the relay's observer
`Inbox` (edge.intake.observers) copies each arriving `progress_statement` into
`course_progress_inbox` inside the relay's own commit (so none is missed, and none is kept of a
commit that failed), and `absorb()` turns the inbox into progress rows at the start of each sync
and before anything is reclaimed.

A statement whose object is `urn:throughgate:course:<course>[/<item>]` (wire.xapi) starts the
learner on that course; verb completed, passed or mastered completes it. The version is the
context extension `urn:throughgate:course-version` when the tablet sends it; else the version the
learner is already part-way through (a tablet keeps the version it started); else the version the
edge offered as current when the statement was absorbed.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from edge.courses import tables
from edge.courses.tables import ProgressInbox
from edge.store import db, writing
from wire import xapi
from wire.records import timestamp

log = logging.getLogger(__name__)

VERSION_EXTENSION = "urn:throughgate:course-version"
COMPLETING_VERBS = frozenset(xapi.VERBS[name] for name in ("completed", "passed", "mastered"))


@dataclass(frozen=True)
class Step:
    learner: str
    course: str
    version: int | None
    completes: bool


def step_of(learner: str, record_body: str) -> Step | None:
    """What one progress record says about a course, or None if it names no course."""
    try:
        statement = json.loads(record_body)["payload"]
        course, _item = xapi.parse_activity_id(statement["object"]["id"])
        verb = statement["verb"]["id"]
    except (ValueError, KeyError, TypeError, xapi.XapiError):
        return None
    extensions = (statement.get("context") or {}).get("extensions") or {}
    version = extensions.get(VERSION_EXTENSION) if isinstance(extensions, dict) else None
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        version = None
    return Step(learner, course, version, verb in COMPLETING_VERBS)


class Inbox:
    """The relay's observer for the course cache: progress statements into course_progress_inbox."""

    name = "course progress inbox"
    KIND = "progress_statement"

    def prepare(self, rows: list[dict]) -> list[tuple[str, str, str]] | None:
        return [(row["id"], row["learner"], row["body"]) for row in rows
                if row["kind"] == self.KIND and row["body"] is not None] or None

    def write(self, prepared: list[tuple[str, str, str]]) -> None:
        db.connection().executemany(_INBOX_SQL, prepared)


_INBOX_SQL = f'INSERT OR IGNORE INTO "{ProgressInbox._meta.table_name}" (id, learner, body) VALUES (?, ?, ?)'  # noqa: S608


def absorb() -> int:
    """Turn the inbox into course_progress rows; returns how many statements were read."""
    rows = list(ProgressInbox.select().limit(5000))
    if not rows:
        return 0
    current = {row.course: row.version for row in tables.CourseVersion.select()
               .where(tables.CourseVersion.state == tables.CURRENT)}
    with writing():
        for row in rows:
            step = step_of(row.learner, row.body)
            if step is not None:
                note(step, current.get(step.course))
        ProgressInbox.delete().where(ProgressInbox.id.in_([r.id for r in rows])).execute()
    return len(rows) + (absorb() if len(rows) == 5000 else 0)


def note(step: Step, current_version: int | None) -> None:
    """Record a step (inside a write transaction)."""
    version = step.version or _open_version(step.learner, step.course) or current_version
    if version is None:
        return
    now = timestamp()
    progress = tables.CourseProgress
    (progress.insert(learner=step.learner, course=step.course, version=version, started=now,
                     completed=now if step.completes else None)
     .on_conflict_ignore().execute())
    if step.completes:
        (progress.update(completed=now)
         .where(progress.learner == step.learner, progress.course == step.course, progress.version == version,
                progress.completed.is_null()).execute())


def _open_version(learner: str, course: str) -> int | None:
    """The version the learner is part-way through (the newest, if several)."""
    progress = tables.CourseProgress
    return (progress.select(progress.version)
            .where(progress.learner == learner, progress.course == course, progress.completed.is_null())
            .order_by(progress.version.desc()).scalar())


def part_way() -> set[tuple[str, int]]:
    """(course, version) pairs some learner started and has not completed."""
    query = (tables.CourseProgress.select(tables.CourseProgress.course, tables.CourseProgress.version).distinct()
             .where(tables.CourseProgress.completed.is_null()))
    return {(row.course, row.version) for row in query}


def learners_part_way(course: str, version: int) -> int:
    return (tables.CourseProgress.select()
            .where(tables.CourseProgress.course == course, tables.CourseProgress.version == version,
                   tables.CourseProgress.completed.is_null()).count())
