"""A hostile look at the hub's admin roles, approvals, tokens and metrics, against a real `throughgate
hub run`: what a stranger or an admin beyond their role can send, and what they get. These tests
change what the hub holds (approvals, keys, enrolled edges) or start hubs of their own, so each gets
a fresh hub; the requests that change nothing a later one depends on share one hub per database
(test_hub_admin_probe_requests.py)."""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from adminkit import admin_token, bearer
from healthkit import sample_report
from hubkit import ADMIN_TOKEN
from hubprocess import HubProcess
from probekit import METRICS_TOKEN, raw

from hub import keys
from hub.admins import roles
from hub.refusals import Refused


@pytest.fixture
def hub(app, instance, hub_db_url, tmp_path):
    (instance / "metrics.token").write_text(METRICS_TOKEN + "\n")
    process = HubProcess(instance, hub_db_url, tmp_path / "hub.log", {"ADMIN_APPROVALS": "true"}).start()
    yield process
    process.stop()


def test_a_second_token_under_a_name_differing_only_in_case_cannot_approve_its_own_request(hub, connect_as):
    alice = bearer(admin_token("alice", roles.FLEET))
    also_alice = bearer(admin_token("Alice", roles.FLEET))  # the same person, named again by the operator
    context = connect_as()
    status, body = raw(hub, context, "POST", "/v1/admin/enrolment-tokens",
                       {**alice, "Content-Type": "application/json"}, b'{"edge_id": "edge-9"}')
    assert status == 202, body
    request_id = json.loads(body)["approval"]["id"]
    status, body = raw(hub, context, "POST", f"/v1/admin/approvals/{request_id}/approve", also_alice)
    assert status == 403 and "same_admin" in body


FORGED = "2026-12-07 09:00:00 WARNING hub.admin edge edge-2 revoked"


def test_a_report_cannot_write_a_line_of_its_own_into_the_hubs_log(hub, edge, connect_as):
    context = connect_as(edge)
    report = {**sample_report(edge.edge_id), f"x\n{FORGED}": 1}
    status, body = raw(hub, context, "POST", "/v1/edge/health", {"Content-Type": "application/json"},
                       json.dumps(report).encode())
    assert status == 400 and "bad_report" in body
    other = raw(hub, context, "POST", "/v1/edge/health", {"Content-Type": "application/json"},
                json.dumps(sample_report("edge-2")).encode())
    assert other[0] == 403 and "wrong_edge" in other[1]  # one edge never reports for another
    assert not any(line.startswith(FORGED) for line in hub.log().splitlines()), hub.log()[-800:]


@pytest.mark.parametrize("file_text", ["", "\n", "   \n"])
def test_an_empty_metrics_token_file_lets_no_one_scrape(app, instance, hub_db_url, tmp_path, connect_as, file_text):
    (instance / "metrics.token").write_text(file_text)
    process = HubProcess(instance, hub_db_url, tmp_path / "hub.log").start()
    try:
        for header in ("Bearer", "Bearer ", "Bearer  ", "bearer \t", "Basic Og==", "Bearer " + file_text.strip()):
            for method in ("GET", "HEAD"):
                assert raw(process, connect_as(), method, "/metrics", {"Authorization": header})[0] == 401
    finally:
        process.stop()


@pytest.fixture
def hub_with_old_token(app, instance, hub_db_url, tmp_path):
    """A hub that still takes the hub.toml token of earlier releases (shared by whoever had it)."""
    settings = {"ADMIN_APPROVALS": "true", "ADMIN_TOKEN_SHA256": hashlib.sha256(ADMIN_TOKEN.encode()).hexdigest()}
    process = HubProcess(instance, hub_db_url, tmp_path / "hub.log", settings).start()
    yield process
    process.stop()


def ask_for_enrolment_token(hub, context, headers) -> int:
    status, body = raw(hub, context, "POST", "/v1/admin/enrolment-tokens",
                       {**headers, "Content-Type": "application/json"}, b'{"edge_id": "edge-9"}')
    assert status == 202, body
    return json.loads(body)["approval"]["id"]


def test_the_shared_hub_toml_token_is_not_a_second_admin(hub_with_old_token, connect_as):
    """Whoever holds their own token and the old shared one would otherwise be two admins at once."""
    hub, context, old = hub_with_old_token, connect_as(), bearer(ADMIN_TOKEN)
    alice = bearer(admin_token("alice", roles.FLEET))
    mine = ask_for_enrolment_token(hub, context, alice)
    status, body = raw(hub, context, "POST", f"/v1/admin/approvals/{mine}/approve", old)
    assert status == 403 and "shared_token" in body and "throughgate hub approvals approve" in body
    theirs = ask_for_enrolment_token(hub, context, old)
    status, body = raw(hub, context, "POST", f"/v1/admin/approvals/{theirs}/approve", alice)
    assert status == 403 and "shared_token" in body
    carol = bearer(admin_token("carol", roles.FLEET))
    assert raw(hub, context, "POST", f"/v1/admin/approvals/{mine}/approve", carol)[0] == 200  # two named admins


def test_two_admins_approving_at_once_rotate_the_keys_once(app, hub, connect_as):
    context = connect_as()
    bob = bearer(admin_token("bob", roles.SECURITY))
    status, body = raw(hub, context, "POST", "/v1/admin/keys/rotate", bob)
    assert status == 202, body
    request_id = json.loads(body)["approval"]["id"]
    deciders = [bearer(admin_token(f"sec-{n}", roles.SECURITY)) for n in range(8)]
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda h: raw(hub, connect_as(), "POST", f"/v1/admin/approvals/{request_id}/approve",
                                              h), deciders))
    assert sorted(status for status, _ in answers) == [200] + [409] * 7, answers
    ring = keys.keyring_dir(app.config["SEALING_KEY_FILE"])
    assert len(list(ring.glob("*.pem"))) == 1  # one old key kept: one rotation


@pytest.mark.parametrize("name", ["\u0430lice", "al\u00edce", "alice ", " alice", "alice\n", "ali ce", "alice\u200b",
                                  "ＡLICE", "CLI-root", "Hub.toml2"])
def test_no_token_can_be_made_for_a_look_alike_or_spaced_name(app, name):
    with pytest.raises(Refused):
        admin_token(name, roles.FLEET)
