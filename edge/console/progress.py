"""Progress from xAPI statements (progress_statement and quiz_answer records). Pure.

A unit counts as completed when a statement about it says completed, passed or mastered, or its
result says completion or success. Scores are xAPI's `result.score.scaled` (0..1), shown in percent.
Payloads in the earlier flat form ({"verb": "completed", "object": "course/maths-1/unit-1",
"score": 0.8}) are read too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

COURSE_PREFIX = "urn:throughgate:course:"
DONE_VERBS = {"completed", "passed", "mastered"}


@dataclass(frozen=True)
class Statement:
    verb: str  # the verb's last path segment: completed, answered, ...
    activity: str
    course: str
    score: float | None  # scaled, 0..1
    done: bool
    correct: bool | None


@dataclass
class LearnerProgress:
    learner: str
    completed: set[str] = field(default_factory=set)  # activity ids
    scores: list[float] = field(default_factory=list)
    answers: int = 0
    correct: int = 0
    courses: set[str] = field(default_factory=set)

    @property
    def units(self) -> int:
        return len(self.completed)

    @property
    def average(self) -> float | None:
        """Average score in percent, or None without any score."""
        return round(100 * sum(self.scores) / len(self.scores), 1) if self.scores else None


def course_of(activity: str) -> str:
    if activity.startswith(COURSE_PREFIX):
        return activity[len(COURSE_PREFIX):].split("/", 1)[0]
    parts = activity.split("/")
    if len(parts) >= 2 and parts[0] == "course":
        return parts[1]
    return ""


def _last_segment(value) -> str:
    text = value.get("id", "") if isinstance(value, dict) else str(value or "")
    return text.rstrip("/").rsplit("/", 1)[-1]


def read(payload: dict) -> Statement | None:
    """One statement, or None if it says nothing about progress we can read."""
    if not isinstance(payload, dict):
        return None
    verb = _last_segment(payload.get("verb"))
    target = payload.get("object")
    activity = target.get("id", "") if isinstance(target, dict) else str(target or "")
    if not verb or not activity:
        return None
    result = payload.get("result") if isinstance(payload.get("result"), dict) else {}
    score = result.get("score", {}).get("scaled") if isinstance(result.get("score"), dict) else None
    if score is None and isinstance(payload.get("score"), (int, float)):
        score = payload["score"]
    if not isinstance(score, (int, float)) or isinstance(score, bool) or not -1 <= score <= 1:
        score = None
    success = result.get("success") if isinstance(result.get("success"), bool) else None
    done = verb in DONE_VERBS or result.get("completion") is True or (verb != "answered" and success is True)
    return Statement(verb, activity, course_of(activity), score, done, success if verb == "answered" else None)


def summarise(statements: Iterable[tuple[str, dict]], course: str = "") -> dict[str, LearnerProgress]:
    """Each learner's progress from (learner, payload) pairs; `course` limits it to one course."""
    found: dict[str, LearnerProgress] = {}
    for learner, payload in statements:
        statement = read(payload)
        if statement is None or (course and statement.course != course):
            continue
        progress = found.setdefault(learner, LearnerProgress(learner))
        if statement.course:
            progress.courses.add(statement.course)
        if statement.done:
            progress.completed.add(statement.activity)
        if statement.score is not None:
            progress.scores.append(statement.score)
        if statement.verb == "answered":
            progress.answers += 1
            progress.correct += statement.correct is True
    return found


def timeline(statements: Iterable[tuple[str, dict]]) -> list[tuple[str, float]]:
    """(activity, score in percent) for each scored statement, in order: one learner's chart."""
    points = []
    for _learner, payload in statements:
        statement = read(payload)
        if statement is not None and statement.score is not None:
            points.append((statement.activity.removeprefix(COURSE_PREFIX), round(100 * statement.score, 1)))
    return points
