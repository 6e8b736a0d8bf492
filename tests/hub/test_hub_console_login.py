"""Logging in to the admin console, and what keeps strangers out: the setup code, the password and
the authenticator's code (each code once), the login limit, server-side sessions (logout, disable,
reset, idle), CSRF, cookie flags, and secrets kept only as hashes or sealed."""

from __future__ import annotations

import os
import stat
import time

import consolekit
import pytest
from consolekit import BASE, PASSWORD, browser, code_for, login, make_admin, post

from hub import db
from hub.admins import roles
from hub.audit import trail
from hub.staff import accounts, sessions, totp
from hub.staff.models import StaffAccount, StaffLoginFailure, StaffSession

console_app = consolekit.console_app


def _setup_form(client, name: str, code: str, password: str = PASSWORD, again: str | None = None):
    return post(client, "/admin/setup", {"name": name, "setup_code": code, "password": password,
                                         "password_again": password if again is None else again})


def _new_account(app, name: str, role: str = roles.FLEET, console: str = accounts.ADMIN) -> str:
    with app.app_context(), db.proxy.connection_context():
        _account, code = accounts.add(name, console, role, name.title(), "test", 72)
    return code


def _row(app, name: str) -> StaffAccount:
    with app.app_context(), db.proxy.connection_context():
        return StaffAccount.get(StaffAccount.name == name)


def _audit(app) -> list[dict]:
    with app.app_context(), db.proxy.connection_context():
        return list(trail.entries())


def test_an_admin_sets_up_their_account_with_the_setup_code_then_logs_in_with_password_and_code(console_app):
    code = _new_account(console_app, "sam")
    client = browser(console_app)
    assert client.get("/admin/fleet", base_url=BASE).headers["Location"] == "/admin/login?next=/admin/fleet"
    answer = _setup_form(client, "Sam", code.lower().replace("-", " "))  # typed loosely: still the code
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/setup/authenticator"
    page = client.get("/admin/setup/authenticator", base_url=BASE).get_data(as_text=True)
    assert "<svg" in page and 'role="img"' in page
    secret_text = page.split('class="secret">', 1)[1].split("<", 1)[0]
    with console_app.app_context(), db.proxy.connection_context():
        secret = accounts.pending_secret("sam", console_app.instance_path)
    assert secret_text.replace(" ", "") == totp.text_secret(secret).replace(" ", "")
    done = post(client, "/admin/setup/authenticator", {"code": totp.code_at(secret, totp.step_of(time.time()))})
    assert done.status_code == 302
    assert "Log out" in client.get("/admin/", base_url=BASE, follow_redirects=True).get_data(as_text=True)
    assert _row(console_app, "sam").setup_sha256 is None  # spent
    assert _setup_form(browser(console_app), "sam", code).status_code == 401  # the code works once

    fresh = browser(console_app)
    admin = consolekit.Admin("sam", roles.FLEET, secret)
    assert login(console_app, fresh, admin).status_code == 302
    actions = [(e["actor"], e["action"], e["outcome"]) for e in _audit(console_app)]
    assert ("sam", "console.setup", "ok") in actions and ("sam", "console.login", "ok") in actions


def test_setup_refuses_a_wrong_or_expired_code_a_short_password_and_two_different_passwords(console_app):
    code = _new_account(console_app, "tess")
    client = browser(console_app)
    wrong = _setup_form(client, "tess", "AAAA-BBBB-CCCC")
    assert wrong.status_code == 401 and "do not match" in wrong.get_data(as_text=True)
    short = _setup_form(client, "tess", code, "short")
    assert short.status_code == 400 and "at least 12 characters" in short.get_data(as_text=True)
    differ = _setup_form(client, "tess", code, PASSWORD, PASSWORD + "x")
    assert differ.status_code == 400 and "not the same" in differ.get_data(as_text=True)
    with console_app.app_context(), db.proxy.connection_context():
        StaffAccount.update(setup_expires_at="2020-01-01T00:00:00.000Z").where(StaffAccount.name == "tess").execute()
    assert _setup_form(client, "tess", code).status_code == 401
    with console_app.app_context(), db.proxy.connection_context():
        assert accounts.find("tess").state == "setup expired"


def test_a_wrong_password_a_wrong_code_and_a_replayed_code_are_refused(console_app):
    admin = make_admin(console_app, "uma", roles.CONTENT)
    client = browser(console_app)
    wrong = login(console_app, client, admin, password="not the password at all")
    assert wrong.status_code == 401 and "Wrong user name or password" in wrong.get_data(as_text=True)
    assert client.get("/admin/fleet", base_url=BASE).status_code == 302

    assert post(client, "/admin/login", {"name": "uma", "password": PASSWORD}, page="/admin/login").status_code == 302
    bad = post(client, "/admin/login/code", {"code": "000000"}, page="/admin/login/code")
    assert bad.status_code == 401 and "not right" in bad.get_data(as_text=True)
    code = code_for(console_app, admin)
    assert post(client, "/admin/login/code", {"code": code}, page="/admin/login/code").status_code == 302

    other = browser(console_app)
    assert post(other, "/admin/login", {"name": "uma", "password": PASSWORD}, page="/admin/login").status_code == 302
    replayed = post(other, "/admin/login/code", {"code": code}, page="/admin/login/code")
    assert replayed.status_code == 401  # the same code, seen over a shoulder: used already


def test_a_password_alone_opens_nothing(console_app):
    admin = make_admin(console_app, "vic", roles.SECURITY)
    client = browser(console_app)
    assert post(client, "/admin/login", {"name": admin.name, "password": PASSWORD}, page="/admin/login").status_code \
        == 302
    for path in ("/admin/fleet", "/admin/accounts/admins", "/admin/audit"):
        assert client.get(path, base_url=BASE).headers["Location"].startswith("/admin/login")


def test_too_many_wrong_tries_lock_the_account_for_a_while_even_with_the_right_password(console_app):
    admin = make_admin(console_app, "wes", roles.AUDITOR)
    limit = console_app.config["LOGIN_FAILURES"]
    for _ in range(limit):
        assert login(console_app, browser(console_app), admin, password="guess guess guess").status_code == 401
    locked = login(console_app, browser(console_app), admin)
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    assert "Too many wrong tries" in locked.get_data(as_text=True)
    with console_app.app_context(), db.proxy.connection_context():  # a quarter of an hour later
        StaffLoginFailure.update(at=StaffLoginFailure.at - console_app.config["LOGIN_WINDOW_S"]).execute()
    assert login(console_app, browser(console_app), admin).status_code == 302


def test_logging_out_ends_the_session_and_a_copy_of_its_cookie(console_app):
    admin = make_admin(console_app, "xena", roles.FLEET)
    client = browser(console_app)
    assert login(console_app, client, admin).status_code == 302
    cookie = client.get_cookie(sessions.COOKIE, domain="localhost")
    assert cookie.secure and cookie.http_only and cookie.same_site == "Strict" and cookie.path == "/"
    copy = browser(console_app)
    copy.set_cookie(sessions.COOKIE, cookie.value, domain="localhost", secure=True)
    assert copy.get("/admin/fleet", base_url=BASE).status_code == 200
    assert post(client, "/admin/logout", page="/admin/fleet").status_code == 302
    assert copy.get("/admin/fleet", base_url=BASE).status_code == 302
    with console_app.app_context(), db.proxy.connection_context():
        assert cookie.value not in {row.id_sha256 for row in StaffSession.select()}  # kept only as a SHA-256


@pytest.mark.parametrize("how", ["disable", "reset"])
def test_disabling_or_resetting_an_account_ends_its_sessions_at_once(console_app, how):
    admin = make_admin(console_app, f"yann-{how}", roles.FLEET)
    client = browser(console_app)
    assert login(console_app, client, admin).status_code == 302
    with console_app.app_context(), db.proxy.connection_context():
        if how == "disable":
            accounts.disable(admin.name)
        else:
            accounts.reset(admin.name, 72)
    assert client.get("/admin/fleet", base_url=BASE).headers["Location"].startswith("/admin/login")
    assert login(console_app, browser(console_app), admin).status_code == 401


def test_an_idle_session_ends(console_app):
    admin = make_admin(console_app, "zoe", roles.FLEET)
    client = browser(console_app)
    assert login(console_app, client, admin).status_code == 302
    with console_app.app_context(), db.proxy.connection_context():
        StaffSession.update(last_seen_at="2020-01-01T00:00:00.000Z").where(StaffSession.name == "zoe").execute()
    assert client.get("/admin/fleet", base_url=BASE).headers["Location"].startswith("/admin/login")


def test_a_form_without_its_csrf_token_or_with_another_sessions_is_refused_and_changes_nothing(console_app):
    admin, other = make_admin(console_app, "abe", roles.FLEET), make_admin(console_app, "bea", roles.FLEET)
    client, stranger = browser(console_app), browser(console_app)
    assert login(console_app, client, admin).status_code == 302
    assert login(console_app, stranger, other).status_code == 302
    for sent in ({}, {"csrf_token": "made-up"},
                 {"csrf_token": consolekit.token(stranger.get("/admin/fleet", base_url=BASE).get_data(as_text=True))}):
        refused = client.post("/admin/logout", base_url=BASE, data=sent)
        assert refused.status_code == 400 and "This form has expired" in refused.get_data(as_text=True)
    assert client.get("/admin/fleet", base_url=BASE).status_code == 200  # still logged in


def test_a_worker_account_cannot_log_in_to_the_admin_console(console_app):
    worker = make_admin(console_app, "carl", "offender_manager", console=accounts.WORKER)
    answer = login(console_app, browser(console_app), worker)
    assert answer.status_code == 401


def test_the_authenticator_secret_is_sealed_and_the_password_kept_as_argon2id(console_app):
    admin = make_admin(console_app, "dora", roles.FLEET)
    row = _row(console_app, "dora")
    assert row.password_hash.startswith("$argon2id$") and PASSWORD not in row.password_hash
    stored = (row.totp_sealed or "") + (row.totp_pending or "")
    assert totp.text_secret(admin.secret).replace(" ", "") not in stored.upper() and admin.secret.hex() not in stored
    key = os.path.join(console_app.instance_path, "console-secrets.key")
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600


def test_pages_forbid_framing_scripts_and_caching(console_app):
    answer = browser(console_app).get("/admin/login", base_url=BASE)
    csp = answer.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "script-src" not in csp
    assert answer.headers["Cache-Control"] == "no-store" and answer.headers["X-Frame-Options"] == "DENY"
    assert "Log in" in answer.get_data(as_text=True)
