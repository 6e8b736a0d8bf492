"""The workers' console: server-rendered pages under /work for offender managers, employment
advisers, health care staff and team managers (docs/hub.md, "The workers' console").

It is the admin console's frame on the workers' side (hub/console/access.py `Side`): the same login
views (a password, then the authenticator's code), sessions, CSRF checks, security headers and error
pages, with its own session cookie, worker accounts only, and its own role table (hub/workers/access.py).
"""

from __future__ import annotations

from flask import Blueprint, g, redirect

from hub.checkins import web as checkins
from hub.console import access as console_access
from hub.console import pages
from hub.console.views import auth
from hub.employment import web as employment
from hub.forms import web as forms
from hub.workers import access
from hub.workers.views import appointments, health, inbox, messages, people, plans, team

PREFIX = access.WORK.prefix


def _headers(response):
    pages.headers(response)
    if g.get("page_csp"):  # the printable letter: its own inline style, nothing fetched
        response.headers["Content-Security-Policy"] = g.page_csp
    return response


def _auth_blueprint() -> Blueprint:
    """Logging in and out, with the admin console's own views (they serve the side a request is for)."""
    bp = Blueprint("auth", __name__)
    bp.add_url_rule("/login", "login", auth.login, methods=["GET", "POST"])
    bp.add_url_rule("/login/code", "code", auth.code, methods=["GET", "POST"])
    bp.add_url_rule("/logout", "logout", auth.logout, methods=["POST"])
    return bp


def init_app(app) -> None:
    console_access.add_side(access.WORK)
    most = max(app.config["PHONE_PHOTO_MAX_BYTES"], app.config["PHONE_VOICE_MAX_BYTES"])
    app.config["WORK_MESSAGE_FORM_BYTES"] = most + 64 * 1024  # a message's form with a photo or voice note
    app.config["WORK_HEALTH_FORM_BYTES"] = app.config["HEALTH_MAX_BUNDLE_BYTES"] + 64 * 1024  # an upload's form
    forms.init_config(app)
    employment.init_config(app)
    work = Blueprint("work", __name__, url_prefix=PREFIX, template_folder="templates")
    work.before_request(console_access.load)
    work.before_request(console_access.check_csrf)
    work.after_request(console_access.set_cookies)
    work.after_request(_headers)
    work.add_url_rule("/", "home", lambda: redirect(console_access.home()))
    pages.init_blueprint(work)
    work.register_blueprint(_auth_blueprint())
    for module in (people, messages, appointments, plans, team, inbox, health, forms, checkins, employment):
        work.register_blueprint(module.bp)
    app.register_blueprint(work)
