"""Reward rules: "complete N units" or "score at least X % on average" (optionally in one course)
unlocks a badge. Evaluation is pure (`due`); `evaluate` turns each newly earned badge into an
`award` record for the hub and an award message for the learner's tablet, once per learner and rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from edge import store
from edge.console import learning, outgoing, progress, tables
from edge.intake import bindings
from wire.records import timestamp

MEASURES = {"units": "complete at least {n:g} units", "score": "score at least {n:g} % on average"}
_COURSE = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")


class RuleError(ValueError):
    pass


def describe(measure: str, threshold: float, course: str) -> str:
    text = MEASURES[measure].format(n=threshold)
    return f"{text} in {course}" if course else text


def add_rule(badge: str, measure: str, threshold: str | float, course: str, by: str) -> tables.RewardRule:
    badge, course = (badge or "").strip(), (course or "").strip()
    if not 1 <= len(badge) <= 60:
        raise RuleError("name the badge (1-60 characters)")
    if measure not in MEASURES:
        raise RuleError(f"the rule is one of: {', '.join(MEASURES)}")
    try:
        value = float(threshold)
    except (TypeError, ValueError):
        raise RuleError("the threshold is a number") from None
    if measure == "units" and not (value >= 1 and value == int(value)):
        raise RuleError("units: a whole number from 1")
    if measure == "score" and not 0 < value <= 100:
        raise RuleError("score: a percentage above 0, at most 100")
    if course and not _COURSE.fullmatch(course):
        raise RuleError("course: its id (lower-case letters, digits and '-'), or empty for any course")
    with store.writing():
        return tables.RewardRule.create(badge=badge, measure=measure, threshold=value, course=course,
                                        created=timestamp(), created_by=by)


def delete_rule(rule_id: int) -> bool:
    """Remove a rule; badges already awarded stay awarded (they are at the hub)."""
    with store.writing():
        return tables.RewardRule.delete().where(tables.RewardRule.id == rule_id).execute() > 0


def earned(measure: str, threshold: float, learner: progress.LearnerProgress) -> bool:
    if measure == "units":
        return learner.units >= threshold
    return learner.average is not None and learner.average >= threshold


def due(rules: Iterable[tables.RewardRule], by_course: dict[str, dict[str, progress.LearnerProgress]],
        awarded: set[tuple[int, str]]) -> list[tuple[tables.RewardRule, str]]:
    """(rule, learner) for every badge earned and not yet awarded. by_course: course ("" = all) ->
    learner -> progress."""
    found = []
    for rule in rules:
        for learner, learner_progress in sorted(by_course.get(rule.course, {}).items()):
            if (rule.id, learner) not in awarded and earned(rule.measure, rule.threshold, learner_progress):
                found.append((rule, learner))
    return found


def evaluate() -> list[tables.Award]:
    """Award every badge earned since the last run. Returns the new awards."""
    found = rules()
    if not found:
        return []
    everyone = learning.Scope(everyone=True)
    by_course = {course: learning.progress_of(everyone, course=course) for course in {rule.course for rule in found}}
    earned_now = due(found, by_course, _awarded())
    made = []
    if not earned_now:
        return made
    with store.writing():  # one transaction for all: a new rule over old records may award hundreds
        awarded = _awarded()  # another run may have got there first
        for rule, learner in earned_now:
            if (rule.id, learner) in awarded:
                continue
            when = timestamp()
            payload = {"badge": rule.badge, "rule": describe(rule.measure, rule.threshold, rule.course),
                       "awarded": when, **({"course": rule.course} if rule.course else {})}
            record = outgoing.add_record("award", learner, payload)
            made.append(tables.Award.create(id=record.id, rule=rule.id, badge=rule.badge, learner=learner,
                                            awarded=when))
            outgoing.add_down(bindings.recipient(learner, learning.latest_device(learner)),
                              outgoing.award_message(record))
    return made


def _awarded() -> set[tuple[int, str]]:
    return {(a.rule, a.learner) for a in tables.Award.select(tables.Award.rule, tables.Award.learner)}


def rules() -> list[tables.RewardRule]:
    return list(tables.RewardRule.select().order_by(tables.RewardRule.id))


def awards(learners: list[str] | None) -> list[tables.Award]:
    query = tables.Award.select().order_by(tables.Award.awarded.desc())
    if learners is not None:
        query = query.where(tables.Award.learner.in_(learners))
    return list(query.limit(500))
