"""Security pass: one answer to a form must not hold the hub's sync for hours (regular expression DoS).

A form's constraint `regex(., '<pattern>')` runs Python's backtracking `re.search` on the person's answer (up to
10,000 characters) inside the sync's database transaction. A pattern with a repeat inside a repeat, as form
designers write for names (`^([A-Za-z]+ ?)*$`), takes time exponential in the answer's length on text it does not
match: 24 letters and a '!' took 3.3 s here, 40 would take days, holding a hub thread and (on SQLite) every other
writer. A person, or whoever holds their phone, needed only to send such an answer. And `regex(., ${other})` ran
a pattern the person typed in another answer. Now the hub refuses to publish a pattern that repeats a part which
itself repeats or has alternatives (saying how to write it), takes only a pattern written in the form, and
does not run such a pattern of a form published before (the app checked the answer; regex() is false)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from formkit import xlsform

from hub.forms import expressions
from hub.forms import xlsform as reader

SLOW = ["^([A-Za-z]+ ?)*$", "(a+)+b", "^(\\w+\\s?)*$", "(a|aa)*c", "^(a{1,3})*$", "(\\d+,?){1,20}x"]
SAFE = [reader.PHONE_PATTERN, "^[0-9]{10}$", "^(\\+44|0)[0-9]{10}$", "^(\\d{1,3}\\.){3}\\d{1,3}$",
        "^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$", "^([0-9]{3}-){2}[0-9]{4}$", "^[a-z ]*$"]


def _form(constraint: str) -> bytes:
    return xlsform("names", "1", survey=[["text", "name", "Your name", "Eich enw", "", constraint, "", ""]])


@pytest.mark.parametrize("pattern", SLOW)
def test_a_pattern_that_backtracks_for_hours_is_not_published(pattern):
    with pytest.raises(reader.FormRefused) as refused:
        reader.read(_form(f"regex(., '{pattern}')"))
    assert "repeat" in refused.value.problems[0], refused.value.problems


def test_a_pattern_taken_from_another_answer_is_not_published():
    with pytest.raises(expressions.ExpressionRefused) as refused:
        expressions.parse("regex(., ${other})")
    assert "written in the form" in refused.value.reason


@pytest.mark.parametrize("pattern", SAFE)
def test_the_patterns_forms_use_are_still_published(pattern):
    [field] = reader.read(_form(f"regex(., '{pattern}')")).fields
    assert field["constraint"]["pattern"] == pattern


def test_a_slow_pattern_of_a_form_published_before_never_runs_on_an_answer():
    """In a process of its own, with a time limit: re.search holds the interpreter's lock while it runs."""
    script = f"""
from datetime import date
from hub.forms import expressions, fields
field = {{"path": "name", "name": "name", "type": "text", "required": False, "constraint": {{"pattern": {SLOW[0]!r}}}}}
answer = "a" * 40 + "!"
print(fields.check_value(field, answer, date(2027, 1, 20)))
print(expressions.matches(answer, {SLOW[0]!r}))
"""
    try:
        ran = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=10, check=True)
    except subprocess.TimeoutExpired:
        pytest.fail("checking one 41-character answer was still running after 10 s")
    assert ran.stdout.splitlines() == [f"({'a' * 40 + '!'!r}, [])", "False"], ran.stdout


POLYNOMIAL = ".*a.*a.*b"
"""No repeat inside a repeat, so published; on a backtracking engine cubic in the answer's length (48 s on 1,000
characters with Python's re). The hub runs patterns on RE2, linear whatever the pattern."""


def test_a_pattern_slow_only_to_a_backtracking_engine_checks_a_long_answer_at_once():
    """In a process of its own, with a time limit (a stuck match would hold the interpreter's lock)."""
    [field] = reader.read(_form(f"regex(., '{POLYNOMIAL}')")).fields
    assert field["constraint"]["pattern"] == POLYNOMIAL
    script = f"""
from hub.forms import expressions
print(expressions.matches("a" * 10_000, {POLYNOMIAL!r}), expressions.matches("a" * 9_999 + "b", {POLYNOMIAL!r}))
"""
    try:
        ran = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=10, check=True)
    except subprocess.TimeoutExpired:
        pytest.fail("checking one 10,000-character answer was still running after 10 s")
    assert ran.stdout.split() == ["False", "True"]


@pytest.mark.parametrize("pattern", ["^(?=.*[0-9]).+$", "^(a)\\1$", "^(?<!x)y$"])
def test_a_pattern_the_hubs_engine_does_not_take_is_refused_naming_its_row(pattern):
    with pytest.raises(reader.FormRefused) as refused:
        reader.read(_form(f"regex(., '{pattern}')"))
    [problem] = refused.value.problems
    assert problem.startswith("survey row 2 ('name')") and "lookahead or lookbehind" in problem, problem
