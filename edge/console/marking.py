"""Marking a submission: the mark, a `feedback` record for the hub, and a down message for the
learner's tablet, all in one transaction (so none is ever without the others)."""

from __future__ import annotations

from edge import store
from edge.console import learning, outgoing, tables
from edge.intake import bindings
from wire.records import timestamp

MAX_GRADE, MAX_FEEDBACK = 20, 5000


class MarkError(ValueError):
    def __init__(self, reason: str, status: int = 400):
        super().__init__(reason)
        self.reason, self.status = reason, status


def check(grade: str, feedback: str) -> tuple[str, str]:
    """The grade and written feedback, tidied; MarkError names what is wrong."""
    grade, feedback = (grade or "").strip(), (feedback or "").strip()
    if not 1 <= len(grade) <= MAX_GRADE:
        raise MarkError(f"give a grade of 1-{MAX_GRADE} characters (e.g. B, Merit, 7/10)")
    if not 1 <= len(feedback) <= MAX_FEEDBACK:
        raise MarkError(f"write feedback for the learner (1-{MAX_FEEDBACK} characters)")
    return grade, feedback


def mark(submission_id: str, grade: str, feedback: str, marker: str) -> tables.Mark:
    grade, feedback = check(grade, feedback)
    with store.writing():
        found = learning.submission(submission_id)
        if found is None:
            raise MarkError("no such submission", 404)
        if found.mark is not None:
            raise MarkError(f"already marked by {found.mark.marker} at {found.mark.marked}", 409)
        marked = timestamp()
        payload = {"submission": found.id, "assignment": found.title, "grade": grade, "feedback": feedback,
                   "marker": marker, "marked": marked}
        if found.course:  # so the hub's xAPI forwarder names the assignment's activity
            payload["course"] = found.course
        record = outgoing.add_record("feedback", found.learner, payload)
        row = tables.Mark.create(submission=found.id, grade=grade, feedback=feedback, marker=marker,
                                 marked=marked, record=record.id)
        outgoing.add_down(bindings.recipient(found.learner, found.device), outgoing.feedback_message(record))
    return row
