"""The admin console's enrolment tokens, keys and approvals pages, with two-admin approvals on: a
token made on a page enrols nothing until a second admin approves it on the Approvals page (through
the real enrolment service), the admin who asked cannot approve, cancelled tokens are refused, key
rotation waits for a second admin, every change is in the audit trail, and roles that may not see
no buttons and get 403."""

from __future__ import annotations

import argparse
import html
import re

import consolekit
import pytest
from adminkit import admin_token, bearer
from consolekit import BASE, login, make_admin, post
from hubkit import EdgeIdentity

from hub import cli, db
from hub.audit import trail
from hub.enrolment import service as enrolment
from hub.enrolment import tokens
from hub.refusals import Refused

console_app, admins, as_role = consolekit.console_app, consolekit.admins, consolekit.as_role

_SECRET = re.compile(r'<p class="secret">(tgb1\.[^<]+)</p>')
_REQUEST = re.compile(r"approves request (\d+)")


@pytest.fixture(scope="module")
def second(console_app, admins):
    """Second admins for the roles whose requests need one: fleet-two and security-two, logged in."""
    clients = {}
    for role in ("fleet", "security"):
        client = console_app.test_client()
        assert login(console_app, client, make_admin(console_app, f"{role}-two", role)).status_code == 302
        clients[role] = client
    return clients


def page(client, path: str) -> str:
    answer = client.get(path, base_url=BASE)
    assert answer.status_code == 200, answer.status_code
    return html.unescape(answer.get_data(as_text=True))


def text(answer) -> str:
    return html.unescape(answer.get_data(as_text=True))


def make_token(client, edge_id: str) -> tuple[str, str, int, str]:
    """Make a token on the page; (token, token id, approval request id, the page)."""
    answer = post(client, "/admin/enrolment-tokens", {"edge_id": edge_id, "hours": "2"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    shown = text(answer)
    token = _SECRET.search(shown).group(1)
    return token, token.split(".")[1], int(_REQUEST.search(shown).group(1)), shown


def enrol(app, token: str, edge_id: str) -> dict:
    """POST /v1/enrol's work, through the real service."""
    with app.app_context(), db.proxy.connection_context():
        return enrolment.enrol(EdgeIdentity.new(edge_id).request(token), app.extensions["hub_ca"],
                               app.extensions["hub_keys"].get(), app.extensions["hub_terms"])


def refusal(app, token: str, edge_id: str) -> Refused:
    with pytest.raises(Refused) as refused:
        enrol(app, token, edge_id)
    return refused.value


def audit(app, action: str) -> list[dict]:
    with app.app_context(), db.proxy.connection_context():
        return [entry for entry in trail.entries() if entry["action"] == action]


def current_key(app) -> str:
    with app.app_context():
        return app.extensions["hub_keys"].get().sealing_key_id


def test_a_token_made_on_the_page_enrols_only_once_a_second_admin_approves_it(console_app, as_role, second):
    fleet = as_role("fleet")
    token, token_id, request_id, shown = make_token(fleet, "edge-31")
    assert "Not usable yet" in shown and f"approves request {request_id} on the Approvals page" in shown
    assert f"--token {token}" in shown and "throughgate edge enrol --instance /var/lib/throughgate/edge" in shown
    assert re.search(r'<svg role="img" aria-label="QR code of the enrolment command above"', shown)
    assert "Cache-Control" in fleet.get("/admin/enrolment-tokens", base_url=BASE).headers

    listed = page(fleet, "/admin/enrolment-tokens")
    assert f"waiting for approval (request {request_id})" in listed and token_id in listed
    assert token.split(".")[2] not in listed  # never the secret again
    refused = refusal(console_app, token, "edge-31")
    assert refused.code == "token_not_approved"

    own = post(fleet, f"/admin/approvals/{request_id}/approve", page="/admin/approvals")
    assert own.status_code == 403
    assert f"request {request_id} was made by fleet-admin: a second, different admin must approve" in text(own)
    assert "You asked for this" in page(fleet, "/admin/approvals")
    security_view = page(as_role("security"), "/admin/approvals")
    assert "may not decide on this" in security_view and f"Approve request {request_id}" not in security_view
    assert refusal(console_app, token, "edge-31").code == "token_not_approved"

    approved = post(second["fleet"], f"/admin/approvals/{request_id}/approve", page="/admin/approvals")
    assert approved.status_code == 303
    after = page(second["fleet"], approved.headers["Location"])
    assert f"Request {request_id} is approved: token {token_id} can now enrol edge edge-31." in after
    assert re.search(r"approved</span> by fleet-two", after)

    assert enrol(console_app, token, "edge-31")["dns_name"].startswith("edge-31.")
    assert re.search(rf"{token_id}</th>.*?used", page(fleet, "/admin/enrolment-tokens"), re.S)
    assert any(e["target"] == token_id and e["outcome"] == "pending approval" and e["actor"] == "fleet-admin"
               for e in audit(console_app, "enrolment_tokens.create"))
    decided = audit(console_app, "approvals.decide")
    assert any(e["target"] == str(request_id) and e["outcome"] == "refused: same_admin" for e in decided)
    assert any(e["target"] == str(request_id) and e["outcome"] == "ok" and e["actor"] == "fleet-two" for e in decided)


def test_the_page_shows_the_enrol_command_the_cli_prints(console_app, as_role, monkeypatch, capsys):
    _token, _id, _request, shown = make_token(as_role("fleet"), "edge-32")
    console_command = re.search(r'<pre class="command" id="enrol-command">([^<]+)</pre>', shown).group(1)

    monkeypatch.setenv("THROUGHGATE_HUB_DATABASE_URL", console_app.config["DATABASE_URL"])
    args = argparse.Namespace(instance=console_app.instance_path, edge_id="edge-32", ttl=None,
                              edge_instance=cli.EDGE_INSTANCE)
    assert cli.cmd_tokens_create(args) == 0
    printed = [line.strip() for line in capsys.readouterr().out.splitlines() if "throughgate edge enrol" in line]
    assert [re.sub(r"tgb1\.\S+", "TOKEN", line) for line in printed] == [re.sub(r"tgb1\.\S+", "TOKEN",
                                                                                  console_command)]


def test_a_cancelled_token_is_refused_at_enrolment(console_app, as_role, second):
    fleet = as_role("fleet")
    token, token_id, request_id, _shown = make_token(fleet, "edge-33")
    assert post(second["fleet"], f"/admin/approvals/{request_id}/approve", page="/admin/approvals").status_code == 303
    assert f'aria-label="Cancel token {token_id} for edge-33"' in page(fleet, "/admin/enrolment-tokens")

    done = post(as_role("security"), f"/admin/enrolment-tokens/{token_id}/cancel", page="/admin/enrolment-tokens")
    assert done.status_code == 303
    listed = page(fleet, done.headers["Location"])
    assert f"Token {token_id} was cancelled" in listed
    assert re.search(rf"{token_id}</th>.*?cancelled", listed, re.S) and f"Cancel token {token_id}" not in listed

    refused = refusal(console_app, token, "edge-33")
    assert refused.code == "token_cancelled" and "ask the hub's admins for a new one" in refused.reason
    again = post(fleet, f"/admin/enrolment-tokens/{token_id}/cancel", page="/admin/enrolment-tokens")
    assert again.status_code == 409 and f"Token {token_id} is already cancelled" in text(again)
    outcomes = [(e["actor"], e["outcome"]) for e in audit(console_app, "enrolment_tokens.cancel")
                if e["target"] == token_id]
    assert outcomes == [("security-admin", "ok"), ("fleet-admin", "refused: token_cancelled")]


def test_the_cli_and_the_admin_api_cancel_tokens_too(console_app, as_role, monkeypatch, capsys):
    by_cli, cli_id, _request, _shown = make_token(as_role("fleet"), "edge-36")
    by_api, api_id, _request, _shown = make_token(as_role("fleet"), "edge-37")
    monkeypatch.setenv("THROUGHGATE_HUB_DATABASE_URL", console_app.config["DATABASE_URL"])
    assert cli.cmd_tokens_cancel(argparse.Namespace(instance=console_app.instance_path, token_id=cli_id)) == 0
    assert f"Cancelled enrolment token {cli_id} for edge edge-36" in capsys.readouterr().out

    client = console_app.test_client()
    with console_app.app_context():
        token = bearer(admin_token("api-fleet", "fleet"))
    done = client.post(f"/v1/admin/enrolment-tokens/{api_id}/cancel", headers=token)
    assert done.status_code == 200 and done.get_json()["state"] == "cancelled"
    again = client.post(f"/v1/admin/enrolment-tokens/{api_id}/cancel", headers=token)
    assert again.status_code == 409 and again.get_json()["error"] == "token_cancelled"
    assert client.post("/v1/admin/enrolment-tokens/nosuch00/cancel", headers=token).status_code == 404

    assert f"token {cli_id} for edge edge-36 (since cancelled: approving it enrols nothing)" in page(
        as_role("fleet"), "/admin/approvals")
    assert refusal(console_app, by_cli, "edge-36").code == "token_cancelled"
    assert refusal(console_app, by_api, "edge-37").code == "token_cancelled"
    listed = page(as_role("fleet"), "/admin/enrolment-tokens")
    for token_id in (cli_id, api_id):
        assert re.search(rf"{token_id}</th>.*?cancelled", listed, re.S)


def test_a_token_form_with_mistakes_says_what_to_fix_and_makes_nothing(console_app, as_role):
    answer = post(as_role("fleet"), "/admin/enrolment-tokens", {"edge_id": "Edge One", "hours": "9999"})
    assert answer.status_code == 400
    shown = text(answer)
    assert "There is a problem: no token was made" in shown and "from 1 to 720" in shown
    answer = post(as_role("fleet"), "/admin/enrolment-tokens", {"edge_id": "Edge One", "hours": "1"})
    assert answer.status_code == 400 and "'Edge One' is not an edge id" in text(answer)
    with console_app.app_context(), db.proxy.connection_context():
        assert "Edge One" not in {info.edge_id for info in tokens.list_tokens()}


def test_key_rotation_waits_for_a_second_security_admin(console_app, as_role, second):
    security = as_role("security")
    before = current_key(console_app)
    shown = page(security, "/admin/keys")
    assert f'<code class="key-current">{before}</code>' in shown and '"sealing_key_id"' in shown

    unconfirmed = post(security, "/admin/keys/rotate", {}, page="/admin/keys")
    assert unconfirmed.status_code == 400 and "Tick the box to confirm" in text(unconfirmed)
    asked = post(security, "/admin/keys/rotate", {"confirm": "yes"}, page="/admin/keys")
    assert asked.status_code == 303
    request_id = int(re.search(r"request (\d+) waits", page(security, asked.headers["Location"])).group(1))
    assert current_key(console_app) == before

    own = post(security, f"/admin/approvals/{request_id}/approve", page="/admin/approvals")
    assert own.status_code == 403 and "a second, different admin must approve or refuse it" in text(own)
    assert current_key(console_app) == before
    approved = post(second["security"], f"/admin/approvals/{request_id}/approve", page="/admin/approvals")
    assert approved.status_code == 303
    after = current_key(console_app)
    assert after != before
    assert f"sealing key {after} is now current" in page(second["security"], approved.headers["Location"])
    keys_page = page(security, "/admin/keys")
    assert f'<code class="key-current">{after}</code>' in keys_page and f"<code>{before}</code>" in keys_page

    rotations = audit(console_app, "keys.rotate")
    assert [(e["actor"], e["outcome"]) for e in rotations] == [("security-admin", "pending approval")]
    assert any(e["target"] == str(request_id) and e["actor"] == "security-two" and e["outcome"] == "ok"
               for e in audit(console_app, "approvals.decide"))


def test_a_refused_request_never_takes_effect(console_app, as_role, second):
    token, _id, request_id, _shown = make_token(as_role("fleet"), "edge-34")
    done = post(second["fleet"], f"/admin/approvals/{request_id}/refuse", page="/admin/approvals")
    assert done.status_code == 303
    assert f"Request {request_id} is refused" in page(second["fleet"], done.headers["Location"])
    assert "refused by a second admin" in refusal(console_app, token, "edge-34").reason


@pytest.mark.parametrize("role", ["auditor", "content"])
def test_roles_that_may_not_see_no_buttons_and_are_refused(console_app, as_role, role):
    client = as_role(role)
    if role == "auditor":
        assert "Make the token" not in page(client, "/admin/enrolment-tokens")
        assert ">Cancel<" not in page(client, "/admin/enrolment-tokens")
    else:
        assert client.get("/admin/enrolment-tokens", base_url=BASE).status_code == 403
    assert "Rotate the sealing key" not in page(client, "/admin/keys")
    approvals_page = page(client, "/admin/approvals")
    assert ">Approve<" not in approvals_page and ">Refuse<" not in approvals_page
    before = current_key(console_app)
    for path in ("/admin/enrolment-tokens", "/admin/enrolment-tokens/abcd1234/cancel", "/admin/keys/rotate",
                 "/admin/approvals/1/approve", "/admin/approvals/1/refuse"):
        answer = post(client, path, {"edge_id": "edge-35", "hours": "1", "confirm": "yes"}, page="/admin/keys")
        assert answer.status_code == 403, path
    assert current_key(console_app) == before
    assert audit(console_app, "keys.rotate")[-1]["outcome"] in ("refused: role may not", "pending approval")
