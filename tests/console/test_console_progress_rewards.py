"""Progress read from xAPI statements, reward rules, charts: pure rules first, then the records and
down messages an earned badge makes in the real edge store."""

from __future__ import annotations

import json
import uuid

import pytest

from edge import store
from edge.console import charts, learning, marking, outgoing, progress, rewards, tables
from edge.downlink.tables import DownMessage
from hub.lrs.statements import to_statement
from tablet import scorm
from tests.console.consolekit import statement, submission
from wire import xapi
from wire.records import new_record


def _keep(learner: str, payload: dict, kind: str = "progress_statement") -> None:
    record = new_record(kind, learner, 1, payload)
    with store.writing():
        learning.keep([{"id": record.id, "kind": kind, "device": "tab-0001", "learner": learner,
                        "created": record.created, "received": store.utcnow(), "body": record.to_json().decode()}])


def _completed(learner: str, activity: str, score: float | None = None, verb: str = "completed") -> dict:
    result = {"completion": verb == "completed", **({"score": {"scaled": score}} if score is not None else {})}
    return xapi.statement(learner, verb, f"urn:throughgate:course:{activity}", result=result)


def test_progress_counts_distinct_units_done_and_averages_scores(app):
    for activity, score, verb in (("pm-1/unit-1", 0.5, "completed"), ("pm-1/unit-1", 0.9, "completed"),
                                  ("pe-2/unit-1", None, "completed"), ("pm-1/unit-2", None, "passed"),
                                  ("pm-1/unit-3", None, "progressed")):
        _keep("L-P1", _completed("L-P1", activity, score, verb))
    _keep("L-P2", xapi.statement("L-P2", "answered", "urn:throughgate:course:pm-1/quiz-1",
                                 result={"response": "4", "success": True}), kind="quiz_answer")
    _keep("L-P2", xapi.statement("L-P2", "answered", "urn:throughgate:course:pm-1/quiz-2",
                                 result={"response": "5", "success": False}), kind="quiz_answer")
    everyone = learning.Scope(everyone=True)
    found = learning.progress_of(everyone, ["L-P1", "L-P2"])
    assert (found["L-P1"].units, found["L-P1"].average, found["L-P1"].courses) == (3, 70.0, {"pm-1", "pe-2"})
    assert (found["L-P2"].units, found["L-P2"].answers, found["L-P2"].correct) == (0, 2, 1)
    assert learning.progress_of(everyone, ["L-P1"], course="pe-2")["L-P1"].units == 1
    assert learning.timeline(everyone, "L-P1") == [("pm-1/unit-1", 50.0), ("pm-1/unit-1", 90.0)]
    assert learning.progress_of(learning.Scope(everyone=False, classes=("A",)), ["L-P1"]) == {}  # not in class A


def _scorm(learner: str, attempt: str, cmi: dict) -> None:
    made = scorm.commit(cmi, learner=learner, course="sc-1", item="unit-1", attempt=attempt, timestamp=store.utcnow())
    for kind, said in made.statements:
        _keep(learner, said, kind)


def test_within_one_scorm_attempt_the_latest_score_and_answer_count_and_done_stays_done(app):
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    question = {"cmi.interactions.0.id": "q1", "cmi.interactions.0.type": "choice"}
    _scorm("L-S1", first, {"cmi.core.lesson_status": "failed", "cmi.core.score.raw": "40", **question,
                           "cmi.interactions.0.student_response": "a", "cmi.interactions.0.result": "wrong"})
    _scorm("L-S1", first, {"cmi.core.lesson_status": "failed", "cmi.core.score.raw": "45", **question,
                           "cmi.interactions.0.student_response": "b", "cmi.interactions.0.result": "correct"})
    _scorm("L-S1", second, {"cmi.core.lesson_status": "incomplete", "cmi.core.score.raw": "90"})

    found = learning.progress_of(learning.Scope(everyone=True), ["L-S1"])["L-S1"]

    assert (found.units, found.average, found.answers, found.correct) == (1, 67.5, 1, 1)  # (45 + 90) / 2
    assert [score for _, score in learning.timeline(learning.Scope(everyone=True), "L-S1")] == [40.0, 45.0, 90.0]


@pytest.mark.parametrize("payload", [{}, {"verb": "completed"}, {"object": "x"}, [], {"verb": {}, "object": {}},
                                     {"verb": "completed", "object": "course/a/b", "score": float("inf")}])
def test_unreadable_statements_count_for_nothing(payload):
    said = progress.read(payload)
    assert said is None or (said.score is None and said.course == "a")


def test_a_rule_is_due_once_for_each_learner_who_meets_it():
    rule = tables.RewardRule(id=1, badge="Finisher", measure="units", threshold=2, course="")
    score = tables.RewardRule(id=2, badge="Ace", measure="score", threshold=80, course="maths-1")
    everyone = {"L-1": progress.LearnerProgress("L-1", units=2, average=85.0),
                "L-2": progress.LearnerProgress("L-2", units=1, average=50.0)}
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


# The relay stamps a whole batch with one `received`, to the millisecond, so records often share it; the
# highest id (random) must not decide which tablet was used last. This id sorts after any other.
LAST_ID = "ffffffff-ffff-4fff-bfff-ffffffffffff"


def test_an_earned_badge_becomes_one_award_record_and_one_message_for_the_learners_tablet(kit, app):
    same_moment = "2026-11-27T01:48:28.062Z"
    submission("L-R1", device="tab-0001", received=same_moment, record_id=LAST_ID)
    for unit in ("unit-1", "unit-2"):  # arrive after the submission, in the same millisecond
        statement("L-R1", f"rewards-1/{unit}", score=0.9, device="tab-0002", received=same_moment)
    assert learning.latest_device("L-R1") == "tab-0002"  # the tablet used last
    rule = rewards.add_rule("Two down", "units", 2, "rewards-1", "mary")
    made = rewards.evaluate()
    assert [(a.learner, a.badge) for a in made] == [("L-R1", "Two down")]
    assert rewards.evaluate() == []  # once only
    record = store.Received.get(store.Received.id == made[0].id)
    body = json.loads(record.body)
    assert (record.kind, record.device, record.learner) == ("award", outgoing.CONSOLE_DEVICE, "L-R1")
    assert body["payload"]["rule"] == "complete at least 2 units in rewards-1"
    assert to_statement(body)["verb"]["id"] == "http://id.tincanapi.com/verb/earned"  # as the hub forwards it
    down = [json.loads(m.body) for m in DownMessage.select().where(DownMessage.device == "tab-0002")]
    assert {"type": "award", "id": made[0].id, "badge": "Two down", "learner": "L-R1"}.items() <= down[-1].items()
    rewards.delete_rule(rule.id)


def test_the_tablet_used_last_is_the_one_whose_record_arrived_last_when_received_times_are_equal(kit, app):
    same_moment = "2026-11-27T02:00:00.000Z"
    statement("L-R2", "rewards-2/unit-1", device="tab-0002", received=same_moment)
    submission("L-R2", device="tab-0001", received=same_moment)
    assert learning.latest_device("L-R2") == "tab-0001"
    statement("L-R2", "rewards-2/unit-2", device="tab-0002", received="2026-11-27T02:00:00.001Z")
    assert learning.latest_device("L-R2") == "tab-0002"


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


def test_old_records_are_forgotten_but_open_submissions_stay(app):
    def old(record_id: str) -> None:
        with store.writing():
            tables.LearningRecord.update(received="2020-01-01T00:00:00.000Z").where(
                tables.LearningRecord.id == record_id).execute()

    marked, still_open = submission("L-F1"), submission("L-F1")
    _keep("L-F1", _completed("L-F1", "pf-1/unit-1"))
    statement_id = tables.LearningRecord.select().where(tables.LearningRecord.learner == "L-F1",
                                                        tables.LearningRecord.kind == "progress_statement").get().id
    recent = submission("L-F1")
    for record_id in (marked, still_open, statement_id):
        old(record_id)
    marking.mark(marked, "B", "Done.", "tina")
    assert learning.forget_older_than("2021-01-01T00:00:00.000Z") == 2
    left = {row.id for row in tables.LearningRecord.select().where(tables.LearningRecord.learner == "L-F1")}
    assert left == {still_open, recent}
