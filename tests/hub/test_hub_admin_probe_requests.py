"""Hostile requests to the hub's admin API, metrics and read API, against a real `throughgate hub
run`: made-up methods, path and token spellings, out-of-range ids, strange edge ids and NULs. None of
them changes what a later one depends on, so the tests of this file share one hub per database (one
instance, one database, one process; the in-process `app` of each test points at the same ones):
a refusal, an audit entry or a traceback from any of them is seen by the next. The probes that change
the hub's state or start hubs of their own are in test_hub_admin_probe.py."""

from __future__ import annotations

import psycopg2
import pytest
from adminkit import admin_token, bearer
from coursekit import build_native_zip
from hubkit import make_instance
from hubprocess import HubProcess
from probekit import METRICS_TOKEN, raw
from prometheus_client.parser import text_string_to_metric_families

from hub import db
from hub.admins import roles
from hub.audit import trail
from hub.courses.blobs import BlobStore
from hub.courses.importer import import_package
from hub.courses.package import Limits


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def hub_db_url(request, tmp_path_factory):
    """One empty database for the whole file (conftest's is one per test): a SQLite file, or the
    session's PostgreSQL database, emptied."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('probe-db') / 'hub.db'}"
    url = request.getfixturevalue("postgres_database")
    empty_postgres(url)
    return url


def empty_postgres(url: str) -> None:
    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    conn.close()


@pytest.fixture(scope="module")
def instance(hub_db_url, tmp_path_factory):
    """One hub instance (keys, root CA, HTTPS certificate) per database, for the whole file."""
    return make_instance(tmp_path_factory.mktemp("probe") / "hub")


@pytest.fixture(scope="module")
def hub(instance, hub_db_url, tmp_path_factory):
    """`throughgate hub run` on the file's instance and database (it migrates the database as it
    starts), two-admin approvals on, a metrics token: started once per database."""
    (instance / "metrics.token").write_text(METRICS_TOKEN + "\n")
    log = tmp_path_factory.mktemp("probe-log") / "hub.log"
    process = HubProcess(instance, hub_db_url, log, {"ADMIN_APPROVALS": "true"}).start()
    yield process
    process.stop()


@pytest.fixture(autouse=True)
def bound_app(app):
    """Each test's in-process app (conftest's `app`) on the file's instance and database, as each
    test had with a hub of its own: admin tokens are made and the audit trail read through it."""
    return app


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


def test_the_metrics_token_is_the_whole_file_not_a_prefix_or_a_case_variant(hub, connect_as):
    context = connect_as()
    for token in (METRICS_TOKEN[:-1], METRICS_TOKEN + "p", METRICS_TOKEN.upper(), METRICS_TOKEN + "\t x",
                  METRICS_TOKEN[:8]):
        assert raw(hub, context, "GET", "/metrics", {"Authorization": f"Bearer {token}"})[0] == 401
    assert raw(hub, context, "GET", "/metrics", {"Authorization": f"bearer   {METRICS_TOKEN}  "})[0] == 200


@pytest.mark.parametrize("request_id", ["99999999999999999999", "9223372036854775808", "0", "-1", "1e3", "%31"])
def test_an_approval_id_out_of_range_is_a_plain_refusal(hub, connect_as, request_id):
    carol = bearer(admin_token("carol", roles.FLEET))
    status, body = raw(hub, connect_as(), "POST", f"/v1/admin/approvals/{request_id}/approve", carol)
    assert status in (404, 405), (status, body)
    assert "Traceback" not in hub.log()


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
