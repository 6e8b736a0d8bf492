"""Helpers for the tests of one edge migration: a store at an earlier version, and one table as the
migrations left it beside the same table as its peewee model makes it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import peewee as pw

from edge import migrations
from wire import schema


def store_at(version: int, path: Path) -> sqlite3.Connection:
    """A store migrated to `version` and no further (autocommit connection)."""
    connection = sqlite3.connect(path, isolation_level=None)
    steps = tuple(m for m in migrations.migrations() if m.number <= version)
    schema.migrate(connection, schema.Schema("edge store", steps))
    return connection


def table_shape(path: Path, table: str) -> dict:
    """A table's columns, foreign keys and checks, and its indexes, from the database's own catalogue."""
    connection = sqlite3.connect(path)
    try:
        found = schema.catalogue(connection)
    finally:
        connection.close()
    return {"table": found["tables"][table],
            "indexes": {name: index for name, index in found["indexes"].items() if index["table"] == table}}


def modelled_shape(models, table: str, scratch: Path) -> dict:
    """The same for the table as the current models create it (in a scratch file)."""
    fresh = pw.SqliteDatabase(str(scratch))
    with fresh.bind_ctx(models):
        fresh.create_tables(models)
    fresh.close()
    return table_shape(scratch, table)
