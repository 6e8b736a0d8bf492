"""The audit trail: every admin action, through the API or the hub's command line, is appended with who,
what, when and from where, each entry carrying the SHA-256 of the one before; `throughgate hub audit
verify` finds an entry edited or removed behind the hub's back (with sqlite3 or psql)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest
from adminkit import admin_token, bearer
from hubkit import https, tls_client

from hub import cli, db
from hub.admins import roles
from hub.audit import chain, trail
from hub.server import HubServer


@pytest.fixture
def hub_process(app, instance, hub_db_url):
    """hub_process("audit", "export") -> CompletedProcess of the real `python -m hub ... --instance`."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"THROUGHGATE_HUB_DATABASE_URL": hub_db_url}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "hub", *args, "--instance", str(instance)], env=env,
                              capture_output=True, text=True, timeout=60)

    return run


@pytest.fixture
def hub_cmd(app, instance, hub_db_url, monkeypatch, capsys):
    """hub_cmd("audit", "verify") -> CompletedProcess of `throughgate hub ... --instance` run in this process
    through the hub's own parser (hub.cli.main; a process costs a second of CPU): as a process, in
    test_the_command_line_is_recorded_as_cli_and_export_prints_json_lines."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("THROUGHGATE_HUB_DATABASE_URL", hub_db_url)

    def run(*args: str) -> subprocess.CompletedProcess:
        capsys.readouterr()
        code = cli.main([*args, "--instance", str(instance)])
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(["hub", *args], code, out, err)

    return run


def sql(url: str, statement: str) -> None:
    """Change the database behind the hub's back, with the database's own command-line client."""
    if url.startswith("sqlite"):
        command = ["sqlite3", url.removeprefix("sqlite:///"), statement]
    else:
        command = ["psql", url, "-v", "ON_ERROR_STOP=1", "-c", statement]
    subprocess.run(command, check=True, capture_output=True, timeout=30)


def entries() -> list[dict]:
    with db.proxy.connection_context():
        return list(trail.entries())


def test_every_admin_call_is_recorded_with_who_what_when_and_from_where(client, edge):
    fleet, auditor = admin_token("alice", roles.FLEET), admin_token("olive", roles.AUDITOR)
    client.post("/v1/admin/edges/edge-1/revoke", headers=bearer(fleet))
    client.get("/v1/records?learner=L-1", headers=bearer(auditor))
    client.post("/v1/admin/edges/edge-1/revoke", headers=bearer(auditor))
    client.get("/v1/admin/edges", headers=bearer("not-a-token"))  # nobody: not recorded

    found = entries()
    assert [(e["seq"], e["actor"], e["role"], e["source"], e["action"], e["target"], e["outcome"]) for e in found] == [
        (1, "alice", "fleet", "127.0.0.1", "edges.revoke", "edge-1", "ok"),
        (2, "olive", "auditor", "127.0.0.1", "records.read", "", "ok"),
        (3, "olive", "auditor", "127.0.0.1", "edges.revoke", "edge-1", "refused: role may not")]
    assert json.loads(found[1]["detail"]) == {"method": "GET", "path": "/v1/records?learner=L-1"}
    assert all(e["at"].endswith("Z") for e in found) and chain.verify(found).intact


def test_the_command_line_is_recorded_as_cli_and_export_prints_json_lines(hub_process, edge):
    hub_cmd = hub_process
    assert hub_cmd("admins", "token", "create", "alice", "--role", "fleet", "--days", "7").returncode == 0
    assert hub_cmd("edges", "revoke", "edge-1").returncode == 0
    assert hub_cmd("edges", "revoke", "edge-404").returncode == 1

    exported = hub_cmd("audit", "export")
    lines = [json.loads(line) for line in exported.stdout.splitlines()]
    assert [(e["action"], e["target"], e["outcome"], e["source"]) for e in lines] == [
        ("admins.manage", "alice", "ok", "cli"), ("edges.revoke", "edge-1", "ok", "cli"),
        ("edges.revoke", "edge-404", "failed", "cli")]
    assert all(e["actor"].startswith("cli:") and e["role"] == "host" for e in lines)
    assert lines[1]["prev_sha256"] == lines[0]["sha256"]
    made = json.loads(lines[0]["detail"])
    assert made["command"] == "hub admins token create" and made["role"] == "fleet" and len(made["token_id"]) == 16


def test_the_trail_never_holds_a_token_secret(client, hub_cmd):
    token = admin_token("alice", roles.FLEET)
    made = client.post("/v1/admin/enrolment-tokens", json={"edge_id": "edge-7"}, headers=bearer(token)).get_json()
    created = hub_cmd("admins", "token", "create", "bob", "--role", "security", "--days", "1").stdout
    new_token = created.split()[-1]
    exported = hub_cmd("audit", "export").stdout
    assert made["token_id"] in exported and "bob" in exported  # what was made, for whom; never the secret
    for secret in (token, token.split(".")[2], made["token"], made["token"].split(".")[2], new_token,
                   new_token.split(".")[2]):
        assert secret not in exported


def test_audit_verify_says_how_many_entries_and_that_the_chain_is_intact(client, hub_cmd):
    token = admin_token("alice", roles.FLEET)
    for _ in range(5):
        client.get("/v1/admin/edges", headers=bearer(token))
    done = hub_cmd("audit", "verify")
    assert done.returncode == 0 and done.stdout.startswith("5 entries, chain intact")


@pytest.mark.parametrize("tamper, broken_at, says", [
    ("UPDATE audit_entry SET actor = 'someone-else' WHERE seq = 3", 3, "it was changed after it was written"),
    ("UPDATE audit_entry SET outcome = 'ok' WHERE seq = 2", 2, "it was changed after it was written"),
    ("DELETE FROM audit_entry WHERE seq = 2", 3, "an entry was removed or added"),
    ("UPDATE audit_entry SET actor = 'x', sha256 = 'f' || substr(sha256, 2) WHERE seq = 2", 2, "changed"),
])
def test_tampering_an_edited_audit_row_is_found_by_audit_verify(client, hub_cmd, hub_db_url, edge, tamper,
                                                                 broken_at, says):
    fleet, security = admin_token("alice", roles.FLEET), admin_token("bob", roles.SECURITY)
    client.get("/v1/admin/edges", headers=bearer(fleet))
    client.post("/v1/admin/keys/rotate", headers=bearer(fleet))  # refused: recorded as such
    client.post("/v1/admin/edges/edge-1/revoke", headers=bearer(security))
    client.get("/v1/admin/edges", headers=bearer(security))
    client.get("/v1/admin/audit", headers=bearer(security))
    assert hub_cmd("audit", "verify").stdout.startswith("5 entries, chain intact")

    sql(hub_db_url, tamper)

    done = hub_cmd("audit", "verify")
    assert done.returncode == 1
    assert f"audit entry {broken_at} is broken" in done.stderr and says in done.stderr


@pytest.mark.parametrize("hub_db_url", ["sqlite"], indirect=True)  # the rows are changed with psql above
def test_a_chain_rewritten_or_cut_short_is_found_against_an_earlier_export(client, hub_cmd, hub_db_url, tmp_path):
    # Whoever can write the database can also recompute every hash after an edit, or drop the last
    # entries: an export kept elsewhere shows it (docs/hub.md, "The audit trail").
    token = admin_token("alice", roles.FLEET)
    for _ in range(3):
        client.get("/v1/admin/edges", headers=bearer(token))
    kept = tmp_path / "audit-2026-12.jsonl"
    kept.write_text(hub_cmd("audit", "export").stdout)
    assert hub_cmd("audit", "verify", "--against", str(kept)).returncode == 0

    with db.proxy.connection_context():  # a forger rewrites entry 2 and every hash after it
        rewritten, previous = [], None
        for entry in trail.entries():
            fields = {k: entry[k] for k in chain.FIELDS if k not in ("seq", "prev_sha256")}
            previous = chain.seal(fields | ({"actor": "nobody"} if entry["seq"] == 2 else {}), previous)
            rewritten.append(previous)
    statement = ("UPDATE audit_entry SET actor = '{actor}', prev_sha256 = '{prev_sha256}', sha256 = '{sha256}' "
                 "WHERE seq = {seq};")
    sql(hub_db_url, "".join(statement.format(**entry) for entry in rewritten))
    assert hub_cmd("audit", "verify").returncode == 0  # the chain alone holds
    done = hub_cmd("audit", "verify", "--against", str(kept))
    assert done.returncode == 1 and f"audit entry 2 differs from {kept}" in done.stderr

    sql(hub_db_url, "DELETE FROM audit_entry WHERE seq >= 2")
    done = hub_cmd("audit", "verify", "--against", str(kept))
    assert done.returncode == 1 and f"audit entry 2 of {kept} is missing" in done.stderr


def test_the_trail_is_one_chain_when_admins_act_at_once(app, root_file):
    token = admin_token("alice", roles.FLEET)
    with HubServer(app, "127.0.0.1", 0) as server:
        context = tls_client(root_file)
        statuses = []

        def ask():
            for _ in range(5):
                statuses.append(https("GET", f"{server.url}/v1/admin/edges", context,
                                      headers={"Authorization": f"Bearer {token}"})[0])

        threads = [threading.Thread(target=ask) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert statuses == [200] * 40
    verdict = chain.verify(entries())
    assert verdict.intact and verdict.count == 40


def test_the_chain_rules_find_an_edit_a_removal_and_a_reordering():
    made, previous = [], None
    for n in range(4):
        previous = chain.seal({"at": f"2026-12-07T10:00:0{n}.000Z", "actor": "alice", "role": "fleet",
                               "source": "10.0.0.1", "action": "edges.list", "target": "", "outcome": "ok",
                               "detail": "{}"}, previous)
        made.append(previous)
    assert chain.verify(made) == chain.Verdict(4, head=made[-1]["sha256"])
    assert chain.verify([*made[:1], dict(made[1], target="edge-1"), *made[2:]]).broken_at == 2
    assert chain.verify([made[0], made[2], made[3]]).broken_at == 3
    assert chain.verify([made[1], made[0], *made[2:]]).broken_at == 2
    assert chain.verify([]).intact and chain.verify([]).count == 0


def test_the_app_has_no_way_to_change_or_remove_an_audit_entry():
    from pathlib import Path
    hub = Path(__file__).resolve().parents[2] / "hub"
    code = "".join(p.read_text() for p in hub.rglob("*.py"))
    assert "AuditEntry.update" not in code and "AuditEntry.delete" not in code
    assert "UPDATE audit_entry" not in code.upper().replace('"', "") and "DELETE FROM AUDIT_ENTRY" not in code.upper()
