"""The admin console's keys pages."""

from __future__ import annotations

from flask import Blueprint, render_template

from hub.console import access

bp = Blueprint("keys", __name__)


@bp.get("/keys")
@access.require("keys.export")
def index():
    return render_template("console/page.html", title="keys")
