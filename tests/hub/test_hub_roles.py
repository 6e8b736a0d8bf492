"""Who may call which admin route: the matrix over every admin route, for every role, anonymous, an
expired token, a revoked one and the hub.toml token of earlier releases; the table in docs/hub.md is
the one the code enforces."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from adminkit import admin_token, bearer

from hub import db
from hub.admins import roles
from hub.admins import tokens as admin_tokens
from hub.audit import trail
from hub.ingest.storage import utc_now
from wire.records import parse_timestamp, timestamp

DOCS = (Path(__file__).resolve().parents[2] / "docs" / "hub.md").read_text()

ROUTES = [  # (method, path as the app names it, path called, body, action)
    ("POST", "/v1/admin/enrolment-tokens", "/v1/admin/enrolment-tokens", {"edge_id": "edge-9"},
     "enrolment_tokens.create"),
    ("POST", "/v1/admin/enrolment-tokens/<token_id>/cancel", "/v1/admin/enrolment-tokens/abcd1234/cancel", None,
     "enrolment_tokens.cancel"),
    ("GET", "/v1/admin/edges", "/v1/admin/edges", None, "edges.list"),
    ("POST", "/v1/admin/edges/<edge_id>/revoke", "/v1/admin/edges/edge-1/revoke", None, "edges.revoke"),
    ("POST", "/v1/admin/keys/rotate", "/v1/admin/keys/rotate", None, "keys.rotate"),
    ("POST", "/v1/admin/courses", "/v1/admin/courses", None, "courses.import"),
    ("GET", "/v1/admin/courses", "/v1/admin/courses", None, "courses.list"),
    ("GET", "/v1/admin/courses/<course>", "/v1/admin/courses/maths", None, "courses.list"),
    ("GET", "/v1/admin/courses/<course>/manifest", "/v1/admin/courses/maths/manifest", None, "courses.list"),
    ("PUT", "/v1/admin/courses/<course>/targets", "/v1/admin/courses/maths/targets", {"edge": "edge-1"},
     "courses.target"),
    ("DELETE", "/v1/admin/courses/<course>/targets", "/v1/admin/courses/maths/targets", {"edge": "edge-1"},
     "courses.target"),
    ("GET", "/v1/records", "/v1/records", None, "records.read"),
    ("GET", "/v1/records/summary", "/v1/records/summary", None, "records.read"),
    ("GET", "/v1/admin/approvals", "/v1/admin/approvals", None, "approvals.list"),
    ("POST", "/v1/admin/approvals/<int:request_id>/approve", "/v1/admin/approvals/1/approve", None,
     "approvals.decide"),
    ("POST", "/v1/admin/approvals/<int:request_id>/refuse", "/v1/admin/approvals/1/refuse", None,
     "approvals.decide"),
    ("GET", "/v1/admin/audit", "/v1/admin/audit", None, "audit.read"),
    ("POST", "/v1/health/people/<person_id>/summary", "/v1/health/people/P-0000-0000/summary", {}, "health.import"),
    ("POST", "/v1/health/people/<person_id>/appointments", "/v1/health/people/P-0000-0000/appointments", {},
     "health.import"),
]
EDGE_ROUTES = {"/v1/batches", "/v1/enrol", "/v1/enrol/ca", "/v1/edge/renew", "/v1/edge/hub-keys",
               "/v1/edge/signing-keys", "/v1/edge/health", "/v1/courses", "/v1/content/<sha256>",
               "/v1/attachments/<sha256>", "/healthz", "/metrics", "/v1/edge/transfers",
               "/v1/edge/transfers/<transfer_id>/records", "/v1/edge/transfers/<transfer_id>/delivered",
               "/v1/edge/plans", "/v1/edge/forms", "/v1/edge/forms/refusals/ack"}
PHONE_ROUTES = {"/v1/phone/activate", "/v1/phone/sync", "/v1/phone/views", "/v1/phone/push",
                "/v1/phone/uploads/<sha256>", "/v1/phone/attachments/<sha256>", "/v1/phone/health",
                "/v1/phone/health/bundle", "/v1/phone/health/printable", "/v1/phone/health/choice",
                "/v1/phone/health/shares", "/v1/phone/health/shares/<share_id>/revoke", "/v1/phone/health/workers",
                "/v1/phone/health/reads", "/v1/phone/courses", "/v1/phone/courses/<course>/launch", "/v1/phone/forms",
                "/v1/phone/checkins", "/v1/phone/checkins/credential", "/v1/phone/work",
                "/v1/phone/work/files/<sha256>"}
"""Signed by a person's phone key, not an admin's token: tests/hub/test_phone_journey.py (every one unsigned, from a
revoked phone and from another person's phone: the phones' matrix), test_phone_push.py, test_phone_attachments.py,
test_phone_health.py (the health routes: unsigned, and another person's phone with this person's share id),
test_hub_phone_courses.py (another person's phone sees none of the courses and cannot launch them), test_forms_phone.py
(the forms: unsigned is 401), test_checkins_hub.py (check-ins: unsigned is 401, a phone gets only its own),
test_employment_hub.py (work and jobs: unsigned is 401, another person's items and files are not listed and 404)."""
OPEN_ROUTES = {"/v1/calendar/<token>.ics", "/health/shared/<secret>", "/health/shared/<secret>/bundle.json",
               "/health/shared/<secret>/summary.pdf", "/", "/app", "/app/", "/app/<path:path>"}
"""The address is the secret (a person's calendar feed: tests/hub/test_hub_appointments.py; a health summary the person
shared: tests/hub/test_hub_medical_shares.py); or the page holds no data: the person's app, static files
(tests/hub/test_app_shell.py), whose data requests the phone's own key signs."""


def call(client, route, headers):
    method, _rule, path, body, _action = route
    return client.open(path, method=method, json=body, headers=headers)


def test_the_matrix_covers_every_admin_route_of_the_app(app):
    rules = {(method, rule.rule) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
             and not rule.rule.startswith(("/admin", "/work"))  # consoles: test_hub_console_authorization.py
             for method in rule.methods - {"HEAD", "OPTIONS"}}
    admin = {(m, r) for m, r in rules if r.startswith(("/v1/admin", "/v1/records", "/v1/health/"))}
    assert admin == {(route[0], route[1]) for route in ROUTES}
    assert {r for _m, r in rules} - {r for _m, r in admin} <= EDGE_ROUTES | PHONE_ROUTES | OPEN_ROUTES


def test_the_roles_table_in_docs_is_the_one_the_code_enforces():
    assert roles.markdown_table() in DOCS


@pytest.mark.parametrize("hub_settings", [{"ADMIN_APPROVALS": False}, {"ADMIN_APPROVALS": True}],
                         ids=["one-admin", "two-admins"])
def test_every_role_may_do_exactly_what_the_table_says_on_every_admin_route(client, edge):
    tokens = {role: admin_token(f"admin-{role}", role) for role in roles.TOKEN_ROLES}
    for route in ROUTES:
        for role, token in tokens.items():
            response = call(client, route, bearer(token))
            refused_by_role = f"the {role} role may not do {route[4]}" in response.get_data(as_text=True)
            if roles.allowed(role, route[4]):  # the route may still refuse (404, same_admin ...), never for the role
                assert response.status_code != 401 and not refused_by_role, (route[2], role, response.get_json())
            else:
                assert response.status_code == 403, (route[2], role)
                assert response.get_json()["error"] == "forbidden"
                assert f"the {role} role may not do {route[4]}" in response.get_json()["reason"]


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r[0]} {r[2]}")
def test_anonymous_and_unknown_tokens_get_401_on_every_admin_route(client, route):
    for headers in ({}, bearer("nonsense"), bearer("tga1.0123456789abcdef." + "x" * 43),
                    {"Authorization": "Basic YWRtaW46YWRtaW4="}):
        response = call(client, route, headers)
        assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="throughgate-hub"'


def test_an_expired_token_is_refused_on_every_admin_route_saying_so_and_is_audited(client):
    expired = admin_token("eve", roles.SECURITY, days=1, made_days_ago=2)
    for route in ROUTES:
        response = call(client, route, bearer(expired))
        assert response.status_code == 401, route[2]
        assert "expired at" in response.get_json()["reason"] and "admins token create" in response.get_json()["reason"]
    with db.proxy.connection_context():
        found = list(trail.entries())
    assert len(found) == len(ROUTES)
    assert {e["actor"] for e in found} == {"eve"} and {e["outcome"] for e in found} == {"refused: token not usable"}


def test_a_token_works_until_it_expires_and_not_after(app):
    with db.proxy.connection_context():
        token, info = admin_tokens.create("alice", roles.FLEET, 30, "test")
        assert admin_tokens.authenticate(token, utc_now()).name == "alice"
        just_before = timestamp(parse_timestamp(info.expires_at) - dt.timedelta(milliseconds=1))
        assert admin_tokens.authenticate(token, just_before) is not None
        with pytest.raises(admin_tokens.TokenRefused, match="expired at"):
            admin_tokens.authenticate(token, info.expires_at)


def test_a_revoked_token_is_refused_at_once(client):
    token = admin_token("mallory", roles.AUDITOR)
    assert client.get("/v1/admin/edges", headers=bearer(token)).status_code == 200
    with db.proxy.connection_context():
        token_id = token.split(".")[1]
        admin_tokens.revoke(token_id, utc_now())
    response = client.get("/v1/admin/edges", headers=bearer(token))
    assert response.status_code == 401 and "was revoked" in response.get_json()["reason"]


def test_the_secret_is_kept_only_as_its_sha256(app):
    token = admin_token("alice", roles.FLEET)
    with db.proxy.connection_context():
        [row] = db.proxy.execute_sql("SELECT token_id, secret_sha256 FROM admin_token").fetchall()
    assert token.split(".")[2] not in "".join(row) and len(row[1]) == 64


def test_a_token_cannot_be_made_for_an_unknown_role_a_reserved_name_or_too_long(app):
    with db.proxy.connection_context():
        for name, role, days in (("alice", "root", 30), ("cli:root", roles.FLEET, 30), ("hub.toml", roles.FLEET, 30),
                                 ("CLI-root", roles.FLEET, 30), ("alice", roles.FLEET, 367),
                                 ("alice", roles.FLEET, 0), ("a b", roles.FLEET, 30)):
            with pytest.raises(Exception, match="role must be|name is|days must"):
                admin_tokens.create(name, role, days, "test")


# --- the hub.toml admin token of earlier releases ---

def test_the_hub_toml_token_keeps_working_with_a_warning_until_its_days_are_up(client, auth_headers):
    response = client.get("/v1/admin/edges", headers=auth_headers)
    assert response.status_code == 200
    assert "stops working at" in response.headers["Warning"] and "admins token create" in response.headers["Warning"]
    with db.proxy.connection_context():
        [entry] = list(trail.entries())
    assert (entry["actor"], entry["role"], entry["source"]) == ("hub.toml", roles.LEGACY, "127.0.0.1")


@pytest.mark.parametrize("hub_settings", [{"ADMIN_TOKEN_DAYS": 0}])
def test_the_hub_toml_token_is_refused_once_its_days_are_up_saying_what_to_run(client, auth_headers):
    response = client.get("/v1/admin/edges", headers=auth_headers)
    assert response.status_code == 401
    reason = response.get_json()["reason"]
    assert "stopped working" in reason and "throughgate hub admins token create NAME --role" in reason
    assert "remove ADMIN_TOKEN_SHA256" in reason


@pytest.mark.parametrize("hub_settings", [{"ADMIN_TOKEN_ROLE": roles.AUDITOR}])
def test_the_hub_toml_token_can_be_given_a_narrower_role(client, auth_headers, edge):
    assert client.get("/v1/admin/edges", headers=auth_headers).status_code == 200
    assert client.post("/v1/admin/edges/edge-1/revoke", headers=auth_headers).status_code == 403


HOST_STEPS = {"hub init", "hub run", "hub migrate"}
"""Commands that set up or serve the hub itself: no admin action, nothing to audit."""


def test_every_hub_command_is_an_admin_action_in_the_table_or_a_host_step():
    import argparse

    from hub import cli
    from hub.admins import cli as admins_cli

    parser = argparse.ArgumentParser(prog="throughgate")
    cli.register(parser.add_subparsers())
    found = []

    def walk(p: argparse.ArgumentParser) -> None:
        subs = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            found.append(p.prog)
        for action in subs:
            for child in action.choices.values():
                walk(child)

    walk(parser)
    unmapped = [prog for prog in found if admins_cli.action_of(prog) is None
                and prog.removeprefix("throughgate ") not in HOST_STEPS]
    assert unmapped == []
