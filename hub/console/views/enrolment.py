"""The admin console's enrolment pages."""

from __future__ import annotations

from flask import Blueprint, render_template

from hub.console import access

bp = Blueprint("enrolment", __name__)


@bp.get("/enrolment-tokens")
@access.require("enrolment_tokens.list")
def tokens():
    return render_template("console/page.html", title="enrolment")
