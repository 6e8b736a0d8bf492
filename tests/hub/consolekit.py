"""The admin console for tests: a hub app on a fresh SQLite instance (module-scoped: one per test
file), admins of every role set up through the real service, and logging in over HTTP as a
browser does (password, then the authenticator's code, with the CSRF token of each form).

In a test module:  `console_app = consolekit.console_app` (and `admins`, `as_role`), then
`as_role("fleet")` is a test client logged in as the fleet admin, `browser(app)` a fresh one from an
address of its own, and `post(client, path, data)` sends a form with the token a page gave.
"""

from __future__ import annotations

import itertools
import re
import time
from dataclasses import dataclass

import pytest
from hubkit import make_instance

from hub import db
from hub.admins import roles
from hub.app import create_app
from hub.staff import accounts, totp
from hub.staff.models import StaffAccount

BASE = "https://localhost"
PASSWORD = "a long admin passphrase"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_addresses = itertools.count(1)


def browser(app):
    """A test client from an address of its own (10.9.x.y): the login limit counts per address, and
    one test's wrong tries must not lock another test out."""
    client = app.test_client()
    n = next(_addresses)
    client.environ_base["REMOTE_ADDR"] = f"10.9.{n // 250}.{n % 250 + 1}"
    return client


@dataclass(frozen=True)
class Admin:
    name: str
    role: str
    secret: bytes


def make_admin(app, name: str, role: str, console: str = accounts.ADMIN) -> Admin:
    """An account set up through the real service: setup code, password, authenticator."""
    with app.app_context(), db.proxy.connection_context():
        _account, code = accounts.add(name, console, role, name.title(), "test", 72)
        assert accounts.start_setup(name, code, PASSWORD, app.instance_path) is not None
        secret = accounts.pending_secret(name, app.instance_path)
        assert accounts.finish_setup(name, totp.code_at(secret, totp.step_of(time.time())), app.instance_path)
    return Admin(name, role, secret)


def code_for(app, admin: Admin) -> str:
    """A code the hub will take now: the current step's, or the next one's if this step was used
    (the hub accepts one step ahead), else after waiting for the next step."""
    while True:
        with app.app_context(), db.proxy.connection_context():
            last = StaffAccount.get(StaffAccount.name == admin.name).totp_last_step
        now_step = totp.step_of(time.time())
        for step in (now_step, now_step + 1):
            if step > last:
                return totp.code_at(admin.secret, step)
        time.sleep(1)


def token(page_text: str) -> str:
    found = _CSRF.search(page_text)
    assert found, "the page has no form with a csrf_token"
    return found.group(1)


def post(client, path: str, data: dict | None = None, page: str | None = None, **kwargs):
    """POST a form to `path` with the CSRF token of `page` (default: the same path, or the login page)."""
    shown = client.get(page or path, base_url=BASE)
    text = shown.get_data(as_text=True)
    if 'name="csrf_token"' not in text:
        text = client.get("/admin/login", base_url=BASE).get_data(as_text=True)
    return client.post(path, base_url=BASE, data={"csrf_token": token(text), **(data or {})}, **kwargs)


def login(app, client, admin: Admin, password: str = PASSWORD):
    """Log in as a browser does; returns the last response (302 to the console when it worked)."""
    answer = post(client, "/admin/login", {"name": admin.name, "password": password}, page="/admin/login")
    if answer.status_code != 302:
        return answer
    return post(client, "/admin/login/code", {"code": code_for(app, admin)}, page="/admin/login/code")


@pytest.fixture(scope="module")
def console_app(tmp_path_factory):
    """A hub with the console, on SQLite, two-admin approvals on (the default)."""
    root = tmp_path_factory.mktemp("console")
    app = create_app({"DATABASE_URL": f"sqlite:///{root / 'hub.db'}"}, instance_path=make_instance(root / "hub"))
    with app.app_context():
        db.migrate()
    yield app
    if not db.proxy.is_closed():
        db.proxy.close()


@pytest.fixture(scope="module")
def admins(console_app) -> dict[str, Admin]:
    """One admin per role: `admins["fleet"]` is `fleet-admin`."""
    return {role: make_admin(console_app, f"{role}-admin", role) for role in roles.ROLES}


@pytest.fixture(scope="module")
def as_role(console_app, admins):
    """as_role(role) -> a test client logged in as that role's admin (one per role, made once)."""
    clients = {}

    def client_for(role: str):
        if role not in clients:
            client = browser(console_app)
            answer = login(console_app, client, admins[role])
            assert answer.status_code == 302, answer.get_data(as_text=True)
            clients[role] = client
        return clients[role]

    return client_for
