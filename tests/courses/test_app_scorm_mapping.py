"""The app's SCORM mapping (app/src/scorm/mapping.js, run here by Node) gives the very statements, ids and
refusals that the reference mapping (tablet/scorm.py, tablet/scorm2004.py) gives for the same values: one
table of commits, both versions, good and bad values, run through both."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from tablet import scorm, scorm2004

MAPPING = Path(__file__).resolve().parents[2] / "app" / "src" / "scorm" / "mapping.js"
ATTEMPT = "0b6f7a52-3c1e-4d8e-9a55-2f8f6f0b9c11"
WHEN = "2026-12-07T22:30:00.000Z"

CASES_12 = [
    {"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "80", "cmi.core.session_time": "00:12:30.50"},
    {"cmi.core.lesson_status": "failed", "cmi.core.score.raw": "40"},
    {"cmi.core.lesson_status": "failed", "cmi.core.score.raw": "45.5", "cmi.core.score.min": "0",
     "cmi.core.score.max": "50"},
    {"cmi.core.lesson_status": "incomplete", "cmi.core.lesson_location": "page-3", "cmi.suspend_data": "x=1"},
    {"cmi.core.lesson_status": "completed", "cmi.core.score.raw": "100"},
    {"cmi.core.lesson_status": "browsed"},
    {"cmi.core.lesson_status": "not attempted", "cmi.core.score.raw": "3.125", "cmi.core.score.max": "100"},
    {"cmi.core.score.raw": "0.0625", "cmi.core.score.max": "2"},
    {"cmi.core.lesson_status": "done", "cmi.core.score.raw": "lots", "cmi.core.session_time": "1:2:3"},
    {"cmi.core.lesson_status": "constructor"},
    {"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "120"},
    {"cmi.core.lesson_status": "passed", "cmi.core.score.min": "10", "cmi.core.score.max": "5",
     "cmi.core.score.raw": "7"},
    {"cmi.core.lesson_status": "passed",
     "cmi.interactions.0.id": "q1", "cmi.interactions.0.type": "choice", "cmi.interactions.0.student_response": "a, b",
     "cmi.interactions.0.result": "correct", "cmi.interactions.0.latency": "00:00:05.20",
     "cmi.interactions.0.correct_responses.0.pattern": "a,b",
     "cmi.interactions.1.id": "q2", "cmi.interactions.1.type": "true-false", "cmi.interactions.1.student_response": "t",
     "cmi.interactions.1.result": "wrong",
     "cmi.interactions.2.id": "q 3", "cmi.interactions.2.type": "choice",
     "cmi.interactions.3.id": "q4", "cmi.interactions.3.type": "matching", "cmi.interactions.3.student_response":
         "1.a, 2.b", "cmi.interactions.3.correct_responses.0.pattern": "1.a,2.b",
     "cmi.interactions.4.id": "q5", "cmi.interactions.4.type": "essay",
     "cmi.interactions.5.id": "q6", "cmi.interactions.5.type": "true-false",
     "cmi.interactions.5.student_response": "maybe",
     "cmi.interactions.6.id": "q7", "cmi.interactions.6.type": "fill-in",
     "cmi.interactions.6.student_response": "Caf\u00e9 \u2014 \U0001f600 \"quoted\" \\ back",
     "cmi.interactions.6.latency": "bad", "cmi.interactions.6.correct_responses.0.pattern": "x",
     "cmi.interactions.10.id": "q11", "cmi.interactions.10.type": "numeric",
     "cmi.interactions.10.student_response": "4"},
]
CASES_2004 = [
    {"cmi.completion_status": "completed", "cmi.success_status": "passed", "cmi.score.scaled": "0.85",
     "cmi.score.raw": "85", "cmi.score.min": "0", "cmi.score.max": "100", "cmi.session_time": "PT1H2M3.5S"},
    {"cmi.completion_status": "incomplete", "cmi.location": "slide-4", "cmi.suspend_data": "{\"a\":1}"},
    {"cmi.success_status": "failed", "cmi.score.raw": "45", "cmi.score.min": "0", "cmi.score.max": "100"},
    {"cmi.score.raw": "1", "cmi.score.min": "0", "cmi.score.max": "3"},
    {"cmi.score.scaled": "1"},
    {"cmi.completion_status": "finished", "cmi.success_status": "unknown", "cmi.score.scaled": "2",
     "cmi.session_time": "PT"},
    {"cmi.completion_status": "completed", "cmi.score.raw": "7", "cmi.score.min": "10"},
    {"cmi.completion_status": "completed", "cmi.score.min": "5", "cmi.score.max": "5", "cmi.score.raw": "5"},
    {"cmi.completion_status": "completed",
     "cmi.interactions.0.id": "urn:q:1", "cmi.interactions.0.type": "choice",
     "cmi.interactions.0.learner_response": "a[,]b", "cmi.interactions.0.result": "correct",
     "cmi.interactions.0.latency": "PT5.25S", "cmi.interactions.0.correct_responses.0.pattern": "a[,]b",
     "cmi.interactions.0.description": "Pick two \u00e9l\u00e9ments",
     "cmi.interactions.1.id": "q2", "cmi.interactions.1.type": "true-false",
     "cmi.interactions.1.learner_response": "t", "cmi.interactions.1.result": "incorrect",
     "cmi.interactions.2.id": "q3", "cmi.interactions.2.type": "numeric", "cmi.interactions.2.learner_response": "4",
     "cmi.interactions.2.result": "0.5",
     "cmi.interactions.3.id": "q4", "cmi.interactions.3.type": "other", "cmi.interactions.3.result": "weird",
     "cmi.interactions.3.latency": "5 seconds",
     "cmi.interactions.4.id": "", "cmi.interactions.4.type": "choice",
     "cmi.interactions.5.id": "q6", "cmi.interactions.5.type": "true-false",
     "cmi.interactions.5.learner_response": "true", "cmi.interactions.5.correct_responses.0.pattern": "yes"},
]


def _random_cases(seed: int) -> list[tuple[str, dict]]:
    """Scores and times of many shapes (the floats where Python and JavaScript write numbers differently)."""
    rng = random.Random(seed)
    cases = []
    for _ in range(60):
        high = rng.choice(["", "100", "7", "3", "0.5", "1234567890"])
        raw = rng.choice(["0", "1", "2", "0.0000015", "0.03125", "2.5", "99.99995", "1234567.123", "-1"])
        cases.append(("1.2", {"cmi.core.lesson_status": rng.choice(list(scorm.STATUS_VERBS)), "cmi.core.score.raw": raw,
                              **({"cmi.core.score.max": high} if high else {}),
                              "cmi.core.session_time": f"{rng.randint(0, 99):02d}:{rng.randint(0, 59):02d}:"
                                                       f"{rng.randint(0, 59):02d}.{rng.randint(0, 99):02d}"}))
        cases.append(("2004", {"cmi.success_status": rng.choice(["passed", "failed", "unknown"]),
                               "cmi.score.raw": raw, "cmi.score.min": "-1", **({"cmi.score.max": high} if high else {}),
                               "cmi.session_time": f"PT{rng.randint(0, 9)}M{rng.randint(0, 59)}."
                                                   f"{rng.randint(0, 99)}S"}))
    return cases


def _python(version: str, cmi: dict) -> dict:
    mapper = scorm2004.commit if version == "2004" else scorm.commit
    made = mapper(cmi, learner="L-0042", course="intro-maths", item="unit 1/€", attempt=ATTEMPT, timestamp=WHEN)
    return {"statements": [[kind, st] for kind, st in made.statements],
            "refused": [{"element": r.element, "value": r.value, "reason": r.reason, "error_code": r.error_code}
                        for r in made.refused]}


RUNNER = """
import { commit } from %s;
const cases = JSON.parse(await new Promise((ok) => { let s = ""; process.stdin.on("data", (d) => s += d);
  process.stdin.on("end", () => ok(s)); }));
const out = [];
for (const [version, cmi] of cases) {
  out.push(await commit(version, cmi, { learner: "L-0042", course: "intro-maths", item: "unit 1/€",
    attempt: %s, timestamp: %s }));
}
process.stdout.write(JSON.stringify(out));
"""


def test_the_apps_mapping_makes_the_reference_mappings_statements_ids_and_refusals():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (make installs it)")
    cases = [("1.2", c) for c in CASES_12] + [("2004", c) for c in CASES_2004] + _random_cases(13)
    script = RUNNER % (json.dumps(MAPPING.as_uri()), json.dumps(ATTEMPT), json.dumps(WHEN))
    run = subprocess.run([node, "--input-type=module", "-e", script], input=json.dumps(cases), capture_output=True,
                         text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    got = json.loads(run.stdout)
    assert len(got) == len(cases)
    for (version, cmi), js in zip(cases, got, strict=True):
        assert js == _python(version, cmi), (version, cmi)
    assert sum(len(g["statements"]) for g in got) > 100 and sum(len(g["refused"]) for g in got) > 10
