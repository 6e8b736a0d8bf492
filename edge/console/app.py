"""The console's application factory: defaults, then the edge's [console] settings, then the
test's; the secret key from the instance folder (made 0600 on first start, never a default)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, g, redirect, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect

from edge import store
from edge.config import EdgeConfig
from edge.console import access, accounts, filters, names
from edge.console.views import auth, courses, health, learners, plans, progress, release, rewards, submissions
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


def create_app(config: EdgeConfig, test_config: dict | None = None) -> Flask:
    """The console's app. Its down messages (feedback, awards) wait in the store's down_message table; the
    edge service publishes them (edge.downlink.publisher) until each tablet acknowledges them."""
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
    )
    app.config.update(test_config or {})
    CSRFProtect(app)
    accounts.dummy_hash()  # made now, so the first unknown name takes as long to refuse as the rest
    store.open_store(str(config.db_path), migrate=False)  # edge run migrates; until then: refused, retried by systemd
    app.before_request(access.load_member)
    app.teardown_request(_close)
    app.after_request(_headers)
    for module in (auth, submissions, progress, courses, rewards, learners, release, plans, tablets_view, health):
        app.register_blueprint(module.bp)
    app.register_error_handler(CSRFError, _csrf_refused)
    for status in ERRORS:
        app.register_error_handler(status, _error)
    zone = ZoneInfo(config.console.time_zone)
    app.jinja_env.filters.update(when=partial(filters.when, zone=zone), size=filters.size, waited=filters.waited,
                                 sentence=filters.sentence, learner=names.label)
    app.context_processor(lambda: _page_context(config.console.time_zone))
    app.add_url_rule("/", "index", lambda: redirect(access.home_for(g.member)))
    return app


def _page_context(zone_name: str) -> dict:
    """What every page may use: the moment it is made, the zone its times are in, and (asked only
    by pages that need it) the classes a tutor has."""
    return {"now": datetime.now(UTC), "zone_name": zone_name, "tutor_classes": lambda: access.scope().classes}


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
    if "member" not in g:  # refused before the member was loaded: the page still shows who is logged in
        access.load_member()
    return render_template("error.html", status=400, title="This form has expired", reason=(
        "Nothing was saved: the page was opened before you last logged in, or your login has ended."),
        next_step="Go back, reload the page (log in again if asked), and send the form again.",
        detail=error.description, kept=_typed() if g.member is not None else []), 400


def _typed() -> list[tuple[str, str]]:
    """What the member typed into a refused form, shown back so no feedback is lost (only to a
    logged-in member: their SameSite=Strict cookie came with it, so the post came from the console)."""
    return [(name, value) for name, value in request.form.items()
            if name not in ("csrf_token", "password") and value.strip()]


# status: (title, what happened, what to do), in the words staff use
ERRORS = {
    403: ("Not for your role", "Your role does not give access to this page, or the learner is not in one of "
          "your classes.", "If you need it for your work, ask the education manager."),
    404: ("Not found", "There is nothing at this address: it may have been mistyped, or the record removed.",
          "Go back, or start again from the menu above."),
    405: ("Not allowed", "This address does not take that kind of request.",
          "Start again from the menu above."),
    413: ("Too long to send", "The form was larger than the console takes (64 KiB); nothing was saved.",
          "Go back, shorten the text, and send it again."),
    500: ("Something went wrong", "The console could not finish this.",
          "Try again in a minute. If it keeps happening, tell IT staff the time it happened."),
}


def _error(error):
    status = getattr(error, "code", None) or 500
    if "member" not in g and status != 500:  # refused before the member was loaded (413)
        access.load_member()
    title, reason, next_step = ERRORS.get(status, ERRORS[500])
    return render_template("error.html", status=status, title=title, reason=reason, next_step=next_step), status
