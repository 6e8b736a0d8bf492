"""Who is logged in, and the role checks every view makes.

The session cookie (signed, Secure, HttpOnly, SameSite=Strict) holds the user name and a short
digest of their password hash: changing a password, or removing the account, ends every session.
The role is read from the store on each request, so a change takes effect at once.
"""

from __future__ import annotations

import functools
import hashlib

from flask import abort, g, redirect, request, session, url_for

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
    if row is None or session.get("stamp") != stamp(row.password_hash):
        session.clear()
        return
    g.member = Member(row.username, row.role)


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
