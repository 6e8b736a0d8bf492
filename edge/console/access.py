"""Who is logged in, and the role checks every view makes.

The session cookie (signed, Secure, HttpOnly, SameSite=Strict) holds the user name, a short
digest of their password hash, a session id and the login time: changing a password, or removing
the account, ends every session; logging out ends that session (any copy of its cookie too); none
outlives console.session_hours after its login.
The role is read from the store on each request, so a change takes effect at once.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
import time

from flask import abort, current_app, g, redirect, request, session, url_for

from edge import store
from edge.console import learning, tables
from edge.console.accounts import Member


def stamp(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def load_member() -> None:
    """before_request: g.member is the logged-in member of staff, or None."""
    g.member = None
    username = session.get("user")
    if not username:
        return
    row = tables.Staff.get_or_none(tables.Staff.username == username)
    if row is None or session.get("stamp") != stamp(row.password_hash) or not _current(session):
        session.clear()
        return
    g.member = Member(row.username, row.role)


LOGGED_OUT = "console_logout:"  # + a session's id: in store.Setting, with its login time, until it would end anyway


def _hours() -> float:
    return current_app.config["EDGE"].console.session_hours


def _current(session) -> bool:
    """A session is current for console.session_hours after its login (however often it is used: Flask
    re-signs the cookie on each request) and until it logs out, copies of its cookie included."""
    at, sid = session.get("at"), session.get("sid")
    if not isinstance(at, int | float) or not isinstance(sid, str) or not 0 <= time.time() - at <= _hours() * 3600:
        return False
    return store.Setting.get_or_none(store.Setting.key == LOGGED_OUT + sid) is None


def new_session(username: str, password_hash: str) -> None:
    """A fresh session (and CSRF token) for a login: its own id and login time."""
    session.clear()
    session.permanent = True
    session.update(user=username, stamp=stamp(password_hash), at=time.time(), sid=secrets.token_hex(16))


def end_session() -> None:
    """Log out: the session lives in a signed cookie, so the server remembers that this one ended
    (until it would have ended anyway) and refuses any copy of the cookie."""
    sid, at = session.get("sid"), session.get("at")
    if isinstance(sid, str) and isinstance(at, int | float):
        with store.writing():
            store.Setting.delete().where(store.Setting.key.startswith(LOGGED_OUT),
                                         store.Setting.value.cast("REAL") < time.time() - _hours() * 3600).execute()
            store.Setting.replace(key=LOGGED_OUT + sid, value=repr(at)).execute()
    session.clear()


def require(*roles: str):
    """A view for these roles: anonymous visitors are sent to log in, other roles get 403."""

    def wrap(view):
        @functools.wraps(view)
        def checked(*args, **kwargs):
            if g.member is None:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if g.member.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return checked

    return wrap


LEARNING_ROLES = ("tutor", "manager")  # IT staff never see learners' work
DEVICE_ROLES = ("it", "manager")
ALL_ROLES = ("tutor", "manager", "it")


def scope() -> learning.Scope:
    return learning.scope_of(g.member.username, g.member.role)


def home_for(member: Member | None) -> str:
    if member is None:
        return url_for("auth.login")
    return url_for("tablets.index") if member.role == "it" else url_for("submissions.queue")
