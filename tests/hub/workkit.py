"""The workers' console for tests: the admin console's kit (consolekit: a hub app on a fresh SQLite
instance, accounts set up through the real service) with worker accounts in two teams, people in
their caseloads, and logging in at /work as a browser does (password, then the authenticator's code).

In a test module: `console_app, team = workkit.console_app, workkit.team` (and `as_worker`), then
`team.person["olivia"]` is a person in Olivia's caseload and `as_worker("olivia")` a logged-in client.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from pathlib import Path

import consolekit
import pytest
from consolekit import BASE, Admin, browser, code_for, make_admin, post
from hubkit import make_instance
from hubprocess import HubProcess
from phonekit import hub_app

from hub import db
from hub.people import service as people
from hub.staff import accounts, totp
from hub.workers import caseload

console_app = consolekit.console_app

WORKERS = {  # name: (role, team)
    "olivia": ("offender_manager", "Cardiff probation"),
    "ed": ("employment_adviser", "Cardiff probation"),
    "hana": ("health_care", "Swansea health"),
    "tom": ("team_manager", "Cardiff probation"),
    "sam": ("offender_manager", "Swansea probation"),
}
"""One worker of each role; Olivia, Ed and Tom (their manager) are one team, Sam another."""


@dataclass
class Team:
    workers: dict[str, Admin]
    person: dict[str, str]
    """Each worker's own person (in their caseload only)."""
    shared: str
    """A person in every worker's caseload."""
    admin: Admin
    extra: dict = field(default_factory=dict)


def make_worker(app, name: str, role: str, team: str) -> Admin:
    made = make_admin(app, name, role, accounts.WORKER)
    with app.app_context(), db.proxy.connection_context():
        from hub.staff.models import StaffAccount

        StaffAccount.update(team=team).where(StaffAccount.name == name).execute()
    return made


def add_person(app, *workers: str) -> str:
    with app.app_context(), db.proxy.connection_context():
        person = people.add("test", "2027-03-14")
        for worker in workers:
            caseload.add(worker, person.person_id, "test")
    return person.person_id


@pytest.fixture(scope="module")
def team(console_app) -> Team:
    workers = {name: make_worker(console_app, name, role, team) for name, (role, team) in WORKERS.items()}
    own = {name: add_person(console_app, name) for name in WORKERS}
    shared = add_person(console_app, *WORKERS)
    return Team(workers, own, shared, make_admin(console_app, "ada", "security"))


def login(app, client, worker: Admin, password: str = consolekit.PASSWORD):
    """Log in at /work as a browser does; the last response (302 into the console when it worked)."""
    answer = post(client, "/work/login", {"name": worker.name, "password": password}, page="/work/login")
    if answer.status_code != 302:
        return answer
    return post(client, "/work/login/code", {"code": code_for(app, worker)}, page="/work/login/code")


@pytest.fixture(scope="module")
def as_worker(console_app, team):
    """as_worker(name) -> a test client logged in at /work as that worker (made once per name)."""
    clients = {}

    def client_for(name: str):
        if name not in clients:
            client = browser(console_app)
            answer = login(console_app, client, team.workers[name])
            assert answer.status_code == 302, answer.get_data(as_text=True)
            clients[name] = client
        return clients[name]

    return client_for


def page(client, path: str) -> tuple[int, str]:
    answer = client.get(path, base_url=BASE)
    return answer.status_code, answer.get_data(as_text=True)


@contextlib.contextmanager
def running_hub(root: Path):
    """A real `throughgate hub run` on a fresh SQLite instance in `root`: (the process, an app on its database)."""
    instance = make_instance(root / "hub")
    url = f"sqlite:///{instance / 'hub.db'}"
    process = HubProcess(instance, url, root / "hub.log").start()
    try:
        yield process, hub_app(instance, url)
    finally:
        process.stop()


def log_in_in_chromium(browser, url: str, worker: Admin):
    """A new Chromium context logged in at /work as a person does it (user name and password, then the
    authenticator's code), on My people: (context, page)."""
    from tests import browserkit

    context = browserkit.new_context(browser)
    page = context.new_page()
    page.goto(f"{url}/work/login")
    page.get_by_label("User name").fill(worker.name)
    page.get_by_label("Password").fill(consolekit.PASSWORD)
    page.get_by_role("button", name="Next").click()
    page.wait_for_url(lambda at: "/work/login/code" in at)
    page.get_by_label("6-digit code").fill(totp.code_at(worker.secret, totp.step_of(time.time()) + 1))
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/work/people")
    return context, page
