"""The admin console's keys page: the hub's public keys (what `throughgate hub keys export` prints,
the current sealing key and the earlier ones it keeps to open old batches), the signing keys the hub
accepts from each edge, and rotating the sealing key: at once, or with ADMIN_APPROVALS on, as a
request a second admin approves on the Approvals page (hub/approvals/service.py `rotate_or_ask`, as
POST /v1/admin/keys/rotate does)."""

from __future__ import annotations

import json

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for

from hub.approvals import service as approvals
from hub.console import access
from hub.enrolment import edges
from hub.ingest.storage import utc_now

bp = Blueprint("keys", __name__)


def _page(status: int = 200, error: str | None = None):
    now = utc_now()
    hub_keys = current_app.extensions["hub_keys"].get()
    pending = [r for r in approvals.list_requests(now, pending_only=True) if r.action == "keys.rotate"]
    page = render_template("console/keys.html", current=hub_keys.sealing_key_id,
                           previous=[key.public_key().id for key in hub_keys.previous],
                           document=json.dumps(hub_keys.public_document(), indent=2),
                           edges=edges.list_edges(now), pending=pending, error=error,
                           approvals_on=current_app.config["ADMIN_APPROVALS"], **_done(hub_keys, pending))
    return page, status


def _done(hub_keys, pending: list) -> dict:
    """What the page says after a rotation, only when it is so (the address alone cannot make it claim a key
    or a request): the key named is the current one, or the request named waits."""
    done, named = request.args.get("done", ""), request.args.get("rotated", "")
    if done == "rotated" and named == hub_keys.sealing_key_id or done == "asked" and named in {
            str(r.id) for r in pending}:
        return {"done": done, "rotated": named}
    return {"done": "", "rotated": ""}


@bp.get("/keys")
@access.require("keys.export")
def index():
    return _page()


@bp.post("/keys/rotate")
@access.require("keys.rotate")
def rotate():
    if request.form.get("confirm") != "yes":
        return _page(400, "Tick the box to confirm: every edge seals to the new key from its next batch. "
                          "Nothing was changed.")
    config = current_app.config
    done = approvals.rotate_or_ask(g.staff.name, utc_now(), config["ADMIN_APPROVALS"], config["APPROVAL_TTL_S"],
                                   config["SEALING_KEY_FILE"])
    if done.asked is not None:
        access.record("keys.rotate", "", "pending approval", approval=done.asked.id)
        return redirect(url_for("console.keys.index", done="asked", rotated=str(done.asked.id)), 303)
    access.record("keys.rotate", "", "ok", rotated_from=done.rotated_from, rotated_to=done.rotated_to)
    return redirect(url_for("console.keys.index", done="rotated", rotated=done.rotated_to), 303)
