"""The admin console's accounts pages: admins (console accounts and API tokens) and workers."""

from __future__ import annotations

from flask import Blueprint, render_template

from hub.console import access

bp = Blueprint("accounts", __name__, url_prefix="/accounts")


@bp.get("/admins")
@access.require("admins.list")
def admins():
    return render_template("console/page.html", title="Admins")


@bp.get("/workers")
@access.require("workers.list")
def workers():
    return render_template("console/page.html", title="Workers")
