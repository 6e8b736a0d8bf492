"""The database the hub opens: SQLite durable and concurrent; the same tables on PostgreSQL."""

from __future__ import annotations

import pytest

from hub import db


@pytest.mark.parametrize("hub_db_url", ["sqlite"], indirect=True)
def test_sqlite_is_opened_with_wal_and_full_sync(app):
    with db.connected():
        assert db.proxy.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.proxy.execute_sql("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert db.proxy.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1


def test_tables_and_indexes_exist(app):
    with db.connected():
        assert {"edge", "edge_certificate", "edge_key", "enrolment_token", "batch", "record"} <= set(
            db.proxy.get_tables())
        indexed = {tuple(index.columns) for index in db.proxy.get_indexes("record")}
    assert {("edge_id", "device", "seq"), ("learner",), ("kind",), ("id",)} <= indexed


def test_migrating_again_is_harmless(app):
    assert db.migrate().pending == ()
    assert db.migrate().pending == ()


@pytest.mark.parametrize(("url", "shown"), [
    ("postgresql://tg:s3cret@db/tg", "postgresql://tg:***@db/tg"),
    ("postgresql://tg@db/tg?password=s3cret", "postgresql://tg@db/tg?password=***"),
    ("postgresql://tg@db/tg?sslmode=require&password=s3cret", "postgresql://tg@db/tg?sslmode=***&password=***"),
    ("sqlite:////srv/hub/hub.db", "sqlite:////srv/hub/hub.db"),
])
def test_a_database_url_is_shown_without_any_password(url, shown):
    assert db.redact(url) == shown


def test_the_hub_database_title_in_migration_logs_and_errors_hides_a_query_password():
    db.bind("postgresql://tg@db.invalid/tg?password=s3cret")  # binding does not connect
    assert db.hub_schema().title == "hub database postgresql://tg@db.invalid/tg?password=***"
