"""wire.record_rules: one set of rules for a tablet's record, so the tablet's outbox stores exactly the
records the edge's intake takes (as far as the record itself tells: the edge alone knows sequences,
bindings, attachments it holds and room)."""

from __future__ import annotations

import uuid

import pytest

from edge.intake.rules import Arrived, triage
from tablet.fleet import sample_payload
from tablet.outbox import Outbox
from wire import topics, xapi
from wire.record_rules import check_tablet_record
from wire.records import TABLET_KINDS, RecordError, new_record

LEARNER = "L-0042"
STATEMENT = xapi.statement(LEARNER, "completed", xapi.activity_id("maths-1", "unit-1"))
SUBMISSION = {"assignment": "essay-1", "course": "english-2", "text": "My essay"}

CASES = [  # (kind, payload, what the refusal says, or None when both take it)
    *[(kind, sample_payload(kind, 1, LEARNER), None) for kind in TABLET_KINDS],
    ("assignment_submission", SUBMISSION, "missing field(s): attachments"),  # a newcomer's first submission
    ("assignment_submission", SUBMISSION | {"attachments": []}, None),
    ("progress_statement", {"verb": "completed", "object": "maths-1/unit-1"}, "the statement has no 'id'"),
    ("progress_statement", {k: v for k, v in STATEMENT.items() if k != "actor"}, "actor"),
    ("progress_statement", xapi.statement("L-7", "completed", xapi.activity_id("maths-1")),
     "its actor must be the record's learner"),
    ("quiz_answer", STATEMENT | {"id": str(uuid.uuid4())}, "a quiz answer's verb is"),
    ("feedback", {"grade": "A"}, "staff-only"),
    ("award", {"badge": "first-steps"}, "staff-only"),
    ("message", {"text": "hello"}, None),
]


def edge_refusal(kind: str, payload: dict) -> str | None:
    """What the edge's intake answers this record, as the first record of a fresh tablet."""
    raw = new_record(kind, LEARNER, 1, payload).to_json()
    out = triage([Arrived(topics.up("tab-1"), raw, 1, 1)], known=set(), highest={}, room=10**9,
                 received="2026-12-07T10:00:00.000Z", quota_retry_s=30, attachments=lambda *_: None)
    return f"{out.refusals[0].code}: {out.refusals[0].reason}" if out.refusals else None


@pytest.mark.parametrize(("kind", "payload", "refusal"), CASES, ids=lambda v: v if isinstance(v, str) else "")
def test_the_tablet_stores_exactly_what_the_edge_takes_and_refuses_in_the_same_words(tmp_path, kind, payload,
                                                                                     refusal):
    outbox = Outbox(str(tmp_path / "outbox.sqlite"))
    try:
        outbox.add(kind, LEARNER, payload)
        at_tablet = None
    except RecordError as exc:
        at_tablet = str(exc)
    at_edge = edge_refusal(kind, payload)
    assert at_tablet == at_edge
    assert (refusal is None) == (at_tablet is None) and (refusal is None or refusal in at_tablet)
    assert outbox.counts()["pending"] == (1 if at_tablet is None else 0)  # a refused record is not stored
    outbox.close()


def test_the_rules_return_the_attachments_a_submission_names():
    ref = {"id": str(uuid.uuid4()), "sha256": "a" * 64, "size": 3, "type": "image/png", "name": "page-1.png"}
    record = new_record("assignment_submission", LEARNER, 1, SUBMISSION | {"attachments": [ref]})
    (found,) = check_tablet_record(record)
    assert found.to_dict() == ref
