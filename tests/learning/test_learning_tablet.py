"""The tablet's learning records (tablet/learning.py) against the edge's real tablet API: statements
checked before they are recorded, SCORM commits recorded once, a submission held until its
attachments are uploaded and then recorded once, even when released again after a crash."""

from __future__ import annotations

import functools
import json
import uuid

import pytest

from tablet.attachments import AttachmentError, EdgeApi, Uploader
from tablet.learning import Learning
from tablet.outbox import Outbox
from tests.learning.learningkit import png_bytes
from throughgate.cli import main
from wire import course_refusal, xapi
from wire.records import RecordError


@pytest.fixture
def learning(edge_api):
    config, server, tablets_ = edge_api
    identity = tablets_["tab-a"]
    outbox = Outbox(str(identity.outbox_path))
    made = Learning(identity.folder, outbox)
    made.uploader = lambda: Uploader(EdgeApi(identity, "127.0.0.1", server.port))
    yield made
    made.close()
    outbox.close()


def test_a_statement_that_breaks_a_rule_is_refused_on_the_tablet_before_it_is_recorded(learning):
    wrong_learner = xapi.statement("L-9999", "completed", xapi.activity_id("maths-1", "unit-3"))

    with pytest.raises(RecordError) as refused:
        learning.record_statement("progress_statement", "L-0042", wrong_learner)

    assert refused.value.code == "bad_schema" and learning.outbox.counts()["pending"] == 0


def test_the_same_scorm_values_committed_twice_are_recorded_once(learning):
    cmi = {"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "90", "cmi.interactions.0.id": "q1",
           "cmi.interactions.0.type": "choice", "cmi.interactions.0.student_response": "a"}
    attempt = str(uuid.uuid4())

    first = learning.scorm_commit("L-0042", "maths-1", "unit-3", cmi, attempt).recorded
    again = learning.scorm_commit("L-0042", "maths-1", "unit-3", cmi, attempt)

    assert [r.kind for r in first] == ["progress_statement", "quiz_answer"] and again.recorded == []
    assert learning.outbox.ids() == [r.id for r in first]


def test_a_new_score_in_the_same_attempt_is_recorded_and_the_repeat_is_not(learning):
    attempt = str(uuid.uuid4())
    commit = functools.partial(learning.scorm_commit, "L-0042", "maths-1", "unit-3", attempt=attempt)

    forty = commit({"cmi.core.lesson_status": "failed", "cmi.core.score.raw": "40"}).recorded
    forty_five = commit({"cmi.core.lesson_status": "failed", "cmi.core.score.raw": "45"}).recorded
    again = commit({"cmi.core.lesson_status": "failed", "cmi.core.score.raw": "45"}).recorded

    assert len(forty) == len(forty_five) == 1 and again == []
    assert learning.outbox.ids() == [forty[0].id, forty_five[0].id]
    assert [r.payload["result"]["score"]["raw"] for r in (*forty, *forty_five)] == [40, 45]


def test_a_bad_score_is_refused_alone_kept_with_its_reason_and_shown_by_tablet_status(learning, capsys, caplog):
    attempt = str(uuid.uuid4())
    cmi = {"cmi.core.lesson_status": "completed", "cmi.core.score.raw": "abc"}

    done = learning.scorm_commit("L-0042", "maths-1", "unit-3", cmi, attempt)
    learning.scorm_commit("L-0042", "maths-1", "unit-3", cmi, attempt)  # the same bad value again: kept once

    (completed,) = done.recorded
    refusal_id = course_refusal.refusal_id(attempt, "cmi.core.score.raw", "abc")
    assert completed.payload["result"] == {"completion": True}
    assert learning.outbox.ids() == [refusal_id, completed.id]  # the refusal goes to support once
    (sent,) = [json.loads(p.body)["payload"] for p in learning.outbox.pending(10, set()) if p.id == refusal_id]
    assert (sent["course"], sent["item"], sent["attempt"], sent["value"], sent["version"]) == (
        "maths-1", "unit-3", attempt, "abc", None)
    assert [(r.element, r.error_code) for r in done.refused] == [("cmi.core.score.raw", "405")]
    reason = "cmi.core.score.raw 'abc' is not a CMIDecimal"
    assert learning.scorm_refusals() == [{"attempt": attempt, "element": "cmi.core.score.raw", "value": "abc",
                                          "learner": "L-0042", "course": "maths-1", "item": "unit-3",
                                          "reason": reason, "error_code": "405"}]
    assert any(reason in r.getMessage() for r in caplog.records)  # in the tablet's log too
    assert main(["tablet", "status", "--offline", "--folder", str(learning.folder)]) == 0
    assert (f"refused SCORM value for L-0042 in maths-1/unit-3 (attempt {attempt}, LMSGetLastError 405): "
            f"{reason}") in capsys.readouterr().out


def test_a_scorm_2004_commit_records_what_it_can_and_keeps_its_refusal_with_the_2004_code(learning):
    attempt = str(uuid.uuid4())
    cmi = {"cmi.completion_status": "completed", "cmi.success_status": "passed", "cmi.score.scaled": "1.5"}

    done = learning.scorm_commit("L-0042", "maths-1", "unit-3", cmi, attempt, version="2004")

    (passed,) = done.recorded
    assert passed.payload["result"] == {"success": True, "completion": True}
    assert [(r["element"], r["value"], r["error_code"]) for r in learning.scorm_refusals()] == [
        ("cmi.score.scaled", "1.5", "407")]


def test_a_submission_is_held_until_its_attachments_are_uploaded_and_recorded_once_after_a_crash(learning,
                                                                                                   tmp_path):
    photo = tmp_path / "page.png"
    photo.write_bytes(png_bytes())
    record_id = learning.submit_assignment("L-0042", "english-2", "essay-3", "My essay", [(photo, "image/png")])
    assert learning.outbox.ids() == [] and [held[0] for held in learning.held()] == [record_id]

    assert learning.release(learning.uploader()).recorded == [record_id]
    learning._db.execute("UPDATE submission SET state='held'")  # as if it crashed before noting it
    again = learning.release(learning.uploader())

    assert again.recorded == [record_id] and again.refused == []
    assert learning.outbox.ids() == [record_id] and learning.held() == []


def test_once_the_limits_are_known_an_over_limit_file_is_refused_offline(learning, tmp_path):
    small, big = tmp_path / "small.png", tmp_path / "big.png"
    small.write_bytes(png_bytes(40, 40))
    big.write_bytes(png_bytes(400, 500))
    learning.submit_assignment("L-0042", "english-2", "essay-1", "", [(small, "image/png")])
    learning.release(learning.uploader())  # the tablet learns the edge's limits

    with pytest.raises(AttachmentError) as refused:
        learning.submit_assignment("L-0042", "english-2", "essay-2", "", [(big, "image/png")])

    assert refused.value.code == "too_large" and learning.held() == []
    assert len(list(learning.files.iterdir())) == 1  # the small file's copy only: nothing kept of the refused one
