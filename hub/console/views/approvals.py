"""The admin console's approvals pages."""

from __future__ import annotations

from flask import Blueprint, render_template

from hub.console import access

bp = Blueprint("approvals", __name__)


@bp.get("/approvals")
@access.require("approvals.list")
def index():
    return render_template("console/page.html", title="approvals")
