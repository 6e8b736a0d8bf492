"""Progress read from xAPI statements, reward rules, charts: pure rules first, then the records and
down messages an earned badge makes in the real edge store."""

from __future__ import annotations

import json

import pytest

from edge import store
from edge.console import charts, outgoing, progress, rewards, tables
from tests.console.consolekit import statement, submission
from wire import xapi


def _completed(activity: str, score: float | None = None, verb: str = "completed") -> dict:
    result = {"completion": verb == "completed", **({"score": {"scaled": score}} if score is not None else {})}
    return xapi.statement("L-1", verb, f"urn:throughgate:course:{activity}", result=result)


def test_progress_counts_distinct_units_done_and_averages_scores():
    statements = [("L-1", _completed("maths-1/unit-1", 0.5)), ("L-1", _completed("maths-1/unit-1", 0.9)),
                  ("L-1", _completed("english-2/unit-1")), ("L-1", _completed("maths-1/unit-2", verb="passed")),
                  ("L-2", xapi.statement("L-2", "answered", "urn:throughgate:course:maths-1/quiz-1",
                                         result={"response": "4", "success": True}))]
    found = progress.summarise(statements)
    assert found["L-1"].units == 3 and found["L-1"].average == 70.0
    assert found["L-1"].courses == {"maths-1", "english-2"}
    assert found["L-2"].units == 0 and (found["L-2"].answers, found["L-2"].correct) == (1, 1)
    assert progress.summarise(statements, course="english-2")["L-1"].units == 1


@pytest.mark.parametrize("payload", [{}, {"verb": "completed"}, {"object": "x"}, [], {"verb": {}, "object": {}},
                                     {"verb": "completed", "object": "course/a/b", "score": float("inf")}])
def test_unreadable_statements_count_for_nothing(payload):
    found = progress.summarise([("L-1", payload)])
    assert found.get("L-1") is None or (found["L-1"].units, found["L-1"].scores) in ((0, []), (1, []))


def test_a_rule_is_due_once_for_each_learner_who_meets_it():
    rule = tables.RewardRule(id=1, badge="Finisher", measure="units", threshold=2, course="")
    score = tables.RewardRule(id=2, badge="Ace", measure="score", threshold=80, course="maths-1")
    everyone = progress.summarise([("L-1", _completed("maths-1/u1", 0.9)), ("L-1", _completed("maths-1/u2", 0.8)),
                                   ("L-2", _completed("maths-1/u1", 0.5))])
    by_course = {"": everyone, "maths-1": everyone}
    assert [(r.badge, learner) for r, learner in rewards.due([rule, score], by_course, set())] == [
        ("Finisher", "L-1"), ("Ace", "L-1")]
    assert rewards.due([rule], by_course, {(1, "L-1")}) == []


@pytest.mark.parametrize(("measure", "threshold", "course", "reason"), [
    ("units", "0", "", "whole number"), ("units", "2.5", "", "whole number"), ("score", "120", "", "percentage"),
    ("stars", "1", "", "one of"), ("units", "x", "", "a number"), ("units", "2", "Bad Course", "course")])
def test_a_bad_rule_is_refused_with_its_reason(kit, app, measure, threshold, course, reason):
    with pytest.raises(rewards.RuleError, match=reason):
        rewards.add_rule("Badge", measure, threshold, course, "mary")


def test_an_earned_badge_becomes_one_award_record_and_one_message_for_the_learners_tablet(kit, app):
    submission("L-R1", device="tab-0001")
    for unit in ("unit-1", "unit-2"):
        statement("L-R1", f"rewards-1/{unit}", score=0.9, device="tab-0002")  # the tablet used last
    rule = rewards.add_rule("Two down", "units", 2, "rewards-1", "mary")
    made = rewards.evaluate()
    assert [(a.learner, a.badge) for a in made] == [("L-R1", "Two down")]
    assert rewards.evaluate() == []  # once only
    record = store.Received.get(store.Received.id == made[0].id)
    body = json.loads(record.body)
    assert (record.kind, record.device, record.learner) == ("award", outgoing.CONSOLE_DEVICE, "L-R1")
    assert body["payload"]["rule"] == "complete at least 2 units in rewards-1"
    down = [json.loads(m.body) for m in tables.DownMessage.select().where(tables.DownMessage.device == "tab-0002")]
    assert {"type": "award", "id": made[0].id, "badge": "Two down", "learner": "L-R1"}.items() <= down[-1].items()
    rewards.delete_rule(rule.id)


def test_staff_records_take_their_own_sequence_numbers(kit, app):
    with store.writing():
        first = outgoing.add_record("feedback", "L-S1", {"grade": "A"})
        second = outgoing.add_record("award", "L-S1", {"badge": "B"})
    assert second.seq == first.seq + 1 and {first.kind, second.kind} == {"feedback", "award"}


def test_chart_labels_are_escaped_and_bars_scaled():
    svg = str(charts.bar_chart([("<script>", 5), ("L-2", 10)], title="Units"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert 'width="180.0"' in svg and 'width="360.0"' in svg
    assert "Nothing to chart" in str(charts.bar_chart([]))
