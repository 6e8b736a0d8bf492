"""Security pass: IT staff see each refused course value but never the value itself (a learner's own answer).

The edge console's Refused values page (/courses/refusals) hid the value from IT staff by replacing it in the
reason, as a plain substring. But the tablet's reason quotes the value as Python's repr does (a newline as \\n, a
backslash doubled, a quote escaped) and keeps up to 510 characters of it, where the value itself is cut to 254
and an ellipsis: a learner's written answer holding a line break, or longer than 255 characters, was shown
whole to IT staff in the WHY column. Now the value is hidden however the reason quotes or cuts it."""

from __future__ import annotations

import pytest

from tests.console.consolekit import refusal
from wire import course_refusal

ELEMENT = "cmi.interactions.0.student_response"
SECRET = "my probation officer"


def _reason(value: str) -> str:
    """As the tablet's SCORM runtime words it (app/src/scorm/mapping.js, tablet/scorm.py): the value's repr."""
    return course_refusal.cut(f"{ELEMENT} {value!r} is not a true-false response (t or f)", 2 * 255)


ANSWERS = {"a line break": f"I told {SECRET}\nabout it",
           "a backslash": f"C:\\ {SECRET}",
           "both quotes": f"""it's "{SECRET}" """,
           "a long answer": f"I worry about {SECRET} " + "and then " * 40}


@pytest.fixture(scope="module")
def refused(app):
    return {name: refusal("L-A1", course="sec-pass-1", element=ELEMENT, value=course_refusal.cut(value, 255),
                          reason=_reason(value)) for name, value in ANSWERS.items()}


def test_it_staff_never_see_a_learners_answer_in_why_it_was_refused(staff, refused):
    page = staff["ivan"].get("/courses/refusals?course=sec-pass-1").get_data(as_text=True)
    assert page.count("[value hidden]") == len(ANSWERS)
    assert SECRET not in page and "and then" not in page


def test_the_learners_tutor_still_sees_the_value(staff, refused):
    page = staff["tina"].get("/courses/refusals?course=sec-pass-1").get_data(as_text=True)
    assert page.count(SECRET) >= len(ANSWERS)
