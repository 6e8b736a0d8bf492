"""Relay and uplink health: what waits for the hub, the last delivery, open alarms."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from edge import store
from edge.console import tables
from edge.console.access import ALL_ROLES, require

bp = Blueprint("health", __name__, url_prefix="/health")


@bp.get("/")
@require(*ALL_ROLES)
def index():
    info = store.status()
    info["quota_bytes"] = current_app.config["EDGE"].quota_bytes
    waiting = tables.DownMessage.select().where(tables.DownMessage.sent.is_null()).count()
    downlink = current_app.config.get("DOWNLINK")
    broker = None if downlink is None else downlink.connected.is_set()
    return render_template("health.html", info=info, alarms=store.open_alarms(), down_waiting=waiting,
                           broker=broker)
