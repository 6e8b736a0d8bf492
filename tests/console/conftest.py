"""Fixtures: a real edge instance with its store, the console app on it, staff logged in."""

from __future__ import annotations

import pytest

from edge.console.app import create_app
from tests.console.consolekit import STAFF, Visitor, seed_staff
from tests.trust.trustkit import EdgeKit


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    kit = EdgeKit(tmp_path_factory.mktemp("console")).build(["tab-0001", "tab-0002"])
    yield kit
    kit.stop()


@pytest.fixture(scope="module")
def app(kit):
    app = create_app(kit.config)
    seed_staff()
    return app


@pytest.fixture(scope="module")
def staff(app) -> dict[str, Visitor]:
    """One logged-in client per member of staff (logins cost an argon2 check each)."""
    visitors = {}
    for username in STAFF:
        visitor = Visitor(app)
        assert visitor.login(username).status_code == 302
        visitors[username] = visitor
    return visitors
