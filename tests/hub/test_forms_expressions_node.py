"""The app's XPath evaluator (app/src/phone/forms/expressions.js) run in Node on the same table of cases as the
hub's (tests/hub/expressionkit.py): the same trees, the same values, the same refusals, so what the app skips,
requires and computes is what the hub checks."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from expressionkit import CASES
from test_forms_expressions import run

from hub.forms import expressions as xp

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


@pytest.fixture(scope="module")
def ran():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (make installs it)")
    cases = [[text, answers, context] for text, answers, context, _expected in CASES]
    done = subprocess.run([node, "--input-type=module", "-e", SCRIPT], input=json.dumps(cases), capture_output=True,
                          text=True, cwd=FORMS, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1], parse_int=float)  # JSON numbers as the hub reads them


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
