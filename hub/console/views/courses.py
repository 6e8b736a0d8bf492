"""The admin console's courses pages."""

from __future__ import annotations

from flask import Blueprint, render_template

from hub.console import access

bp = Blueprint("courses", __name__)


@bp.get("/courses")
@access.require("courses.list")
def index():
    return render_template("console/page.html", title="courses")
