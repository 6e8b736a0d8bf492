"""What every console page shares: security headers, error pages in words an admin acts on, and
the template helpers (the CSRF field, the menu, times)."""

from __future__ import annotations

from flask import g, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from hub.console import access
from hub.refusals import Refused
from wire.records import parse_timestamp

CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'")

# status: (title, what happened, what to do)
ERRORS = {
    400: ("Something in the form was not right", "Nothing was changed.", "Go back, check the form, and send it again."),
    401: ("Log in first", "This needs you to be logged in, and your login has ended.",
          "Log in again, then go back to what you were doing."),
    403: ("Not for your role", "Your admin role does not allow this page or action. The attempt was recorded.",
          "If you need it for your work, ask a security admin, or an admin whose role allows it."),
    404: ("Not found", "There is nothing at this address: it may have been mistyped, or removed.",
          "Start again from the menu above."),
    405: ("Not allowed", "This address does not take that kind of request.", "Start again from the menu above."),
    413: ("Too large to send", "What you sent is larger than the hub takes; nothing was changed.",
          "Send a smaller file or shorter text."),
    500: ("Something went wrong", "The hub could not finish this. Nothing you can see was changed.",
          "Try again in a minute. If it keeps happening, tell the hub's operator the time it happened."),
}
CSRF_EXPIRED = ("This form has expired", "Nothing was changed: the page was opened before you last logged in, or "
                "your login has ended.", "Go back, reload the page (log in again if asked), and send the form again.")


def headers(response):
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    if response.mimetype == "text/html":
        response.headers["Cache-Control"] = "no-store"
    return response


def error_page(status: int, reason: str | None = None, title: str | None = None, next_step: str | None = None):
    if "staff" not in g:  # refused before the admin was known (a 404 outside any view)
        access.load()
    default_title, default_reason, default_next = ERRORS.get(status, ERRORS[500])
    if status == 403:
        default_reason = access.side().refused
    response = render_template("console/error.html", status=status, title=title or default_title,
                               reason=reason or default_reason, next_step=next_step or default_next, **helpers())
    return headers(access.set_cookies(make_response(response, status)))


def for_http_error(exc: HTTPException):
    if exc.code == 400 and exc.description == "csrf":
        return error_page(400, CSRF_EXPIRED[1], CSRF_EXPIRED[0], CSRF_EXPIRED[2])
    return error_page(exc.code or 500)


def for_unexpected(_exc: Exception):
    return error_page(500)


def for_refused(exc: Refused):
    reason = exc.body().get("reason") or None
    return error_page(exc.status, f"{reason[0].upper()}{reason[1:]}." if reason else None)


def when(text: str | None) -> str:
    """An RFC 3339 timestamp as `2026-12-07 16:36 UTC`; '-' for none."""
    if not text:
        return "-"
    try:
        return f"{parse_timestamp(text):%Y-%m-%d %H:%M} UTC"
    except (ValueError, TypeError):
        return str(text)


def init_blueprint(console) -> None:
    console.register_error_handler(HTTPException, for_http_error)
    console.register_error_handler(Refused, for_refused)
    console.add_app_template_filter(when, "when")
    console.context_processor(helpers)


def helpers() -> dict:
    """What every console template may call (also given to error pages for addresses no view has)."""
    here = access.side()
    return {"csrf_token": access.csrf_token, "may": access.may, "menu": access.menu, "path": request.path,
            "side": here, "layout": here.layout}


def is_console_path(path: str) -> bool:
    """A page of one of the consoles (/admin, /work): errors are HTML pages, not JSON."""
    return any(path == prefix or path.startswith(prefix + "/") for prefix in access.SIDES)
