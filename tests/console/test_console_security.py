"""CSRF, the login rate limit, cookie flags, the secret key file, and nothing fetched from elsewhere."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest

from edge.console import app as console_app
from edge.console import tables
from tests.console.consolekit import PASSWORD, Visitor, submission

TEMPLATES = Path(console_app.__file__).parent / "templates"


@pytest.mark.parametrize("token", [None, "wrong", "from another session"])
def test_a_post_without_the_right_csrf_token_is_refused_and_changes_nothing(app, staff, token):
    target = submission("L-A1")
    if token == "from another session":
        token = Visitor(app).token()
    response = staff["tina"].post(f"/submissions/{target}/mark", {"grade": "A", "feedback": "Fine."},
                                  csrf=token or False)
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert tables.Mark.get_or_none(tables.Mark.submission == target) is None


def test_login_itself_needs_a_csrf_token(app):
    visitor = Visitor(app, address="10.9.0.1")
    response = visitor.post("/login", {"username": "tina", "password": PASSWORD}, csrf=False)
    assert response.status_code == 400 and "throughgate_console=" not in response.headers.get("Set-Cookie", "")


def test_the_session_cookie_is_secure_httponly_and_samesite_strict(app):
    visitor = Visitor(app, address="10.9.0.2")
    response = visitor.login("mary")
    assert response.status_code == 302
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("throughgate_console="))
    flags = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")}
    assert "secure" in flags and "httponly" in flags and flags["samesite"] == "SameSite=Strict"


def test_after_five_failures_an_account_is_refused_saying_when_to_retry(app):
    for attempt in range(5):
        visitor = Visitor(app, address=f"10.1.0.{attempt}")  # a new address each time: the account's limit
        assert visitor.login("tom", "wrong password!").status_code in (401, 429)
    response = Visitor(app, address="10.1.0.99").login("tom")  # even the right password now
    body = response.get_data(as_text=True)
    assert response.status_code == 429
    assert re.search(r"Try again after \d\d:\d\d UTC \(in 1[45] minutes\)", body), body
    assert 840 <= int(response.headers["Retry-After"]) <= 900
    assert "throughgate_console=" not in response.headers.get("Set-Cookie", "") or "user" not in body


def test_after_five_failures_an_address_is_refused_for_every_account(app):
    for attempt in range(5):
        Visitor(app, address="10.2.0.1").login(f"nobody{attempt}", "wrong password!")
    refused = Visitor(app, address="10.2.0.1").login("mary")
    assert refused.status_code == 429 and "Too many failed logins" in refused.get_data(as_text=True)
    assert Visitor(app, address="10.2.0.2").login("mary").status_code == 302  # another address is unaffected


def test_a_wrong_password_says_so_without_saying_which_part(app):
    response = Visitor(app, address="10.3.0.1").login("ivan", "not the password")
    assert response.status_code == 401 and "Wrong user name or password." in response.get_data(as_text=True)
    unknown = Visitor(app, address="10.3.0.2").login("nobody", "not the password")
    assert unknown.status_code == 401 and "Wrong user name or password." in unknown.get_data(as_text=True)


def test_a_login_never_redirects_to_another_site(app):
    visitor = Visitor(app, address="10.4.0.1")
    response = visitor.post("/login?next=//evil.example/", {"username": "mary", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/submissions/"


def test_the_session_key_is_made_once_and_private(kit, app):
    path = kit.instance / console_app.SECRET_KEY_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert console_app.secret_key(kit.instance) == app.config["SECRET_KEY"]


def test_pages_load_nothing_from_elsewhere_and_forbid_scripts(app, staff):
    response = staff["mary"].get("/progress/")
    assert "script-src" not in response.headers["Content-Security-Policy"]  # default-src 'none' covers it
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        assert not re.search(r"""(src|href)=["'](https?:)?//""", text), template
        assert "<script" not in text, template


def test_a_new_password_ends_the_old_sessions(app):
    from edge.console import accounts

    accounts.add_staff("pat", "tutor", PASSWORD)
    visitor = Visitor(app, address="10.5.0.1")
    assert visitor.login("pat").status_code == 302
    assert visitor.get("/submissions/").status_code == 200
    accounts.add_staff("pat", "tutor", "a brand new passphrase")
    response = visitor.get("/submissions/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
