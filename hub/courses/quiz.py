"""The native package's quiz and assignment files (JSON), checked at import (docs/courses.md).

Quiz:
    {"title": "…"?, "pass_mark": 0.0–1.0?,
     "questions": [{"id": "q1", "prompt": "…", "kind": "single" | "multiple" | "text",
                    "choices": [{"id": "a", "text": "…"}, …],   (single and multiple only)
                    "answer": ["a"]?, "points": 1?}]}

Assignment brief:
    {"title": "…"?, "brief": "what to do (plain text)", "brief_href": "brief.html"?,
     "submit": ["text", "photo", "audio"] (a non-empty subset), "due_days": 14?}
"""

from __future__ import annotations

from hub.courses.package import PackageError

QUESTION_KINDS = ("single", "multiple", "text")
SUBMISSION_KINDS = ("text", "photo", "audio")
MAX_QUESTIONS = 500


def _fail(where: str, what: str):
    raise PackageError("bad_quiz", f"{where}: {what}")


def _text(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_quiz(quiz, where: str) -> None:
    if not isinstance(quiz, dict) or set(quiz) - {"title", "pass_mark", "questions"}:
        _fail(where, "a quiz is an object with questions (and an optional title and pass_mark)")
    pass_mark = quiz.get("pass_mark", 0)
    if isinstance(pass_mark, bool) or not isinstance(pass_mark, int | float) or not 0 <= pass_mark <= 1:
        _fail(where, "pass_mark must be a number from 0 to 1")
    questions = quiz.get("questions")
    if not isinstance(questions, list) or not 0 < len(questions) <= MAX_QUESTIONS:
        _fail(where, f"questions must be a list of 1 to {MAX_QUESTIONS}")
    seen = set()
    for number, question in enumerate(questions, 1):
        _question(question, f"{where} question {number}")
        if question["id"] in seen:
            _fail(where, f"question id {question['id']!r} is used twice")
        seen.add(question["id"])


def _question(question, where: str) -> None:
    if not isinstance(question, dict) or set(question) - {"id", "prompt", "kind", "choices", "answer", "points"}:
        _fail(where, "a question is {id, prompt, kind, choices?, answer?, points?}")
    if not (_text(question.get("id")) and _text(question.get("prompt"))):
        _fail(where, "id and prompt must be non-empty strings")
    kind = question.get("kind")
    if kind not in QUESTION_KINDS:
        _fail(where, f"kind must be one of {', '.join(QUESTION_KINDS)}")
    if "points" in question and not (_whole(question["points"]) and question["points"] >= 0):
        _fail(where, "points must be a whole number from 0")
    if kind == "text":
        if "choices" in question:
            _fail(where, "a text question has no choices")
        return
    choices = question.get("choices")
    if not isinstance(choices, list) or len(choices) < 2:
        _fail(where, "a choice question needs at least two choices")
    ids = []
    for choice in choices:
        if not (isinstance(choice, dict) and set(choice) == {"id", "text"} and _text(choice["id"])
                and _text(choice["text"])):
            _fail(where, "each choice is {id, text}, both non-empty strings")
        ids.append(choice["id"])
    if len(set(ids)) != len(ids):
        _fail(where, "choice ids must differ")
    answer = question.get("answer")
    if answer is not None:
        if not isinstance(answer, list) or not answer or not set(answer) <= set(ids):
            _fail(where, "answer must list ids of its choices")
        if kind == "single" and len(answer) != 1:
            _fail(where, "a single-choice question has one answer")


def check_assignment(assignment, where: str) -> str | None:
    """Check an assignment brief; returns the package file it points at (brief_href), if any."""
    if not isinstance(assignment, dict) or set(assignment) - {"title", "brief", "brief_href", "submit", "due_days"}:
        raise PackageError("bad_assignment", f"{where}: an assignment is {{brief, submit, title?, brief_href?, "
                           "due_days?}")
    if not _text(assignment.get("brief")):
        raise PackageError("bad_assignment", f"{where}: brief must say what to do (non-empty text)")
    submit = assignment.get("submit")
    if not isinstance(submit, list) or not submit or not set(submit) <= set(SUBMISSION_KINDS):
        raise PackageError("bad_assignment", f"{where}: submit must list some of {', '.join(SUBMISSION_KINDS)}")
    due = assignment.get("due_days")
    if due is not None and not (_whole(due) and due > 0):
        raise PackageError("bad_assignment", f"{where}: due_days must be a whole number above 0")
    brief_href = assignment.get("brief_href")
    if brief_href is not None and not _text(brief_href):
        raise PackageError("bad_assignment", f"{where}: brief_href must be a path in the package")
    return brief_href
