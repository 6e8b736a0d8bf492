"""A hostile look at the hub's admin roles, approvals, tokens and metrics, against a real `throughgate
hub run`: what a stranger or an admin beyond their role can send, and what they get."""

from __future__ import annotations

import hashlib
import http.client
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from adminkit import admin_token, bearer
from coursekit import build_native_zip
from healthkit import sample_report
from hubkit import ADMIN_TOKEN
from hubprocess import HubProcess
from prometheus_client.parser import text_string_to_metric_families

from hub import db, keys
from hub.admins import roles
from hub.audit import trail
from hub.courses.blobs import BlobStore
from hub.courses.importer import import_package
from hub.courses.package import Limits
from hub.refusals import Refused

METRICS_TOKEN = "scrape-" + "p" * 40


@pytest.fixture
def hub(app, instance, hub_db_url, tmp_path):
    (instance / "metrics.token").write_text(METRICS_TOKEN + "\n")
    process = HubProcess(instance, hub_db_url, tmp_path / "hub.log", {"ADMIN_APPROVALS": "true"}).start()
    yield process
    process.stop()


def raw(hub, context, method: str, path: str, headers: dict | None = None, body: bytes | None = None):
    """One request exactly as given (method and path not normalised); (status, body text)."""
    connection = http.client.HTTPSConnection("127.0.0.1", hub.port, context=context, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        connection.close()


def metric_labels(hub, context, name: str) -> list[dict]:
    _status, text = raw(hub, context, "GET", "/metrics", {"Authorization": f"Bearer {METRICS_TOKEN}"})
    return [sample.labels for family in text_string_to_metric_families(text) for sample in family.samples
            if sample.name == name]


def audit_count() -> int:
    with db.proxy.connection_context():
        return sum(1 for _ in trail.entries())


def test_made_up_http_methods_do_not_grow_the_metrics(hub, connect_as):
    stranger = connect_as()
    for n in range(60):
        raw(hub, stranger, f"PROBE{n}", "/v1/admin/edges")
        raw(hub, stranger, f"X{n}", f"/no-such-route-{n}")
    counted = metric_labels(hub, stranger, "throughgate_hub_request_duration_seconds_count")
    methods = {labels["method"] for labels in counted}
    assert not any(method.startswith(("PROBE", "X")) for method in methods), sorted(methods)[:5]
    assert "other" in methods  # still counted, under one label


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


BAD_TOKENS = [
    "tga1", "tga1.", "tga1..", "tga1...", "tga1.0123456789abcdef.", "tga1..secret",
    "tga1.0123456789ABCDEF." + "A" * 43, "tga1.0123456789abcdef." + "A" * 43 + ".extra",
    "tga1.0123456789abcdef." + "A" * 42, "tga1.0123456789abcdef." + "A" * 44,
    "TGA1.0123456789abcdef." + "A" * 43, "tga1.0123456789abcdef." + "A" * 43 + "\t",
    "tga1." + "a" * 16 + "." + "A" * 40_000, "x" * 60_000, "tga1.\u0660123456789abcdef." + "A" * 43,
]


def test_malformed_and_huge_admin_tokens_are_401_and_the_hub_answers_on(hub, connect_as):
    context = connect_as()
    real = admin_token("frank", roles.SECURITY)
    _prefix, token_id, secret = real.split(".")
    variants = [*BAD_TOKENS, f"tga1.{token_id}.{secret[:-1]}", f"tga1.{token_id}.{secret}.",
                f"tga1.{token_id}..{secret}", f"tga1.{token_id.upper()}.{secret}", f"tga1.{token_id}.{secret}x"]
    for token in variants:
        status, _ = raw(hub, context, "GET", "/v1/admin/edges",
                        {"Authorization": "Bearer " + token.encode("utf-8").decode("latin-1")})
        assert status in (400, 401, 431), (token[:60], status)
    assert raw(hub, context, "GET", "/v1/admin/edges", bearer(real))[0] == 200


@pytest.mark.parametrize("method, path", [
    ("POST", "/v1/admin/edges/edge-1/revoke"), ("POST", "/v1/admin/edges/edge-1/revoke/"),
    ("POST", "//v1/admin/edges/edge-1/revoke"), ("POST", "/v1/admin//edges/edge-1/revoke"),
    ("POST", "/v1/admin/edges/edge-1%2Frevoke"), ("POST", "/v1/admin/edges/edge-1/REVOKE"),
    ("POST", "/v1/admin/keys/rotate"), ("POST", "/v1/admin/keys/rotate/"), ("POST", "/v1/admin/keys/./rotate"),
    ("POST", "/v1/admin/keys/%72otate"), ("PUT", "/v1/admin/keys/rotate"), ("POST", "/v1/admin/enrolment-tokens"),
    ("POST", "/v1/admin/approvals/1/approve"), ("POST", "/v1/admin/approvals/01/approve"),
    ("HEAD", "/v1/admin/audit"), ("GET", "/v1/admin/../admin/audit"), ("GET", "/v1/admin/audit/"),
])
def test_method_and_path_variants_never_let_a_role_past_the_table(hub, connect_as, method, path):
    """A content admin may none of these; a stranger none at all. Never a 2xx, whatever the spelling."""
    context = connect_as()
    content = bearer(admin_token("erin", roles.CONTENT))
    for headers in ({}, content):
        status, body = raw(hub, context, method, path, headers)
        assert status >= 300 and status != 500, (method, path, status, body)
    assert "Traceback" not in hub.log()


def test_refused_admin_calls_are_audited_and_unknown_tokens_are_not_counted_as_anyone(hub, connect_as):
    context = connect_as()
    auditor = bearer(admin_token("judy", roles.AUDITOR))
    before = audit_count()
    assert raw(hub, context, "POST", "/v1/admin/keys/rotate", auditor)[0] == 403
    assert raw(hub, context, "POST", "/v1/admin/edges/nobody/revoke", bearer(admin_token("gus", roles.FLEET)))[0] \
        == 404
    with db.proxy.connection_context():
        last = list(trail.entries())[-2:]
    assert audit_count() == before + 2
    assert [(e["actor"], e["outcome"]) for e in last] == [("judy", "refused: role may not"),
                                                          ("gus", "refused: unknown_edge")]


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


def test_the_metrics_token_is_the_whole_file_not_a_prefix_or_a_case_variant(hub, connect_as):
    context = connect_as()
    for token in (METRICS_TOKEN[:-1], METRICS_TOKEN + "p", METRICS_TOKEN.upper(), METRICS_TOKEN + "\t x",
                  METRICS_TOKEN[:8]):
        assert raw(hub, context, "GET", "/metrics", {"Authorization": f"Bearer {token}"})[0] == 401
    assert raw(hub, context, "GET", "/metrics", {"Authorization": f"bearer   {METRICS_TOKEN}  "})[0] == 200


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


@pytest.mark.parametrize("request_id", ["99999999999999999999", "9223372036854775808", "0", "-1", "1e3", "%31"])
def test_an_approval_id_out_of_range_is_a_plain_refusal(hub, connect_as, request_id):
    carol = bearer(admin_token("carol", roles.FLEET))
    status, body = raw(hub, connect_as(), "POST", f"/v1/admin/approvals/{request_id}/approve", carol)
    assert status in (404, 405), (status, body)
    assert "Traceback" not in hub.log()


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



@pytest.mark.parametrize("version", ["99999999999999999999", "-1", "0", "x"])
def test_a_manifest_version_out_of_range_is_a_plain_refusal(app, hub, connect_as, tmp_path, version):
    build_native_zip(tmp_path / "course.zip")
    with app.app_context():
        import_package(tmp_path / "course.zip", BlobStore.from_config(app.config),
                       app.extensions["hub_keys"].get().signing, Limits.from_config(app.config), None)
    erin = bearer(admin_token("erin", roles.CONTENT))
    status, body = raw(hub, connect_as(), "GET", f"/v1/admin/courses/intro-maths/manifest?version={version}", erin)
    assert status in (200, 400, 404), (status, body)
    assert "Traceback" not in hub.log()


@pytest.mark.parametrize("edge_id", ["a%00b", "a%0Ab", "%E2%80%AEedge", "e" * 300, "%FF%FE"])
def test_a_strange_edge_id_in_the_path_is_refused_and_audited_and_the_chain_still_verifies(hub, connect_as, edge_id):
    gus = bearer(admin_token("gus", roles.FLEET))
    before = audit_count()
    status, body = raw(hub, connect_as(), "POST", f"/v1/admin/edges/{edge_id}/revoke", gus)
    assert status in (400, 404), (status, body)
    assert audit_count() == before + (0 if "%00" in edge_id else 1)  # a NUL is refused before anyone is known
    with db.proxy.connection_context():
        assert trail.verify().intact
    assert "Traceback" not in hub.log()


@pytest.mark.parametrize("path", ["/v1/records?learner=a%00b", "/v1/admin/courses/a%00b", "/v1/admin/edges?x=%00"])
def test_a_nul_in_a_query_or_path_is_a_plain_refusal(hub, connect_as, path):
    erin = bearer(admin_token("erin", roles.CONTENT))
    status, body = raw(hub, connect_as(), "GET", path, erin)
    assert status == 400 and "NUL" in body, (status, body)
    assert "Traceback" not in hub.log()
