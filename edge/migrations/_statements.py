"""What an xAPI statement says about progress, FROZEN for m0001_baseline: a copy of edge.console.progress.read
(and course_of, _last_segment) and of the truncation edge.console.learning._row applied, as they were at commit
7b5a6cd. A migration must give the same result whenever it runs, so it never imports the live rules: when those
change, stores already migrated keep what this copy derived and a later migration recomputes if it must.

Not a migration (no m#### prefix): wire.schema.load skips it.
"""

from __future__ import annotations

import json

ACTIVITY_PREFIX = "urn:throughgate:course:"  # wire.xapi.ACTIVITY_PREFIX at 7b5a6cd
DONE_VERBS = {"completed", "passed", "mastered"}
STATEMENT_KINDS = ("progress_statement", "quiz_answer")  # wire.records.STATEMENT_KINDS at 7b5a6cd
NOTHING = ("", "", "", None, 0, None)  # (activity, course, verb, score, done, correct) of a statement not read


def course_of(activity: str) -> str:
    if activity.startswith(ACTIVITY_PREFIX):
        return activity[len(ACTIVITY_PREFIX):].split("/", 1)[0]
    parts = activity.split("/")
    if len(parts) >= 2 and parts[0] == "course":
        return parts[1]
    return ""


def _last_segment(value) -> str:
    text = value.get("id", "") if isinstance(value, dict) else str(value or "")
    return text.rstrip("/").rsplit("/", 1)[-1]


def read(payload) -> tuple | None:
    """(verb, activity, course, score, done, correct) of one statement, or None if it says nothing about
    progress we can read (edge.console.progress.read at 7b5a6cd, as a tuple)."""
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
    return verb, activity, course_of(activity), score, done, success if verb == "answered" else None


def progress_columns(kind: str, body: str | None) -> tuple:
    """(activity, course, verb, score, done, correct) for a console_learning_record row, as the relay's copy
    stores them (edge.console.learning._row at 7b5a6cd); NOTHING for other kinds and bodies that cannot be read."""
    if kind not in STATEMENT_KINDS or not isinstance(body, str):
        return NOTHING
    try:
        record = json.loads(body)
        said = read(record.get("payload")) if isinstance(record, dict) else None
    except (ValueError, TypeError, AttributeError, RecursionError):
        return NOTHING
    if said is None:
        return NOTHING
    verb, activity, course, score, done, correct = said
    return (activity[:300], course[:63], verb[:40], None if score is None else float(score), int(done),
            None if correct is None else int(correct))
