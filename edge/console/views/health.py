"""Relay and uplink health: what waits for the hub, the last delivery, down messages, open alarms."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from edge import store
from edge.console.access import ALL_ROLES, require
from edge.downlink import messages

bp = Blueprint("health", __name__, url_prefix="/health")
STATES = messages.STATES  # waiting, delivered, undelivered (given up or for a revoked tablet)


@bp.get("/")
@require(*ALL_ROLES)
def index():
    info = store.status()
    info["quota_bytes"] = current_app.config["EDGE"].quota_bytes
    return render_template("health.html", info=info, alarms=store.open_alarms(), down=messages.summary())


@bp.get("/messages")
@require(*ALL_ROLES)
def down_messages():
    """Messages for tablets, waiting (oldest first), delivered or not delivered (latest first): device and dates
    only, never what a message says (IT staff see this page too)."""
    state = request.args.get("state", "waiting")
    if state not in STATES:
        state = "waiting"
    return render_template("messages.html", rows=messages.listing(state), state=state, states=STATES,
                           down=messages.summary(), give_up_days=current_app.config["EDGE"].relay.down_give_up_days)
