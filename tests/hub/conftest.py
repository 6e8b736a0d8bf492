"""Fixtures for the hub: a real database (SQLite file, PostgreSQL), real keys, real sealed batches."""

from __future__ import annotations

import hashlib
import os
import secrets

import psycopg2
import pytest
from hubkit import ADMIN_TOKEN, FakeEdge

from hub import create_app, db, edges, keys
from wire.keys import new_signing_key, verify_key_to_pem

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
    """An instance directory holding freshly generated hub keys."""
    path = tmp_path / "hub"
    path.mkdir(mode=0o700)
    keys.generate(path / "sealing_key.pem", path / "receipt_key.pem")
    return path


@pytest.fixture
def app(instance, hub_db_url):
    app = create_app({
        "DATABASE_URL": hub_db_url,
        "ADMIN_TOKEN_SHA256": hashlib.sha256(ADMIN_TOKEN.encode()).hexdigest(),
        "MAX_BATCH_BYTES": 256 * 1024,
    }, instance_path=instance)
    db.create_tables()
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
    """make_edge(edge_id, register=True) -> FakeEdge whose verify key the hub knows."""
    def make(edge_id: str = "edge-1", register: bool = True) -> FakeEdge:
        key = new_signing_key()
        if register:
            edges.register(edge_id, verify_key_to_pem(key.public_key()))
        return FakeEdge(edge_id, key, app.extensions["hub_keys"].sealing.public_key())

    return make


@pytest.fixture
def edge(make_edge):
    return make_edge("edge-1")


