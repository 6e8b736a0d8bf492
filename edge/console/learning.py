"""Learning records kept for the staff console, and who may see which.

TutorCopy is the console's observer of the relay (edge.intake.observers): the tutors' copy of each record is
read before the relay takes the write lock and stored in the same transaction that commits a tablet's records,
so a submission the tablet was told is safe is also on the tutors' queue. Only the kinds tutors work with are
kept.

Scope: a tutor sees the learners of the classes they belong to; the manager sees everyone; IT
staff see no learner's work at all (the views refuse them before asking).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

import peewee as pw

from edge import store
from edge.console import progress, tables
from wire.records import STATEMENT_KINDS

SUBMISSION = "assignment_submission"
REFUSAL = "course_refusal"  # a value a course sent that the tablet refused, for support (edge.console.refusals)
KEPT_KINDS = (SUBMISSION, "progress_statement", "quiz_answer", REFUSAL)
PROGRESS_KINDS = tuple(sorted(STATEMENT_KINDS))  # one xAPI statement each
COLUMNS = ("id", "kind", "device", "learner", "created", "received", "body",
           "activity", "course", "verb", "score", "done", "correct")
# Arrival order: `received` is the edge's clock to the millisecond, one value for a whole relay batch, so
# records often share it; the table's rowid grows with each insert and breaks the tie (never the random id).
ARRIVAL = pw.SQL("rowid")


@functools.cache
def _insert_sql() -> str:
    table = tables.LearningRecord._meta.table_name
    marks = ", ".join("?" * len(COLUMNS))
    return f'INSERT INTO "{table}" ({", ".join(COLUMNS)}) VALUES ({marks}) ON CONFLICT DO NOTHING'  # noqa: S608


def _row(row: dict) -> tuple:
    """The relay's row with what a statement says about progress (progress.read), for SQL to add up."""
    said = None
    if row["kind"] in PROGRESS_KINDS:
        try:
            said = progress.read(json.loads(row["body"]).get("payload"))
        except ValueError:
            said = None
    facts = ((said.activity[:300], said.course[:63], said.verb[:40], said.score, said.done, said.correct)
             if said else ("", _refused_course(row), "", None, False, None))
    return (*(row[name] for name in COLUMNS[:7]), *facts)


def _refused_course(row: dict) -> str:
    """The course a course_refusal names (the relay checked it: wire.course_refusal), so pages filter by it."""
    if row["kind"] != REFUSAL:
        return ""
    try:
        course = json.loads(row["body"]).get("payload", {}).get("course")
    except (ValueError, AttributeError):
        return ""
    return course[:63] if isinstance(course, str) else ""


def to_keep(rows: list[dict]) -> list[tuple]:
    """The learning records among rows the relay is about to commit, read (JSON parsed) before it takes
    the write lock."""
    return [_row(row) for row in rows if row["kind"] in KEPT_KINDS]


def insert_kept(kept: list[tuple]) -> int:
    """Store what to_keep() made. Call inside store.writing()."""
    if kept:
        store.db.connection().executemany(_insert_sql(), kept)
    return len(kept)


def keep(rows: list[dict]) -> int:
    """Keep the learning records among rows being committed. Call inside store.writing()."""
    return insert_kept(to_keep(rows))


class TutorCopy:
    """The relay's observer for the console: the tutors' copy of submissions, statements and answers."""

    name = "tutors' copy"

    def prepare(self, rows: list[dict]) -> list[tuple] | None:
        return to_keep(rows) or None

    def write(self, prepared: list[tuple]) -> None:
        insert_kept(prepared)


# scope -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scope:
    """Which learners a member of staff may see: everyone, or those of some classes."""

    everyone: bool
    classes: tuple[str, ...] = ()

    def learners(self) -> list[str] | None:
        """The learners in scope, or None for everyone."""
        if self.everyone:
            return None
        query = (tables.ClassLearner.select(tables.ClassLearner.learner).distinct()
                 .where(tables.ClassLearner.klass.in_(self.classes)))
        return sorted(row.learner for row in query)

    def allows_learner(self, learner: str) -> bool:
        return self.everyone or (tables.ClassLearner.select()
                                 .where(tables.ClassLearner.klass.in_(self.classes),
                                        tables.ClassLearner.learner == learner).exists())

    def allows_class(self, klass: str) -> bool:
        return self.everyone or klass in self.classes


def scope_of(username: str, role: str) -> Scope:
    if role == "manager":
        return Scope(everyone=True)
    if role == "tutor":
        rows = tables.ClassTutor.select().where(tables.ClassTutor.username == username)
        return Scope(everyone=False, classes=tuple(sorted(row.klass for row in rows)))
    return Scope(everyone=False)


def _in_scope(query, scope: Scope):
    learners = scope.learners()
    return query if learners is None else query.where(tables.LearningRecord.learner.in_(learners))


# submissions --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Submission:
    id: str
    device: str
    learner: str
    created: str
    received: str
    payload: dict
    mark: tables.Mark | None

    @property
    def title(self) -> str:
        return str(self.payload.get("assignment") or self.payload.get("title") or "assignment")

    @property
    def course(self) -> str:
        course = self.payload.get("course")
        return course if isinstance(course, str) else ""

    @property
    def state(self) -> str:
        return "marked" if self.mark else "open"


def _submission(row: tables.LearningRecord, mark: tables.Mark | None) -> Submission:
    payload = json.loads(row.body).get("payload", {})
    return Submission(row.id, row.device, row.learner, row.created, row.received, payload, mark)


def _submissions_query(scope: Scope, state: str, learner: str | None):
    LR, M = tables.LearningRecord, tables.Mark  # noqa: N806
    query = LR.select().where(LR.kind == SUBMISSION)
    if learner is not None:
        query = query.where(LR.learner == learner)
    marked = M.select(M.submission)
    if state == "open":
        query = query.where(LR.id.not_in(marked))
    elif state == "marked":
        query = query.where(LR.id.in_(marked))
    return _in_scope(query, scope)


def count_submissions(scope: Scope, state: str = "open") -> int:
    return _submissions_query(scope, state, None).count()


def submissions(scope: Scope, state: str = "open", limit: int = 200, learner: str | None = None) -> list[Submission]:
    """Submissions in scope, oldest first: `open` (not yet marked), `marked`, or `all`."""
    LR, M = tables.LearningRecord, tables.Mark  # noqa: N806
    rows = list(_submissions_query(scope, state, learner).order_by(LR.received, ARRIVAL).limit(limit))
    marks = {m.submission: m for m in M.select().where(M.submission.in_([row.id for row in rows]))}
    return [_submission(row, marks.get(row.id)) for row in rows]


def submission(record_id: str) -> Submission | None:
    row = tables.LearningRecord.get_or_none(tables.LearningRecord.id == record_id,
                                            tables.LearningRecord.kind == SUBMISSION)
    if row is None:
        return None
    return _submission(row, tables.Mark.get_or_none(tables.Mark.submission == record_id))


def _registration(model) -> pw.Node:
    return pw.fn.json_extract(model.body, "$.payload.context.registration")


def _latest_in_attempt(which) -> pw.Node:
    """True for a row that no later row of the same learner, activity and attempt (the statement's
    context.registration) replaces, among the rows `which(model)` picks: a SCORM attempt records a new
    statement for each new value (tablet/scorm.py), and the latest is where the learner stands. A statement
    without a registration is never replaced: each counts, as before."""
    LR, later = tables.LearningRecord, tables.LearningRecord.alias("later")  # noqa: N806
    arrived_after = pw.Column(later, "rowid") > pw.Column(LR, "rowid")
    newer = (later.created > LR.created) | ((later.created == LR.created) & arrived_after)
    replaced = (later.select(pw.SQL("1"))
                .where(later.learner == LR.learner, later.activity == LR.activity,
                       _registration(later) == _registration(LR), which(later), newer))
    return which(LR) & ~pw.fn.EXISTS(replaced)


def progress_of(scope: Scope, learners: list[str] | None = None,
                course: str = "") -> dict[str, progress.LearnerProgress]:
    """Each learner's progress (in scope; only `learners` if given; one course if given), added up in SQL. A unit
    is done once any statement says so; the average score and the answers take, within one attempt, only the
    latest scored statement and the latest answer of each activity (_latest_in_attempt)."""
    LR = tables.LearningRecord  # noqa: N806
    latest_score = _latest_in_attempt(lambda m: m.score.is_null(False))
    latest_answer = _latest_in_attempt(lambda m: m.verb == "answered")
    query = (LR.select(LR.learner,
                       pw.fn.COUNT(pw.Case(None, [(LR.done, LR.activity)], None).distinct()).alias("units"),
                       pw.fn.AVG(pw.Case(None, [(latest_score, LR.score)], None)).alias("average"),
                       pw.fn.SUM(pw.Case(None, [(latest_answer, 1)], 0)).alias("answers"),
                       pw.fn.SUM(pw.Case(None, [(latest_answer & (LR.correct == True), 1)], 0))  # noqa: E712
                       .alias("correct"),
                       pw.fn.GROUP_CONCAT(LR.course.distinct()).alias("courses"))
             .where(LR.kind.in_(PROGRESS_KINDS)).group_by(LR.learner))
    if learners is not None:
        query = query.where(LR.learner.in_(learners))
    if course:
        query = query.where(LR.course == course)
    return {row.learner: progress.LearnerProgress(
        row.learner, row.units, None if row.average is None else round(100 * row.average, 1), row.answers,
        row.correct, frozenset(c for c in (row.courses or "").split(",") if c))
        for row in _in_scope(query, scope).namedtuples()}


def timeline(scope: Scope, learner: str, last: int = 30) -> list[tuple[str, float]]:
    """(activity, score in percent) of a learner's scored statements, most recent last."""
    LR = tables.LearningRecord  # noqa: N806
    query = (LR.select(LR.activity, LR.score)
             .where(LR.kind.in_(PROGRESS_KINDS), LR.learner == learner, LR.score.is_null(False))
             .order_by(LR.received.desc(), ARRIVAL.desc()).limit(last))
    rows = list(_in_scope(query, scope).tuples())
    return [(activity.removeprefix(progress.COURSE_PREFIX), round(100 * score, 1)) for activity, score in rows[::-1]]


def courses_in_use() -> list[dict]:
    """Courses that learners' statements name, with how many learners (counts only)."""
    LR = tables.LearningRecord  # noqa: N806
    query = (LR.select(LR.course, pw.fn.COUNT(LR.learner.distinct()).alias("learners"))
             .where(LR.kind.in_(PROGRESS_KINDS), LR.course != "").group_by(LR.course).order_by(LR.course))
    return [{"course": row.course, "learners": row.learners} for row in query.namedtuples()]


def known_learners(scope: Scope) -> list[str]:
    LR = tables.LearningRecord  # noqa: N806
    found = {row.learner for row in _in_scope(LR.select(LR.learner).distinct(), scope)}
    listed = scope.learners()
    if listed is not None:
        found |= set(listed)
    else:
        found |= {row.learner for row in tables.ClassLearner.select(tables.ClassLearner.learner).distinct()}
    return sorted(found)


def latest_device(learner: str) -> str | None:
    """The tablet this learner last sent from (the record that arrived last, ties in `received` broken by
    arrival order): where their feedback and awards go when no tablet is bound to them."""
    LR = tables.LearningRecord  # noqa: N806
    row = (LR.select(LR.device).where(LR.learner == learner).order_by(LR.received.desc(), ARRIVAL.desc()).first())
    return row.device if row else None


def forget_older_than(cutoff: str) -> int:
    """Delete the tutors' copy of records received before `cutoff`, except submissions not yet marked
    (the hub holds every record; the edge keeps only what tutors still work with)."""
    LR = tables.LearningRecord  # noqa: N806
    open_submissions = LR.select(LR.id).where(LR.kind == SUBMISSION, LR.id.not_in(tables.Mark.select(
        tables.Mark.submission)))
    with store.writing():
        return LR.delete().where(LR.received < cutoff, LR.id.not_in(open_submissions)).execute()
