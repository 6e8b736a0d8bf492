"""The app's XPath evaluator (app/src/phone/forms/expressions.js) run in Node on the same table of cases as the
hub's (tests/hub/expressionkit.py): the same trees, the same values, the same refusals; and the app's form logic
(app/src/phone/forms/logic.js) on formkit's form with logic against the hub's fields.check: the same question
refused, the same calculations, so what the app skips, requires and computes is what the hub checks."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from expressionkit import CASES
from formkit import logic_xlsform
from test_forms_expressions import run

from hub.forms import expressions as xp
from hub.forms import fields, xlsform

FORMS = Path(__file__).resolve().parents[2] / "app" / "src" / "phone" / "forms"
SCRIPT = """
import { parse, evaluate, toString, XDate, ExpressionError } from "./expressions.js";
const cases = JSON.parse(await new Response(process.stdin).text());
const out = cases.map(([text, answers, context]) => {
  let tree;
  try { tree = parse(text); } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    return { result: ["refused", error.reason] };
  }
  const value = evaluate(tree, answers, context);
  const kind = typeof value === "boolean" ? "boolean" : value instanceof XDate ? "date"
    : typeof value === "number" ? "number" : "string";
  return { tree, result: [kind, toString(value)] };
});
console.log(JSON.stringify(out));
"""


LOGIC_SCRIPT = """
import { formState } from "./logic.js";
const { fields, cases, today } = JSON.parse(await new Response(process.stdin).text());
console.log(JSON.stringify(cases.map((values) => {
  const state = formState(fields, values, today);
  return { problems: Object.keys(state.problems), calculated: state.calculated, asked: [...state.asked],
           required: [...state.required], offered: state.offered };
})));
"""
WELL = {"went": "well", "job/hours": 37, "job/pay": 11.44, "job/starts": "2027-02-01", "region": "wales",
        "town": "cardiff"}
LOGIC_CASES = [WELL, {**WELL, "job/weekly": "1"}, {"went": "badly", "why": "Late bus"},
               {"went": "other", "went_other": "Cancelled"},
               {**WELL, "job/hours": 10, "job/pay": 9.5, "job/starts": None},
               {"went": "badly", "job/hours": 37}, {**WELL, "why": "x"}, {**WELL, "went_other": "x"}, {"went": "well"},
               {**WELL, "job/starts": None}, {**WELL, "job/pay": 9.5}, {**WELL, "region": "england"},
               {**WELL, "region": None}, {**WELL, "job/pay": None}, {}]
TODAY = date(2027, 1, 20)


def _node(script: str, stdin) -> list:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (make installs it)")
    done = subprocess.run([node, "--input-type=module", "-e", script], input=json.dumps(stdin), capture_output=True,
                          text=True, cwd=FORMS, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1], parse_int=float)  # JSON numbers as the hub reads them


@pytest.fixture(scope="module")
def ran():
    return _node(SCRIPT, [[text, answers, context] for text, answers, context, _expected in CASES])


def test_the_app_evaluates_every_case_as_the_hub_does(ran):
    differ = []
    for (text, answers, context, expected), found in zip(CASES, ran, strict=True):
        hub = run(text, answers, context)
        app = tuple(found["result"])
        if expected[0] == "refused":
            same = app[0] == "refused" and expected[1] in app[1]
        else:
            same = app == hub == expected and found["tree"] == xp.parse(text)
        if not same:
            differ.append((text[:60], expected, hub, app))
    assert not differ, differ


def test_the_app_asks_requires_and_computes_what_the_hub_checks():
    form = xlsform.read(logic_xlsform())
    found = _node(LOGIC_SCRIPT, {"fields": form.fields, "cases": LOGIC_CASES, "today": TODAY.isoformat()})
    for values, app in zip(LOGIC_CASES, found, strict=True):
        try:
            checked = fields.check(form.fields, values, TODAY)
        except fields.FieldRefused as refused:
            assert app["problems"][:1] == [refused.path], (values, app, str(refused))
            continue
        assert app["problems"] == [], (values, app)
        calculated = {p: v for p, v in checked.values.items() if p == "job/weekly"}
        assert app["calculated"] == calculated, (values, app)
    assert found[0]["offered"] == {"town": ["cardiff", "swansea"]} and found[11]["offered"] == {"town": ["bristol"]}
    assert "job/starts" in found[0]["required"] and "job/starts" not in found[4]["required"]
    assert "job/hours" not in found[2]["asked"] and "why" in found[2]["asked"]
