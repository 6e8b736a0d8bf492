"""The admin console's fleet pages."""

from __future__ import annotations

from flask import Blueprint, render_template

from hub.console import access

bp = Blueprint("fleet", __name__)


@bp.get("/fleet")
@access.require("edges.health")
def overview():
    return render_template("console/page.html", title="fleet")
