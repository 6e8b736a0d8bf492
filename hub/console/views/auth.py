"""Logging in (a password, then the authenticator's code), logging out, and setting up an account
(its setup code, a password, an authenticator app). Every try is counted by the login limit
(hub/staff/throttle.py) per address and per account; logins, logouts and setups are audited.

Logging in and out serve both consoles (access.side(): the admin console here, the workers' console
registers `login`, `code` and `logout` under /work, hub/workers/web.py); setting up is done here for both."""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime

import flask
from flask import Blueprint, current_app, g, make_response, redirect, render_template, request, url_for

from hub.audit import trail
from hub.console import access
from hub.staff import accounts, sessions, throttle, totp
from provisioning.qr import qr_svg

bp = Blueprint("auth", __name__)


def _address() -> str:
    return request.remote_addr or "unknown"


def safe_next(target: str | None) -> str | None:
    """Only a path of this console: never another site. Only visible ASCII (browsers drop tabs and
    newlines from a URL, so `/<tab>/host` would become `//host`)."""
    prefix = access.side().prefix if flask.has_request_context() else access.ADMIN_SIDE.prefix
    if (target and target.startswith(prefix + "/") and "\\" not in target and "//" not in target
            and all("!" <= ch <= "~" for ch in target)):
        return target
    return None


def _limited(name: str) -> tuple[tuple[str, str], float, float]:
    """Count this try; (keys, seconds to wait or 0, when it was counted)."""
    keys = throttle.keys(_address(), name)
    config = current_app.config
    wait, at = throttle.count_attempt(keys, config["LOGIN_FAILURES"], config["LOGIN_WINDOW_S"])
    return keys, wait, at


def _wait_message(wait_s: float) -> str:
    until = datetime.fromtimestamp(time.time() + wait_s, UTC)
    minutes = max(1, math.ceil(wait_s / 60))
    return (f"Too many wrong tries from this address or for this account. Try again after {until:%H:%M} UTC (in "
            f"{minutes} minute{'s' if minutes != 1 else ''}). If you cannot log in, ask a security admin to reset "
            "your account.")


def _page(template: str, status: int = 200, wait_s: float = 0, **context):
    response = make_response(render_template(template, **context), status)
    if wait_s:
        response.headers["Retry-After"] = str(math.ceil(wait_s))
    return response


def _with_session(response, name: str, stage: str):
    """Replace the browser's session (if any) with a new one at this stage."""
    if g.get("console_session") is not None:
        sessions.end(g.console_session.id_sha256)
    raw, g.console_session = sessions.start(name, stage, _address(), current_app.config["CONSOLE_SESSION_HOURS"])
    response.set_cookie(access.side().cookie, raw, secure=True, httponly=True, samesite="Strict", path="/")
    return response


def _audit(name: str, role: str, action: str, outcome: str = "ok") -> None:
    trail.append(trail.Actor(name, role, f"console {_address()}"), action, name, outcome, {"page": request.path})


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        if g.staff is not None:
            return redirect(access.home())
        return _page("console/login.html", error=None, name="")
    here = access.side()
    name = request.form.get("name", "").strip().lower()[:64]
    keys, wait, at = _limited(name)
    if wait > 0:
        return _page("console/login.html", 429, wait, error=_wait_message(wait), name=name)
    account = accounts.check_password(name, request.form.get("password", ""), here.console)
    if account is None:
        return _page("console/login.html", 401, error="Wrong user name or password, or this account is not set "
                     "up or not in use. Check both and try again.", name=name)
    throttle.take_back(keys, at, forget=False)  # the code is still to come
    response = redirect(url_for(f"{here.blueprint}.auth.code", next=safe_next(request.args.get("next"))))
    return _with_session(response, account.name, sessions.PASSWORD)


@bp.route("/login/code", methods=["GET", "POST"])
def code():
    here = access.side()
    session = g.get("console_session")
    if session is None or session.stage != sessions.PASSWORD:
        return redirect(url_for(f"{here.blueprint}.auth.login"))
    if request.method == "GET":
        return _page("console/code.html", error=None)
    keys, wait, at = _limited(session.name)
    if wait > 0:
        return _page("console/code.html", 429, wait, error=_wait_message(wait))
    if not accounts.check_code(session.name, request.form.get("code", ""), current_app.instance_path):
        return _page("console/code.html", 401, error="That code is not right, or was already used. Type the "
                     "6-digit code your authenticator app shows now for this hub.")
    throttle.take_back(keys, at)
    account = accounts.find(session.name)
    _audit(account.name, account.role, f"{here.audit}.login")
    response = redirect(safe_next(request.args.get("next")) or url_for(f"{here.blueprint}.home"))
    return _with_session(response, account.name, sessions.FULL)


@bp.post("/logout")
def logout():
    here = access.side()
    session = g.get("console_session")
    if session is not None:
        sessions.end(session.id_sha256)
        if g.staff is not None:
            _audit(g.staff.name, g.staff.role, f"{here.audit}.logout")
    response = redirect(url_for(f"{here.blueprint}.auth.login"))
    response.delete_cookie(here.cookie, secure=True, httponly=True, samesite="Strict", path="/")
    return response


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    if request.method == "GET":
        return _page("console/setup.html", error=None, name="")
    name = request.form.get("name", "").strip().lower()[:64]
    password, again = request.form.get("password", ""), request.form.get("password_again", "")
    keys, wait, at = _limited(name)
    if wait > 0:
        return _page("console/setup.html", 429, wait, error=_wait_message(wait), name=name)
    if password != again:
        return _page("console/setup.html", 400, error="The two passwords are not the same. Type the new password "
                     "twice, the same both times.", name=name)
    try:
        account = accounts.start_setup(name, request.form.get("setup_code", ""), password, current_app.instance_path)
    except accounts.AccountError as exc:
        return _page("console/setup.html", 400, error=f"{str(exc)[0].upper()}{str(exc)[1:]}.", name=name)
    if account is None:
        return _page("console/setup.html", 401, error="That user name and setup code do not match an account "
                     "waiting to be set up, or the code has expired. Check both; if it still fails, ask for a new "
                     "setup code.", name=name)
    throttle.take_back(keys, at, forget=False)  # the authenticator is still to come
    return _with_session(redirect(url_for("console.auth.authenticator")), account.name, sessions.SETUP)


def _hub_name() -> str:
    return (current_app.config.get("PUBLIC_URL") or request.host_url).split("//")[-1].strip("/").split(":")[0]


@bp.route("/setup/authenticator", methods=["GET", "POST"])
def authenticator():
    session = g.get("console_session")
    if session is None or session.stage != sessions.SETUP:
        return redirect(url_for("console.auth.setup"))
    secret = accounts.pending_secret(session.name, current_app.instance_path)
    if secret is None:
        return redirect(url_for("console.auth.setup"))
    context = {"qr": qr_svg(totp.uri(secret, session.name, _hub_name()), scale=5), "secret": totp.text_secret(secret),
               "name": session.name}
    if request.method == "GET":
        return _page("console/authenticator.html", error=None, **context)
    keys, wait, at = _limited(session.name)
    if wait > 0:
        return _page("console/authenticator.html", 429, wait, error=_wait_message(wait), **context)
    if not accounts.finish_setup(session.name, request.form.get("code", ""), current_app.instance_path):
        return _page("console/authenticator.html", 401, error="That code is not right. Add the hub to your "
                     "authenticator app with the picture or the key below, then type the 6-digit code it shows.",
                     **context)
    throttle.take_back(keys, at)
    account = accounts.find(session.name)
    _audit(account.name, account.role, "console.setup")
    if account.console != accounts.ADMIN:
        sessions.end(session.id_sha256)
        g.console_session = None
        response = _page("console/ready.html", account=account)
        response.delete_cookie(sessions.COOKIE, secure=True, httponly=True, samesite="Strict", path="/")
        return response
    return _with_session(redirect(url_for("console.home")), account.name, sessions.FULL)
