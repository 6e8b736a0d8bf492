"""Security pass: a form's calculations must not make texts of gigabytes at each submission.

A calculation may concat() other calculations, each reference copying the other's text: six calculate rows, each
concat() of sixty references to the row before, make a text of 20 x 60^5 characters (15 GB). The hub evaluates
every calculation of a submission inside the phone's sync, so once a team manager had published such a form
(a mistake, or their account in someone else's hands), each submission took the hub's memory (MemoryError
under a 3 GB limit here; the kernel's OOM killer on a hub without one). Now a calculation that would make a
text longer than expressions.MAX_TEXT_CHARS refuses the submission, naming the field, and nothing is kept."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date

import openpyxl
import pytest
from formkit import LOGIC_HEADER

from hub.forms import expressions, fields
from hub.forms import xlsform as reader


def _doubling_form(levels: int) -> bytes:
    workbook = openpyxl.Workbook()
    survey = workbook.active
    survey.title = "survey"
    survey.append(LOGIC_HEADER)
    survey.append(["text", "note", "Note", "Nodyn", "", "", "", "", ""])
    survey.append(["calculate", "c1", "", "", "", "", "", "concat('aaaaaaaaaa', 'aaaaaaaaaa')", ""])
    for n in range(1, levels):
        survey.append(["calculate", f"c{n + 1}", "", "", "", "", "",
                       "concat(" + ", ".join([f"${{c{n}}}"] * 60) + ")", ""])
    settings = workbook.create_sheet("settings")
    settings.append(["form_id", "version"])
    settings.append(["growing", "1"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_calculation_that_grows_past_the_limit_refuses_the_submission_naming_it():
    """In a process of its own with a memory limit, so that the hub's old behaviour fails the test, not the box."""
    script = ("import resource, sys\nfrom datetime import date\nfrom hub.forms import fields, xlsform\n"
              "definition = xlsform.read(sys.stdin.buffer.read())\n"
              "resource.setrlimit(resource.RLIMIT_AS, (1 << 31, 1 << 31))\n"
              "try:\n    fields.check(definition.fields, {'note': 'hi'}, date(2027, 1, 20))\n"
              "except fields.FieldRefused as refused:\n    print(refused.path, refused)\n")
    ran = subprocess.run([sys.executable, "-c", script], input=_doubling_form(6), capture_output=True, timeout=60)
    assert ran.returncode == 0, ran.stderr.decode()[-600:]
    assert ran.stdout.decode().startswith("c4 ") and "characters" in ran.stdout.decode(), ran.stdout


def test_calculations_of_ordinary_size_still_work():
    checked = fields.check(reader.read(_doubling_form(3)).fields, {"note": "hi"}, date(2027, 1, 20))
    assert len(checked.values["c3"]) == 20 * 60 * 60


def test_concat_at_the_limit_is_kept_and_over_it_refused():
    text = "a" * (expressions.MAX_TEXT_CHARS // 2)
    assert len(expressions.evaluate(expressions.parse("concat(${a}, ${a})"), {"a": text})) == 2 * len(text)
    with pytest.raises(expressions.ExpressionRefused):
        expressions.evaluate(expressions.parse("concat(${a}, ${a}, 'b')"), {"a": text})
