"""What the edge takes as a learning record (wire/learning.py through edge.intake.rules.triage): one valid
xAPI statement with the record's id and learner, or a well-formed submission whose attachments the
edge holds. Every refusal names the rule; the good records around a bad one still go through."""

from __future__ import annotations

import json
import uuid

import pytest

from edge.intake.rules import Arrived, triage
from tablet.fleet import sample_payload
from wire import topics, xapi
from wire.learning import AttachmentRef
from wire.records import RecordError, new_record

LEARNER = "L-0042"


def statement(**changes) -> dict:
    built = xapi.statement(LEARNER, "completed", xapi.activity_id("maths-1", "unit-3"))
    return built | changes


def arrived(raw: bytes, device: str = "tab-a") -> Arrived:
    return Arrived(topics.up(device), raw, 1, 1)


def run(raws, attachments=None):
    return triage([arrived(raw) for raw in raws], known=set(), highest={}, room=10**9,
                  received="2026-11-27T01:00:00.000Z", quota_retry_s=30.0, attachments=attachments)


def record(kind: str, payload: dict, seq: int = 1, learner: str = LEARNER, record_id: str | None = None) -> bytes:
    return new_record(kind, learner, seq, payload, record_id=record_id).to_json()


def ref(**changes) -> dict:
    return {"id": str(uuid.uuid4()), "sha256": "ab" * 32, "size": 1000, "type": "image/jpeg", "name": "page.jpg",
            **changes}


def submission(**changes) -> dict:
    return {"assignment": "essay-3", "course": "english-2", "text": "My essay", "attachments": [], **changes}


def test_a_valid_statement_is_stored_under_its_own_id():
    sent = statement()

    out = run([record("progress_statement", sent)])

    assert [row["id"] for row in out.rows] == [sent["id"]] and out.refusals == []


BAD_STATEMENTS = {
    "not-xapi": ("progress_statement", lambda: {"verb": "completed", "object": "maths-1/unit-3"}, "xAPI statement"),
    "no-verb": ("progress_statement", lambda: {k: v for k, v in statement().items() if k != "verb"}, "'verb'"),
    "bad-score": ("progress_statement", lambda: statement(result={"score": {"scaled": 2}}), "scaled"),
    "another-learner": ("progress_statement", lambda: xapi.statement("L-9999", "completed", "urn:x:y"),
                        "record's learner"),
    "email-actor": ("progress_statement", lambda: statement(actor={"mbox": "mailto:someone@example.org"}),
                    "record's learner"),
    "quiz-without-response": ("quiz_answer", lambda: xapi.statement(LEARNER, "answered", "urn:x:q1"), "response"),
    "quiz-other-verb": ("quiz_answer", lambda: statement(result={"response": "b"}), "answered"),
}


@pytest.mark.parametrize(("kind", "make", "named"), BAD_STATEMENTS.values(), ids=BAD_STATEMENTS.keys())
def test_a_malformed_statement_is_refused_as_bad_schema_with_the_rule_named(kind, make, named):
    out = run([record(kind, make())])

    (refusal,) = out.refusals
    assert (refusal.code, refusal.retry_after) == ("bad_schema", None) and named in refusal.reason
    assert out.rows == []


def test_a_statement_whose_id_is_not_the_records_id_is_refused():
    sent = statement()

    out = run([record("progress_statement", sent, record_id=str(uuid.uuid4()))])

    assert out.refusals[0].code == "bad_schema" and "record's id" in out.refusals[0].reason


def test_the_records_around_a_malformed_statement_still_go_through():
    good1, good2 = statement(), statement()

    out = run([record("progress_statement", good1, 1), record("progress_statement", {"verb": "x"}, 2),
               record("quiz_answer", sample_payload("quiz_answer", 3, LEARNER), 3),
               record("progress_statement", good2, 4)])

    assert len(out.rows) == 3 and [r.code for r in out.refusals] == ["bad_schema"]


BAD_SUBMISSIONS = {
    "missing-attachments": ({k: v for k, v in submission().items() if k != "attachments"}, "attachments"),
    "extra-field": (submission(grade="A"), "grade"),
    "course-not-a-slug": (submission(course="English 2"), "course"),
    "attachment-without-hash": (submission(attachments=[{k: v for k, v in ref().items() if k != "sha256"}]),
                                "attachments[0]"),
    "bad-hash": (submission(attachments=[ref(sha256="xyz")]), "sha256"),
    "path-in-name": (submission(attachments=[ref(name="../../etc/passwd")]), "name"),
    "empty-file": (submission(attachments=[ref(size=0)]), "size"),
    "bad-type": (submission(attachments=[ref(type="JPEG")]), "type"),
    "listed-twice": (submission(attachments=[ref(id="5b0c1f3e-2a4d-4e6f-8a9b-0c1d2e3f4a5b")] * 2), "once"),
}


@pytest.mark.parametrize(("payload", "named"), BAD_SUBMISSIONS.values(), ids=BAD_SUBMISSIONS.keys())
def test_a_malformed_submission_is_refused_as_bad_schema_with_the_rule_named(payload, named):
    (refusal,) = run([record("assignment_submission", payload)]).refusals

    assert refusal.code == "bad_schema" and named in refusal.reason


def test_a_submission_is_taken_only_when_the_edge_holds_its_attachments_and_their_use_is_noted():
    held, missing = ref(), ref()
    asked = []

    def attachments(device, record_id, refs):
        asked.append((device, [r.id for r in refs]))
        if any(r.id == missing["id"] for r in refs):
            raise RecordError("attachment_missing", "still uploading", record_id, retry_after=60.0)

    ok, waiting = submission(attachments=[held]), submission(attachments=[held, missing])
    out = run([record("assignment_submission", ok, 1), record("assignment_submission", waiting, 2)], attachments)

    (row,) = out.rows
    assert out.attachment_uses == [(row["id"], held["id"])]
    (refusal,) = out.refusals
    assert (refusal.code, refusal.retry_after) == ("attachment_missing", 60.0)
    assert asked == [("tab-a", [held["id"]]), ("tab-a", [held["id"], missing["id"]])]
    assert json.loads(row["body"])["payload"]["attachments"][0] == AttachmentRef(**held).to_dict()


def test_without_an_attachment_store_a_submission_naming_one_is_refused_and_one_without_is_taken():
    out = run([record("assignment_submission", submission(attachments=[ref()]), 1),
               record("assignment_submission", submission(), 2)])

    assert [r.code for r in out.refusals] == ["attachment_missing"] and len(out.rows) == 1
