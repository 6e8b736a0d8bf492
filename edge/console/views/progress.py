"""Learner and class progress, with charts drawn as inline SVG."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from edge.console import access, accounts, charts, learning, names
from edge.console import progress as measures
from edge.console.access import LEARNING_ROLES, require
from edge.transfers import shown as transferred

bp = Blueprint("progress", __name__, url_prefix="/progress")


def _rows(scope: learning.Scope, learners: list[str]) -> list[measures.LearnerProgress]:
    found = learning.progress_of(scope, learners)
    return [found.get(learner) or measures.LearnerProgress(learner) for learner in learners]


def _charts(rows: list[measures.LearnerProgress]) -> dict:
    return {
        "units": charts.bar_chart([(names.label(r.learner), r.units) for r in rows], title="Units completed"),
        "scores": charts.bar_chart([(names.label(r.learner), r.average) for r in rows if r.average is not None],
                                   maximum=100, unit=" %", title="Average score"),
    }


@bp.get("/")
@require(*LEARNING_ROLES)
def index():
    scope = access.scope()
    classes = [c for c in accounts.classes() if scope.allows_class(c["name"])]
    rows = _rows(scope, learning.known_learners(scope))
    return render_template("progress/index.html", classes=classes, rows=rows, charts=_charts(rows))


@bp.get("/class/<name>")
@require(*LEARNING_ROLES)
def klass(name: str):
    found = next((c for c in accounts.classes() if c["name"] == name), None)
    if found is None:
        abort(404)
    scope = access.scope()
    if not scope.allows_class(name):
        abort(403)
    rows = _rows(scope, found["learners"])
    return render_template("progress/class.html", klass=found, rows=rows, charts=_charts(rows))


@bp.get("/learner/<learner>")
@require(*LEARNING_ROLES)
def learner(learner: str):
    scope = access.scope()
    if not scope.allows_learner(learner):
        abort(403)
    summary = learning.progress_of(scope, [learner]).get(learner) or measures.LearnerProgress(learner)
    chart = charts.bar_chart(learning.timeline(scope, learner), maximum=100, unit=" %", title="Scores")
    return render_template("progress/learner.html", learner=learner, summary=summary, chart=chart,
                           submissions=learning.submissions(scope, "all", learner=learner),
                           earlier=transferred.of(learner))
