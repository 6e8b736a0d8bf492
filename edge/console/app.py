"""The console's application factory: defaults, then the edge's [console] settings, then the
test's; the secret key from the instance folder (made 0600 on first start, never a default)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask, g, redirect, render_template
from flask_wtf.csrf import CSRFError, CSRFProtect

from edge import store
from edge.config import EdgeConfig
from edge.console import access, tables
from edge.console.views import auth, courses, health, progress, rewards, submissions
from edge.console.views import tablets as tablets_view
from provisioning.files import write_private

SECRET_KEY_NAME = "console-session.key"  # noqa: S105 (a file name)
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")


def secret_key(instance: Path) -> bytes:
    """The key that signs session cookies: made once, readable by its owner only."""
    path = instance / SECRET_KEY_NAME
    if not path.exists():
        write_private(path, secrets.token_hex(32).encode())
    return path.read_bytes().strip()


def create_app(config: EdgeConfig, downlink=None, test_config: dict | None = None) -> Flask:
    """downlink: an edge.console.downlink.Downlink to wake after a mark or award (None: the
    messages wait in the store for the next console that runs one)."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key(config.instance),
        SESSION_COOKIE_NAME="throughgate_console",
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=config.console.session_hours),
        MAX_CONTENT_LENGTH=64 * 1024,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        EDGE=config,
        DOWNLINK=downlink,
    )
    app.config.update(test_config or {})
    CSRFProtect(app)
    store.open_store(str(config.db_path))
    tables.create()
    app.before_request(access.load_member)
    app.teardown_request(_close)
    app.after_request(_headers)
    for module in (auth, submissions, progress, courses, rewards, tablets_view, health):
        app.register_blueprint(module.bp)
    app.register_error_handler(CSRFError, _csrf_refused)
    for status in (403, 404, 405):
        app.register_error_handler(status, _error)
    app.add_url_rule("/", "index", lambda: redirect(access.home_for(g.member)))
    return app


def _close(_exc=None) -> None:
    if not store.db.is_closed():  # peewee: one connection per thread, closed after each request
        store.db.close()


def _headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    if response.mimetype == "text/html":
        response.headers["Cache-Control"] = "no-store"
    return response


def _csrf_refused(error: CSRFError):
    return render_template("error.html", status=400, title="Form refused",
                           reason=f"{error.description} Reload the page and try again."), 400


def _error(error):
    titles = {403: "Not for your role", 404: "Not found", 405: "Not allowed"}
    reasons = {403: "Your role does not give access to this page.", 404: "There is nothing here.",
               405: "This address does not take that kind of request."}
    return render_template("error.html", status=error.code, title=titles[error.code],
                           reason=reasons[error.code]), error.code
