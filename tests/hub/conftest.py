"""Fixtures for the hub: a real database (SQLite file, PostgreSQL), real keys and root CA, edges
enrolled through the real service, real sealed batches."""

from __future__ import annotations

import hashlib
import os
import secrets

import psycopg2
import psycopg2.errors
import pytest
from hubkit import ADMIN_TOKEN, FakeEdge, enrol_edge, make_instance, tls_client

from hub import ca, cli, db
from hub.app import create_app
from hub.server import HubServer
from wire import schema
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


ASIDE = "tg_aside"
"""The schema the last test left, set aside when its database was emptied (instead of dropped)."""
_MIGRATED: dict[str, str] = {}
"""database URL -> the fingerprint of the schema db.migrate() makes there (once migrated in this session)."""

SCHEMA_FINGERPRINT = """SELECT md5(coalesce(string_agg(x, E'\\n' ORDER BY x), '')) FROM (
    SELECT 'relation ' || relname || ' ' || relkind::text FROM pg_class WHERE relnamespace = 'public'::regnamespace
    UNION ALL SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' '
        || coalesce(column_default, '') || ' ' || coalesce(character_maximum_length, 0)
        FROM information_schema.columns WHERE table_schema = 'public'
    UNION ALL SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
    UNION ALL SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
        FROM pg_constraint WHERE connamespace = 'public'::regnamespace
    UNION ALL SELECT 'trigger ' || pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace
    UNION ALL SELECT 'function ' || oid::regprocedure || ' ' || md5(prosrc) FROM pg_proc
        WHERE pronamespace = 'public'::regnamespace
    UNION ALL SELECT 'sequence ' || sequencename || ' ' || start_value || ' ' || increment_by || ' ' || max_value
        FROM pg_sequences WHERE schemaname = 'public'
    UNION ALL SELECT 'version ' || number || ' ' || name FROM public.schema_version
) found(x)"""


def _reset_postgres(url: str) -> None:
    """Empty the public schema. The old one is renamed aside, not dropped (dropping and migrating again
    cost 0.15 s a test): `app` takes it back if it is exactly what db.migrate() makes (_migrated_again)."""
    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {ASIDE} CASCADE; ALTER SCHEMA public RENAME TO {ASIDE}; "
                       "CREATE SCHEMA public")
    conn.close()


def _fingerprint(cursor) -> str | None:
    cursor.execute("SELECT to_regclass('public.schema_version')")
    if cursor.fetchone()[0] is None:
        return None
    cursor.execute(SCHEMA_FINGERPRINT)
    return cursor.fetchone()[0]


def _migrated_again(url: str) -> bool:
    """What db.migrate() makes from an empty database, without running the migrations again: if the public
    schema is still empty and the schema set aside has exactly the tables, columns, indexes, constraints,
    triggers, functions, sequences and versions that migrating made here before, it comes back as public
    with every row deleted (but schema_version's) and every sequence at its start. Else nothing changes
    (False), and db.migrate() builds the schema as before."""
    known = _MIGRATED.get(url)
    if known is None:
        return False
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cursor:  # one transaction: a schema that differs is rolled back, still aside
            cursor.execute("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")
            public_relations = cursor.fetchone()[0]
            cursor.execute("SELECT to_regnamespace(%s)", (ASIDE,))
            if public_relations or cursor.fetchone()[0] is None:
                conn.rollback()
                return False
            cursor.execute(f"DROP SCHEMA public; ALTER SCHEMA {ASIDE} RENAME TO public")
            if _fingerprint(cursor) != known:
                conn.rollback()
                return False
            cursor.execute("SET LOCAL session_replication_role = replica")  # no foreign key or trigger runs
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> %s",
                           (schema.VERSION_TABLE,))
            for (table,) in cursor.fetchall():
                cursor.execute(f'DELETE FROM public."{table}"')  # noqa: S608 (names from the catalogue)
            cursor.execute("SELECT sequencename, start_value FROM pg_sequences WHERE schemaname = 'public'")
            for sequence, start in cursor.fetchall():
                cursor.execute("SELECT setval(%s, %s, false)", (f'public."{sequence}"', start))
        conn.commit()
        return True
    except psycopg2.errors.InsufficientPrivilege:  # session_replication_role needs a superuser
        conn.rollback()
        return False
    finally:
        conn.close()


def _public_is_empty(url: str) -> bool:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")
            return cursor.fetchone()[0] == 0
    finally:
        conn.close()


def _remember_migrated(url: str) -> None:
    """Keep the fingerprint of the schema db.migrate() just made from an empty database."""
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> %s",
                           (schema.VERSION_TABLE,))
            for (table,) in cursor.fetchall():
                cursor.execute(f'SELECT 1 FROM public."{table}" LIMIT 1')  # noqa: S608 (names from the catalogue)
                if cursor.fetchone():  # a migration that writes rows: deleting them would not be a fresh database
                    _MIGRATED.pop(url, None)
                    return
            _MIGRATED[url] = _fingerprint(cursor)
    finally:
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
    postgres = hub_db_url.startswith("postgres")
    from_empty = postgres and not _migrated_again(hub_db_url) and _public_is_empty(hub_db_url)
    db.migrate()  # as `throughgate hub init` and `hub run` do (with the schema taken back: nothing to apply)
    if from_empty:
        _remember_migrated(hub_db_url)
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


@pytest.fixture
def hub_cli_fresh(tmp_path, monkeypatch, capsys):
    """hub_cli_fresh("people", "add") -> (exit code, stdout, stderr) of `throughgate hub ... --instance`, run
    in-process through the hub's own parser on a fresh instance (`hub init`, its output read and dropped)
    with a SQLite database; `.instance` is its folder, `.url` its database, `.app()` an app on them."""
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("THROUGHGATE_HUB_DATABASE_URL", url)
    instance = tmp_path / "hub"
    assert cli.main(["init", "--instance", str(instance)]) == 0
    capsys.readouterr()

    def run(*args: str) -> tuple[int, str, str]:
        code = cli.main([*args, "--instance", str(instance)])
        out, err = capsys.readouterr()
        return code, out, err

    run.instance, run.url = instance, url
    run.app = lambda: create_app({"DATABASE_URL": url}, instance_path=instance)
    return run
