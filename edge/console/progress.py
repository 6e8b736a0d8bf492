"""Progress from xAPI statements (progress_statement and quiz_answer records). Pure: `read` says
what one statement means; edge.console.learning keeps that beside each record and adds it up in SQL.

A unit counts as completed when a statement about it says completed, passed or mastered, or its
result says completion or success. Scores are xAPI's `result.score.scaled` (0..1), shown in percent.
Payloads in the earlier flat form ({"verb": "completed", "object": "course/maths-1/unit-1",
"score": 0.8}) are read too.
"""

from __future__ import annotations

from dataclasses import dataclass

from wire.xapi import ACTIVITY_PREFIX as COURSE_PREFIX

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
    units: int = 0  # distinct activities completed
    average: float | None = None  # average score in percent, None without any score
    answers: int = 0
    correct: int = 0
    courses: frozenset[str] = frozenset()


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
