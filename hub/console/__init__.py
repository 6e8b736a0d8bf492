"""The hub's admin console: server-rendered pages under /admin, for admins with a console account
(hub/staff: argon2id password, then an authenticator's code; server-side sessions, CSRF tokens, the
login limit). What each page shows or does is gated by the same role table as the admin API
(hub/admins/roles.py); every change, and every refusal, goes into the audit trail.

- access: who is logged in, `require(action)`, CSRF, the menu
- pages:  the chrome every page shares (headers, errors, filters)
- views/: one blueprint per resource: auth (log in, set up), fleet, enrolment, keys, courses,
          approvals, accounts, audit
"""

from __future__ import annotations

from flask import Blueprint, redirect

from hub.console import access, pages
from hub.console.views import accounts, approvals, audit, auth, courses, enrolment, fleet, keys

PREFIX = "/admin"


def init_app(app) -> None:
    console = Blueprint("console", __name__, url_prefix=PREFIX, template_folder="templates",
                        static_folder="static", static_url_path="/static")
    console.before_request(access.load)
    console.before_request(access.check_csrf)
    console.after_request(access.set_cookies)
    console.after_request(pages.headers)
    console.add_url_rule("/", "home", lambda: redirect(access.home()))
    pages.init_blueprint(console)
    for module in (auth, fleet, enrolment, keys, courses, approvals, accounts, audit):
        console.register_blueprint(module.bp)
    app.register_blueprint(console)
    app.extensions["hub_console"] = pages
