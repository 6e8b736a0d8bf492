"""A learner's release plan (the manager's page): the countdown to the release date and the nine pathways, each
with status, owner and notes, as this edge's staff wrote them; a form for the date and one per pathway. Each
change goes to the hub in the next batch and to the learner's tablet (edge/plans/service.py)."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for

from edge.console.access import require
from edge.plans import service
from wire import plans
from wire.records import valid_learner

bp = Blueprint("plans", __name__, url_prefix="/learners/learner/<learner>/plan")


def _learner(learner: str) -> str:
    if not valid_learner(learner):
        abort(404)
    return learner


def _page(learner: str, error: str | None = None, status: int = 200):
    return render_template("plans/plan.html", learner=learner, plan=service.plan(learner),
                           countdown=service.countdown(learner), statuses=plans.STATUSES, error=error,
                           saved=request.args.get("saved", ""), max_owner=plans.MAX_OWNER,
                           max_notes=plans.MAX_NOTES), status


@bp.get("/")
@require("manager")
def show(learner: str):
    return _page(_learner(learner))


@bp.post("/")
@require("manager")
def save(learner: str):
    learner = _learner(learner)
    pathway = request.form.get("pathway", "")
    if pathway != plans.RELEASE and pathway not in plans.PATHWAY_KEYS:
        return _page(learner, "the form names no pathway of a release plan: send it again from this page", 400)
    names = ("date",) if pathway == plans.RELEASE else plans.FIELDS
    try:
        for name in names:
            value = request.form.get(name)
            if value is not None:
                service.edit(learner, pathway, name, value.replace("\r\n", "\n"), g.member.username,
                             seen=request.form.get(f"was_{name}", "").replace("\r\n", "\n"))
    except service.PlanEditError as exc:
        return _page(learner, exc.reason, exc.status)
    return redirect(url_for("plans.show", learner=learner, saved=pathway) + f"#{pathway}", 303)
