"""The submissions queue: open a learner's submission, mark it, grade it, write feedback."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, send_file, url_for

from edge import store
from edge.attachments import store as attachments_store
from edge.console import access, learning, marking
from edge.console.access import LEARNING_ROLES, require
from edge.downlink import messages

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
    scope = access.scope()
    return render_template("submissions/queue.html", items=learning.submissions(scope, state),
                           total=learning.count_submissions(scope, state), state=state, states=STATES)


@bp.get("/<record_id>")
@require(*LEARNING_ROLES)
def show(record_id: str):
    item = _visible(record_id)
    return render_template("submissions/show.html", item=item, error=None,
                           delivery=messages.delivery_of(item.mark.record) if item.mark else None)


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
    delivery = messages.delivery_of(learning.submission(record_id).mark.record)
    if delivery is None:
        flash(f"Marked. The feedback goes to the hub; {item.learner} has no tablet at this edge to send it to.")
    else:
        flash(f"Marked. The feedback is on its way to {item.learner}'s tablet ({delivery.device}): this page "
              "says when the tablet confirms it has it. It also goes to the hub.")
    return redirect(url_for("submissions.show", record_id=record_id))


INLINE_TYPES = ("image/", "audio/", "video/", "application/pdf")


@bp.get("/<record_id>/attachments/<attachment_id>")
@require(*LEARNING_ROLES)
def attachment(record_id: str, attachment_id: str):
    """A photo or recording the submission names, as the edge holds it (checked against the hash the
    submission gives). Shown in the page when it is an image, audio, video or PDF; else downloaded."""
    item = _visible(record_id)
    ref = next((a for a in item.payload.get("attachments", []) if isinstance(a, dict) and a.get("id") == attachment_id),
               None)
    if ref is None or not store.db.table_exists(attachments_store.Attachment._meta.table_name):
        abort(404)  # not named by this submission, or the edge has not run with attachments yet
    row = attachments_store.Attachment.get_or_none(attachments_store.Attachment.id == attachment_id)
    if ref is None or row is None or row.state != attachments_store.COMPLETE or row.sha256 != ref.get("sha256"):
        abort(404)
    path = attachments_store.Files(current_app.config["EDGE"].attachments_dir).blob(row.sha256)
    if not path.exists():
        abort(404)
    # The type the edge checked at upload (attachments.types), not the one the submission claims
    inline = str(row.type or "").startswith(INLINE_TYPES)
    response = send_file(path, mimetype=row.type if inline else "application/octet-stream",
                         as_attachment=not inline, download_name=str(ref.get("name") or row.sha256), etag=row.sha256,
                         max_age=0)
    if row.type != "application/pdf":  # (Chromium shows no PDF in a sandbox; the console's own policy stays)
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"  # a learner's file runs nothing
    return response
