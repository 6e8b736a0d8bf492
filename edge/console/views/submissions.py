"""The submissions queue: open a learner's submission, mark it, grade it, write feedback."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for

from edge.console import access, learning, marking
from edge.console.access import LEARNING_ROLES, require

bp = Blueprint("submissions", __name__, url_prefix="/submissions")
STATES = ("open", "marked", "all")


def _visible(record_id: str) -> learning.Submission:
    found = learning.submission(record_id)
    if found is None:
        abort(404)
    if not access.scope().allows_learner(found.learner):
        abort(403)
    return found


@bp.get("/")
@require(*LEARNING_ROLES)
def queue():
    state = request.args.get("state", "open")
    if state not in STATES:
        state = "open"
    return render_template("submissions/queue.html", items=learning.submissions(access.scope(), state),
                           state=state, states=STATES)


@bp.get("/<record_id>")
@require(*LEARNING_ROLES)
def show(record_id: str):
    return render_template("submissions/show.html", item=_visible(record_id), error=None)


@bp.post("/<record_id>/mark")
@require(*LEARNING_ROLES)
def mark(record_id: str):
    item = _visible(record_id)
    try:
        marking.mark(item.id, request.form.get("grade", ""), request.form.get("feedback", ""), g.member.username)
    except marking.MarkError as exc:
        return render_template("submissions/show.html", item=learning.submission(record_id), error=exc.reason,
                               grade=request.form.get("grade", ""),
                               feedback=request.form.get("feedback", "")), exc.status
    downlink = current_app.config.get("DOWNLINK")
    if downlink is not None:
        downlink.wake()
    flash(f"Marked. The feedback goes to {item.learner}'s tablet and to the hub.")
    return redirect(url_for("submissions.show", record_id=record_id))
