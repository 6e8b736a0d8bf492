"""Fixtures for the hub: a real database (SQLite file, PostgreSQL), real keys and root CA, edges
enrolled through the real service, real sealed batches."""

from __future__ import annotations

import hashlib
import os
import secrets

import psycopg2
import pytest
from hubkit import ADMIN_TOKEN, FakeEdge, enrol_edge, make_instance, tls_client

from hub import ca, db
from hub.app import create_app
from hub.server import HubServer
from wire.keys import new_signing_key

POSTGRES_SERVER = "127.0.0.1:5432"
POSTGRES_URLS = (f"postgresql://{POSTGRES_SERVER}/test", f"postgresql://postgres@{POSTGRES_SERVER}/test")


@pytest.fixture(scope="session")
def postgres_database():
    """A fresh database for this test session on the local PostgreSQL; dropped afterwards."""
    problems = []
    for url in POSTGRES_URLS:
        try:
            admin = psycopg2.connect(url, connect_timeout=3)
            break
        except psycopg2.OperationalError as exc:
            problems.append(str(exc).strip())
    else:
        pytest.skip(f"PostgreSQL does not answer on {POSTGRES_SERVER}: {'; '.join(problems)}")
    admin.autocommit = True
    name = f"throughgate_hub_test_{os.getpid()}_{secrets.token_hex(4)}"
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _reset_postgres(url: str) -> None:
    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    conn.close()


@pytest.fixture(params=["sqlite", "postgres"])
def hub_db_url(request, tmp_path):
    """An empty hub database: a SQLite file, or the session's PostgreSQL database, emptied."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.db'}"
    url = request.getfixturevalue("postgres_database")
    _reset_postgres(url)
    return url


@pytest.fixture
def instance(tmp_path):
    """An instance directory holding freshly generated hub keys, root CA and HTTPS certificate."""
    return make_instance(tmp_path / "hub")


@pytest.fixture
def hub_settings():
    """Settings the `app` fixture sets on top of the test defaults. The app reads them once, as a
    running hub does: a test changes them with `@pytest.mark.parametrize("hub_settings", [{...}])`."""
    return {}


@pytest.fixture
def app(instance, hub_db_url, hub_settings):
    app = create_app({
        "DATABASE_URL": hub_db_url,
        "ADMIN_TOKEN_SHA256": hashlib.sha256(ADMIN_TOKEN.encode()).hexdigest(),
        "MAX_BATCH_BYTES": 256 * 1024,
        "ADMIN_APPROVALS": False,  # one admin (the hub.toml token) acts alone; tests/hub/test_hub_approvals.py: two
        **hub_settings,
    }, instance_path=instance)
    db.migrate()  # as `throughgate hub init` and `hub run` do
    yield app
    if not db.proxy.is_closed():
        db.proxy.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def auth_headers():
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def make_edge(app):
    """make_edge(edge_id, enrol=True) -> FakeEdge enrolled through the real service (token, then
    enrolment), or (enrol=False) one the hub has never heard of, without a certificate."""
    def make(edge_id: str = "edge-1", enrol: bool = True) -> FakeEdge:
        if enrol:
            return enrol_edge(app, edge_id)
        return FakeEdge(edge_id, new_signing_key(), app.extensions["hub_keys"].get().sealing.public_key())

    return make


@pytest.fixture
def edge(make_edge):
    return make_edge("edge-1")


@pytest.fixture
def server(app):
    """The app served over HTTPS by a real HubServer on a free loopback port."""
    with HubServer(app, "127.0.0.1", 0) as running:
        yield running


@pytest.fixture
def root_file(instance):
    return ca.files(instance).root_cert


@pytest.fixture
def connect_as(tmp_path, root_file):
    """connect_as(edge) -> an SSL client context trusting the hub root and presenting that edge's
    certificate; connect_as() -> one without a client certificate."""
    made = iter(range(1000))

    def context(edge: FakeEdge | None = None):
        return tls_client(root_file, edge.tls_files(tmp_path / f"tls-{next(made)}") if edge else None)

    return context

