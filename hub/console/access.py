"""Who is using the admin console, what their role lets them open, CSRF, and the audit of what they do.

`load` runs before every console request: `g.staff` is the logged-in admin (an accounts.Account) or
None, `g.console_session` their session (any stage) or None. `require(action)` guards a view with
an action of hub/admins/roles.py, the same table the admin API uses: anonymous visitors are sent to
log in, other roles get 403 (audited). Every POST needs the form's csrf_token: the session's own, or
for the forms used before login (log in, set up) the value of a `__Host-` cookie set with the form. A
POST that `require` refuses is refused before its form is read (an upload is never spooled for it).
"""

from __future__ import annotations

import functools
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, current_app, g, redirect, request, url_for

from hub.admins import roles
from hub.audit import trail
from hub.staff import accounts, sessions

PRE_COOKIE = "__Host-throughgate-hub-form"
"""The CSRF value of forms shown before login (double-submit: the form must carry the cookie's value)."""

PAGES = (
    # (endpoint, menu label, action needed to open it)
    ("console.fleet.overview", "Fleet", "edges.health"),
    ("console.enrolment.tokens", "Enrolment tokens", "enrolment_tokens.list"),
    ("console.keys.index", "Keys", "keys.export"),
    ("console.courses.index", "Courses", "courses.list"),
    ("console.approvals.index", "Approvals", "approvals.list"),
    ("console.accounts.admins", "Admins", "admins.list"),
    ("console.accounts.workers", "Workers", "workers.list"),
    ("console.audit.index", "Audit", "audit.read"),
)




@dataclass(frozen=True)
class Side:
    """One of the hub's consoles: the admin console (/admin) or the workers' console (/work,
    hub/workers). They share the login, sessions, CSRF and error pages here and in pages.py and
    views/auth.py; each has its own session cookie, and a session opens only its own console."""

    blueprint: str
    """The parent blueprint's name: endpoints are `<blueprint>.auth.login` and so on."""
    console: str
    """The accounts it lets in (hub/staff/accounts.py ADMIN or WORKER)."""
    prefix: str
    cookie: str
    layout: str
    """The template its pages extend."""
    title: str
    allowed: Callable[[str, str], bool]
    """(role, action) -> may the role do it."""
    home: str | None = None
    """The endpoint a logged-in visitor starts at (None: the first page of the menu)."""
    audit: str = "console"
    """The audit trail's prefix for logins and logouts (`console.login`)."""
    refused: str = "Your admin role does not allow this page or action. The attempt was recorded."


ADMIN_SIDE = Side("console", accounts.ADMIN, "/admin", sessions.COOKIE, "console/base.html", "Hub admin console",
                  roles.allowed)
SIDES: dict[str, Side] = {ADMIN_SIDE.prefix: ADMIN_SIDE}


def add_side(side_: Side) -> None:
    SIDES[side_.prefix] = side_


def side() -> Side:
    """The console this request is for, by its path (also for addresses no view has)."""
    for prefix, found in SIDES.items():
        if request.path == prefix or request.path.startswith(prefix + "/"):
            return found
    return ADMIN_SIDE


def settings():
    return current_app.config


def load() -> None:
    here = side()
    g.staff = None
    g.console_session = sessions.load(request.cookies.get(here.cookie), settings()["CONSOLE_IDLE_MINUTES"] * 60)
    if g.console_session is None:
        return
    account = accounts.find(g.console_session.name)
    setting_up = g.console_session.stage == sessions.SETUP and account is not None and account.state in (
        "waiting for setup", "active")
    if not setting_up and (account is None or account.console != here.console or account.state != "active"):
        sessions.end(g.console_session.id_sha256)
        g.console_session = None
        return
    if g.console_session.stage == sessions.FULL:
        g.staff = account


def csrf_token() -> str:
    """The value every console form carries in its hidden csrf_token field."""
    if g.get("console_session") is not None:
        return g.console_session.csrf
    if "pre_csrf" not in g:
        g.pre_csrf = request.cookies.get(PRE_COOKIE) or secrets.token_urlsafe(32)
    return g.pre_csrf


def check_csrf() -> None:
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    action = getattr(current_app.view_functions.get(request.endpoint or ""), "action", None)
    if action is not None and not may(action):
        return  # its guard refuses it (401, or 403 audited) without reading the body: an upload is never spooled
    sent = request.form.get("csrf_token", "")
    expected = g.console_session.csrf if g.get("console_session") is not None else request.cookies.get(PRE_COOKIE, "")
    if not (sent and expected and hmac.compare_digest(sent.encode(), expected.encode())):
        abort(400, description="csrf")


def set_cookies(response):
    """After a console request: the pre-login form cookie, if a form was shown with one."""
    if "pre_csrf" in g and request.cookies.get(PRE_COOKIE) != g.pre_csrf:
        response.set_cookie(PRE_COOKIE, g.pre_csrf, secure=True, httponly=True, samesite="Strict", path="/")
    return response


def may(action: str) -> bool:
    return g.get("staff") is not None and side().allowed(g.staff.role, action)


def menu() -> list[tuple[str, str, bool]]:
    """The pages this admin's role may open: (endpoint, label, whether it is the page shown or the
    one it belongs to: the same view, else the first menu page of the same blueprint)."""
    views = current_app.view_functions
    shown = [(endpoint, label) for endpoint, label, action in PAGES if endpoint in views and may(action)]
    current = request.endpoint if any(endpoint == request.endpoint for endpoint, _ in shown) else next(
        (endpoint for endpoint, _ in shown if endpoint.rpartition(".")[0] == request.blueprint), None)
    return [(endpoint, label, endpoint == current) for endpoint, label in shown]


def home() -> str:
    here = side()
    if here.home is not None:
        return url_for(here.home if g.get("staff") is not None else f"{here.blueprint}.auth.login")
    pages = menu()
    return url_for(pages[0][0]) if pages else url_for("console.auth.login")


def actor() -> trail.Actor:
    return trail.Actor(g.staff.name, g.staff.role, f"console {request.remote_addr or 'unknown'}")


def record(action: str, target: str = "", outcome: str = "ok", **detail) -> None:
    """Append what the logged-in admin did (or tried) to the audit trail."""
    trail.append(actor(), action, target, outcome, {"page": request.path, **detail})


def require(action: str):
    """A view for the roles that hold `action`."""
    if action not in roles.ACTIONS:
        raise ValueError(f"unknown admin action {action}")

    def wrap(view):
        @functools.wraps(view)
        def checked(*args, **kwargs):
            if g.staff is None:
                if request.method == "GET":
                    return redirect(url_for("console.auth.login", next=request.full_path.rstrip("?")))
                abort(401)
            if not roles.allowed(g.staff.role, action):
                record(action, "/".join(str(v) for v in kwargs.values()), "refused: role may not")
                abort(403)
            return view(*args, **kwargs)

        checked.action = action  # the authorization matrix test reads it
        return checked

    return wrap
