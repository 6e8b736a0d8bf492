"""Logging in and out, with the login rate limit per address and per account."""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime

from flask import Blueprint, current_app, g, redirect, render_template, request

from edge.console import access, accounts, tables

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    """Only a path on this console: never another site. Only visible ASCII: browsers drop tabs and
    newlines from a URL, so `/<tab>/host` would become `//host`."""
    if (target and target.startswith("/") and not target.startswith("//") and "\\" not in target
            and all("!" <= ch <= "~" for ch in target)):
        return target
    return None


def _refused(wait_s: float, username: str):
    until = datetime.fromtimestamp(time.time() + wait_s, UTC)
    minutes = max(1, math.ceil(wait_s / 60))
    message = (f"Too many failed logins from this address or for this account. Try again after "
               f"{until:%H:%M} UTC (in {minutes} minute{'s' if minutes != 1 else ''}).")
    response = current_app.make_response((render_template("login.html", error=message, username=username), 429))
    response.headers["Retry-After"] = str(math.ceil(wait_s))
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        if g.member is not None:
            return redirect(access.home_for(g.member))
        return render_template("login.html", error=None, username="")
    settings = current_app.config["EDGE"].console
    username = request.form.get("username", "").strip().lower()
    password = request.form.get("password", "")
    keys = accounts.throttle_keys(request.remote_addr or "unknown", username)
    wait, at = accounts.count_attempt(keys, settings.login_failures, settings.login_window_s)  # before checking
    if wait > 0:
        return _refused(wait, username)
    member = accounts.authenticate(username, password)
    if member is None:
        wait = accounts.blocked_for(keys, settings.login_failures, settings.login_window_s)
        if wait > 0:
            return _refused(wait, username)
        return render_template("login.html", error="Wrong user name or password.", username=username), 401
    accounts.forget_attempt(keys[0], at)
    accounts.forget_failures(keys[1])
    row = tables.Staff.get(tables.Staff.username == member.username)
    access.new_session(member.username, row.password_hash)  # a fresh session (and CSRF token) at every login
    return redirect(_safe_next(request.args.get("next")) or access.home_for(member))


@bp.post("/logout")
def logout():
    access.end_session()
    return redirect("/login")
