"""The XPath subset of XLSForm expressions (hub/forms/expressions.py): parsed without Python's eval, anything
outside the subset refused with why, and evaluated with XPath's type rules as ODK applies them (an unanswered
question is "", a text that is not a number is NaN, dates compare as days). The same table runs through the
app's evaluator in tests/hub/test_forms_expressions_node.py. Pure functions: no server."""

from __future__ import annotations

from datetime import date

import pytest
from expressionkit import CASES

from hub.forms import expressions as xp


def result(value) -> tuple[str, str]:
    kind = "boolean" if isinstance(value, bool) else "date" if isinstance(value, xp.XDate) else \
        "number" if isinstance(value, float) else "string"
    return kind, xp.to_string(value)


def run(text: str, answers: dict, context: dict) -> tuple[str, str]:
    try:
        tree = xp.parse(text)
    except xp.ExpressionRefused as refused:
        return "refused", refused.reason
    return result(xp.evaluate(tree, answers, context))


@pytest.mark.parametrize(("text", "answers", "context", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_an_expression_gives_what_odk_gives_or_is_refused_saying_why(text, answers, context, expected):
    found = run(text, answers, context)
    if expected[0] == "refused":
        assert found[0] == "refused" and expected[1] in found[1], found
    else:
        assert found == expected


def test_today_may_be_a_date_and_a_tree_names_the_questions_it_reads():
    assert xp.to_string(xp.evaluate(xp.parse("today()"), {}, {"today": date(2027, 1, 20)})) == "2027-01-20"
    tree = xp.parse("if(selected(${help}, 'other'), ${other} != '', . > ${age} + 1)")
    assert xp.references(tree) == {"help", "other", "age"}
    assert xp.parse("${ age } = 1") == ["op", "=", ["ref", "age"], ["num", 1.0]]


def test_a_refusal_names_the_expression_and_what_to_write_instead():
    with pytest.raises(xp.ExpressionRefused) as refused:
        xp.parse("/data/age > 16")
    assert str(refused.value) == ("'/data/age > 16': '/' (a path) at character 1 is not supported: refer to a "
                                  "question as ${name}")
