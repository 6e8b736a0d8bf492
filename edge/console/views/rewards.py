"""Reward rules (the manager sets them) and the badges learners earned."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from edge.console import access, rewards
from edge.console.access import LEARNING_ROLES, require
from edge.downlink import messages

bp = Blueprint("rewards", __name__, url_prefix="/rewards")


def _page(error: str | None = None, status: int = 200):
    rules = [{"id": r.id, "badge": r.badge, "rule": rewards.describe(r.measure, r.threshold, r.course),
              "created_by": r.created_by} for r in rewards.rules()]
    awards = rewards.awards(access.scope().learners())
    return render_template("rewards.html", rules=rules, awards=awards, measures=rewards.MEASURES, error=error,
                           deliveries=messages.deliveries(a.id for a in awards)), status


@bp.get("/")
@require(*LEARNING_ROLES)
def index():
    return _page()


@bp.post("/rules")
@require("manager")
def add_rule():
    form = request.form
    try:
        rule = rewards.add_rule(form.get("badge", ""), form.get("measure", ""), form.get("threshold", ""),
                                form.get("course", ""), g.member.username)
    except rewards.RuleError as exc:
        return _page(str(exc), 400)
    made = rewards.evaluate()
    flash(f"Rule for the {rule.badge} badge added; {len(made)} badge(s) awarded now.")
    return redirect(url_for("rewards.index"))


@bp.post("/rules/<int:rule_id>/delete")
@require("manager")
def delete_rule(rule_id: int):
    if not rewards.delete_rule(rule_id):
        abort(404)
    flash("Rule removed; badges already awarded stay awarded.")
    return redirect(url_for("rewards.index"))


@bp.post("/evaluate")
@require("manager")
def evaluate():
    made = rewards.evaluate()
    flash(f"{len(made)} badge(s) awarded.")
    return redirect(url_for("rewards.index"))
