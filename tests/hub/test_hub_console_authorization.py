"""The admin console's authorization matrix: every page and action under /admin, for every role and
for anonymous visitors, against the role table the admin API uses (hub/admins/roles.py)."""

from __future__ import annotations

import consolekit
import pytest
from consolekit import BASE, post

from hub.admins import roles
from hub.console.access import PAGES

console_app, admins, as_role = consolekit.console_app, consolekit.admins, consolekit.as_role

OPEN = {"console.auth.login", "console.auth.code", "console.auth.logout", "console.auth.setup",
        "console.auth.authenticator", "console.static", "console.home"}
"""What anyone may open: logging in, setting up, the stylesheet, and / (which sends them on)."""


def console_routes(app) -> list[tuple[str, str, str, str]]:
    """(endpoint, method, path with sample values, action) for every guarded console route."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin") or rule.endpoint in OPEN:
            continue
        action = getattr(app.view_functions[rule.endpoint], "action", None)
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<{name}>", "sample-1").replace(f"<int:{name}>", "1")
            path = path.replace(f"<path:{name}>", "sample-1")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, path, action))
    return found


def send(client, method: str, path: str):
    if method == "GET":
        return client.get(path, base_url=BASE)
    return post(client, path, {})


def test_every_console_page_names_the_action_it_needs(console_app):
    routes = console_routes(console_app)
    assert routes, "the console has no guarded pages"
    unguarded = sorted({endpoint for endpoint, _m, _p, action in routes if action not in roles.ACTIONS})
    assert unguarded == [], f"console views without access.require(action): {unguarded}"


def test_anonymous_visitors_are_sent_to_log_in_and_change_nothing(console_app):
    client = console_app.test_client()
    for endpoint, method, path, _action in console_routes(console_app):
        answer = send(client, method, path)
        if method == "GET":
            assert answer.status_code == 302, (endpoint, answer.status_code)
            assert answer.headers["Location"].startswith("/admin/login?next=")
        else:
            assert answer.status_code == 401, (endpoint, method, answer.status_code)


@pytest.mark.parametrize("role", roles.ROLES)
def test_each_role_opens_exactly_what_the_role_table_allows(console_app, as_role, role):
    client = as_role(role)
    wrong = []
    for endpoint, method, path, action in console_routes(console_app):
        answer = send(client, method, path)
        allowed = roles.allowed(role, action)
        if allowed and answer.status_code in (401, 403) or not allowed and answer.status_code != 403:
            wrong.append((endpoint, method, answer.status_code, "allowed" if allowed else "refused"))
        assert answer.status_code != 500, (endpoint, method, answer.get_data(as_text=True)[:500])
    assert wrong == []


def test_the_menu_shows_only_the_pages_a_role_may_open(console_app, as_role):
    for role in roles.ROLES:
        page = as_role(role).get("/admin/", base_url=BASE, follow_redirects=True).get_data(as_text=True)
        nav = page.split('<nav aria-label="Admin console">', 1)[1].split("</nav>", 1)[0]
        for endpoint, label, action in PAGES:
            if endpoint in console_app.view_functions:
                assert (f">{label}</a>" in nav) == roles.allowed(role, action), (role, label)
