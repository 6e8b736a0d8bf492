"""The admin console's accounts pages (admins and their API tokens, workers) and its audit pages: what a
security admin and an auditor see and can do, through the Flask test client as a browser would."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import time

import consolekit
from consolekit import BASE, PASSWORD, post

from hub import db
from hub.admins.cli import cmd_audit_verify
from hub.audit import chain, trail
from hub.staff import accounts, totp

console_app, admins, as_role = consolekit.console_app, consolekit.admins, consolekit.as_role

CODE = re.compile(r'class="secret setup-code">([A-Z0-9-]+)<')
TOKEN = re.compile(r'class="secret">(tga1\.[0-9a-f]{16}\.[A-Za-z0-9_-]{43})<')


def text(answer) -> str:
    return answer.get_data(as_text=True)


def setup_code(answer) -> str:
    assert answer.status_code == 200, text(answer)[:2000]
    found = CODE.search(text(answer))
    assert found, "the page shows no setup code"
    return found.group(1)


def set_up(app, name: str, code: str):
    """What the person does with the code on /admin/setup: a test client logged in as them, or the
    answer that refused them."""
    client = app.test_client()
    answer = post(client, "/admin/setup", {"name": name, "setup_code": code, "password": PASSWORD,
                                           "password_again": PASSWORD}, page="/admin/setup")
    if answer.status_code != 302:
        return answer
    assert client.get("/admin/setup/authenticator", base_url=BASE).status_code == 200
    with app.app_context(), db.proxy.connection_context():
        secret = accounts.pending_secret(name, app.instance_path)
    answer = post(client, "/admin/setup/authenticator", {"code": totp.code_at(secret, totp.step_of(time.time()))})
    assert answer.status_code == 302, text(answer)[:2000]
    return client


def audit_entries(app) -> list[dict]:
    with app.app_context(), db.proxy.connection_context():
        return list(trail.entries())


def sql(app, statement: str) -> None:
    """Change the database behind the hub's back, with sqlite3's own command line."""
    path = app.config["DATABASE_URL"].removeprefix("sqlite:///")
    subprocess.run(["sqlite3", path, statement], check=True, capture_output=True, timeout=30)


def test_an_added_admin_gets_a_setup_code_that_works_once_and_can_be_disabled(console_app, as_role):
    security = as_role("security")
    answer = post(security, "/admin/accounts/admins/add", {"name": "Dana", "display_name": "Dana Scott",
                                                           "role": "auditor"}, page="/admin/accounts/admins")
    code = setup_code(answer)
    page = text(answer)
    assert "Give it to Dana Scott in person or by phone, not by email." in page
    assert "https://localhost/admin/setup" in page

    listing = text(security.get("/admin/accounts/admins", base_url=BASE))
    assert "dana" in listing and "waiting for setup" in listing and code not in listing

    dana = set_up(console_app, "dana", code)
    assert "Dana Scott (auditor admin)" in text(dana.get("/admin/audit", base_url=BASE))
    assert set_up(console_app, "dana", code).status_code == 401  # spent

    answer = post(security, "/admin/accounts/admins/dana/disable", page="/admin/accounts/admins")
    assert answer.status_code == 302
    page = text(security.get(answer.headers["Location"], base_url=BASE))
    assert "dana can no longer log in" in page and "disabled" in page
    later = dana.get("/admin/audit", base_url=BASE)
    assert later.status_code == 302 and later.headers["Location"].startswith("/admin/login")

    details = [json.loads(e["detail"]) for e in audit_entries(console_app) if e["target"] == "dana"]
    assert [d.get("did") for d in details if "did" in d] == ["add", "disable"]
    assert not any(code in json.dumps(d) for d in details)


def test_reset_gives_a_new_code_and_ends_the_accounts_logins(console_app, as_role):
    security = as_role("security")
    first = setup_code(post(security, "/admin/accounts/admins/add", {"name": "erin", "role": "auditor"},
                            page="/admin/accounts/admins"))
    erin = set_up(console_app, "erin", first)
    assert erin.get("/admin/audit", base_url=BASE).status_code == 200

    answer = post(security, "/admin/accounts/admins/erin/reset", page="/admin/accounts/admins")
    second = setup_code(answer)
    assert second != first and "their logins have ended" in text(answer)
    assert erin.get("/admin/audit", base_url=BASE).status_code == 302
    assert set_up(console_app, "erin", first).status_code == 401
    assert set_up(console_app, "erin", second).get("/admin/audit", base_url=BASE).status_code == 200


def test_an_admin_cannot_disable_or_reset_their_own_account(console_app, as_role):
    security = as_role("security")
    for change in ("disable", "reset"):
        answer = post(security, f"/admin/accounts/admins/security-admin/{change}", page="/admin/accounts/admins")
        assert answer.status_code == 403
        assert f"You cannot {change} your own account" in text(answer)
        assert "Ask another security admin" in text(answer)
    assert security.get("/admin/accounts/admins", base_url=BASE).status_code == 200  # still logged in
    with console_app.app_context(), db.proxy.connection_context():
        assert accounts.find("security-admin").state == "active"


def test_bad_account_forms_are_refused_saying_what_to_fix(console_app, as_role):
    security = as_role("security")
    answer = post(security, "/admin/accounts/admins/add", {"name": "x", "role": "fleet"}, page="/admin/accounts/admins")
    assert answer.status_code == 400 and "a user name is 2 to 64" in text(answer).lower()
    answer = post(security, "/admin/accounts/admins/add", {"name": "frank", "role": "offender_manager"},
                  page="/admin/accounts/admins")
    assert answer.status_code == 400 and "role is one of fleet" in text(answer)
    answer = post(security, "/admin/accounts/workers/fleet-admin/disable", page="/admin/accounts/workers")
    assert answer.status_code == 404 and "no worker account named" in text(answer)


def test_an_api_token_made_in_the_console_works_with_its_role_until_revoked(console_app, as_role):
    security = as_role("security")
    answer = post(security, "/admin/accounts/tokens", {"name": "ops-bot", "role": "fleet", "days": "30"},
                  page="/admin/accounts/admins")
    assert answer.status_code == 200, text(answer)[:2000]
    token = TOKEN.search(text(answer)).group(1)
    token_id = token.split(".")[1]
    api = console_app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    assert api.get("/v1/admin/edges", headers=bearer).status_code == 200
    assert api.get("/v1/admin/audit", headers=bearer).status_code == 403  # a fleet token reads no audit trail

    listing = text(security.get("/admin/accounts/admins", base_url=BASE))
    assert token_id in listing and "ops-bot" in listing and token.split(".")[2] not in listing

    answer = post(security, f"/admin/accounts/tokens/{token_id}/revoke", page="/admin/accounts/admins")
    assert answer.status_code == 302
    refused = api.get("/v1/admin/edges", headers=bearer)
    assert refused.status_code == 401 and "revoked" in refused.get_json()["reason"]
    assert "revoked" in text(security.get("/admin/accounts/admins", base_url=BASE))
    made = [e for e in audit_entries(console_app) if '"token create"' in e["detail"]]
    assert made and token.split(".")[2] not in made[-1]["detail"]

    answer = post(security, "/admin/accounts/tokens", {"name": "ops-bot", "role": "fleet", "days": "4000"},
                  page="/admin/accounts/admins")
    assert answer.status_code == 400 and "Days must be a whole number from 1 to 366" in text(answer)


def test_workers_are_added_with_a_team_and_listed(console_app, as_role):
    security = as_role("security")
    answer = post(security, "/admin/accounts/workers/add", {"name": "w.jones", "display_name": "Wyn Jones",
                                                            "role": "offender_manager", "team": "Cardiff probation"},
                  page="/admin/accounts/workers")
    setup_code(answer)
    assert "(worker, offender_manager)" in text(answer)
    listing = text(security.get("/admin/accounts/workers", base_url=BASE))
    assert "w.jones" in listing and "Wyn Jones" in listing and "Cardiff probation" in listing
    assert "fleet-admin" not in listing
    answer = post(security, "/admin/accounts/workers/add", {"name": "w.evans", "role": "fleet"},
                  page="/admin/accounts/workers")
    assert answer.status_code == 400 and "offender_manager" in text(answer)


def test_the_auditor_sees_the_accounts_and_the_trail_but_changes_nothing(console_app, as_role):
    auditor = as_role("auditor")
    for path in ("/admin/accounts/admins", "/admin/accounts/workers", "/admin/audit"):
        page = auditor.get(path, base_url=BASE)
        assert page.status_code == 200, path
        assert "Disable" not in text(page) and "Add and show" not in text(page)
    for path, form in (("/admin/accounts/admins/add", {"name": "mallory", "role": "security"}),
                       ("/admin/accounts/admins/fleet-admin/disable", {}),
                       ("/admin/accounts/tokens", {"name": "mallory", "role": "security", "days": "30"}),
                       ("/admin/accounts/workers/add", {"name": "mallory", "role": "team_manager"})):
        assert post(auditor, path, form, page="/admin/audit").status_code == 403, path
    with console_app.app_context(), db.proxy.connection_context():
        assert accounts.find("mallory") is None and accounts.find("fleet-admin").state == "active"


def test_the_audit_page_lists_console_actions_newest_first_filtered_and_paged(console_app, as_role):
    security = as_role("security")
    post(security, "/admin/accounts/admins/add", {"name": "gina", "role": "auditor"}, page="/admin/accounts/admins")
    auditor = as_role("auditor")
    page = text(auditor.get("/admin/audit", base_url=BASE))
    first_row = page.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert "security-admin" in first_row and "admins.manage" in first_row and "gina" in first_row
    assert "<td>console " in first_row and "add" in first_row

    with console_app.app_context(), db.proxy.connection_context():
        for n in range(60):
            trail.append(trail.Actor("bulk", "fleet", "10.0.0.9"), "edges.list", f"page-{n}")
    page = text(auditor.get("/admin/audit?actor=bulk", base_url=BASE))
    assert page.count("page-") == 50 and "page-59" in page and "page-9<" not in page
    older = re.search(r'href="([^"]+before=\d+)"', page).group(1).replace("&amp;", "&")
    page = text(auditor.get(older, base_url=BASE))
    assert page.count("page-") == 10 and "page-0<" in page and "Older entries" not in page

    page = text(auditor.get("/admin/audit?action=console.login", base_url=BASE))
    assert "console.login" in page and "admins.manage</td>" not in page
    assert auditor.get("/admin/audit?before=x", base_url=BASE).status_code == 400


def test_check_the_chain_names_an_edited_entry(console_app, as_role):
    auditor = as_role("auditor")
    page = text(auditor.get("/admin/audit/check", base_url=BASE))
    assert re.search(r"Intact: \d+ entries, last hash", page)

    victim = next(e for e in audit_entries(console_app) if e["action"] == "admins.manage" and e["outcome"] == "ok")
    seq = int(victim["seq"])
    sql(console_app, f"UPDATE audit_entry SET outcome = 'edited' WHERE seq = {seq}")  # noqa: S608 (an int)
    try:
        page = text(auditor.get("/admin/audit/check", base_url=BASE))
        assert f"Broken: entry {seq} does not hold" in page
        assert "it was changed after it was written" in page and "edited" in page
    finally:
        sql(console_app, f"UPDATE audit_entry SET outcome = 'ok' WHERE seq = {seq}")  # noqa: S608 (an int)
    assert "Intact:" in text(auditor.get("/admin/audit/check", base_url=BASE))


def test_the_downloaded_export_verifies_against_the_trail(console_app, as_role, tmp_path, capsys):
    answer = as_role("auditor").get("/admin/audit/export", base_url=BASE)
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"].startswith('attachment; filename="throughgate-hub-audit-')
    lines = [json.loads(line) for line in text(answer).splitlines()]
    assert chain.verify(lines).intact and lines[-1]["action"] == "audit.read" and lines[-1]["target"] == "export"
    kept = tmp_path / "audit.jsonl"
    kept.write_text(text(answer))

    with console_app.app_context(), db.proxy.connection_context():
        assert cmd_audit_verify(argparse.Namespace(against=str(kept)), console_app) == 0
    assert f"every entry of {kept} is there unchanged" in capsys.readouterr().out


def test_a_health_systems_token_is_made_in_the_console_and_may_only_push_summaries(console_app, as_role):
    security = as_role("security")
    assert '<option value="health"' in text(security.get("/admin/accounts/admins", base_url=BASE))
    answer = post(security, "/admin/accounts/tokens", {"name": "prison-emis", "role": "health", "days": "30"},
                  page="/admin/accounts/admins")
    assert answer.status_code == 200, text(answer)[:2000]
    bearer = {"Authorization": f"Bearer {TOKEN.search(text(answer)).group(1)}"}
    api = console_app.test_client()
    assert api.get("/v1/admin/edges", headers=bearer).status_code == 403
    pushed = api.post("/v1/health/people/P-0000-0000/summary", data=b"{}", headers=bearer,
                      content_type="application/fhir+json")
    assert (pushed.status_code, pushed.get_json()["error"]) == (422, "not_an_ips")  # let in, then checked
