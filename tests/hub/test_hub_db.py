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
