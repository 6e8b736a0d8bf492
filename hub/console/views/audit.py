"""The admin console's audit pages."""

from __future__ import annotations

from flask import Blueprint, render_template

from hub.console import access

bp = Blueprint("audit", __name__)


@bp.get("/audit")
@access.require("audit.read")
def index():
    return render_template("console/page.html", title="audit")
