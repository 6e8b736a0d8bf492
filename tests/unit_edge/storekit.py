"""Helpers for the edge store's migration tests: the committed dumps of stores earlier releases filled,
loading one, every model, a store's catalogue, version and rows, a store at an earlier version, and one
table as the migrations left it beside the same table as its peewee model makes it."""

from __future__ import annotations

import importlib
import pkgutil
import sqlite3
import sys
from pathlib import Path

import peewee as pw

import edge
from edge import migrations, store
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


DATA = Path(__file__).resolve().parent / "data"
TODAY = DATA / "edge-store-2026-12-07.sql"  # made by data/make_edge_store_dump.py at 7b5a6cd (before versions)
BEFORE_BINDINGS = DATA / "edge-store-before-bindings.sql"  # data/make_older_dumps.py
BEFORE_TOUCHED = DATA / "edge-store-before-touched.sql"
CLI = [sys.executable, "-m", "throughgate", "edge"]
ROOT = Path(__file__).resolve().parents[2]


def every_model() -> list[type[pw.Model]]:
    """Every model of the edge store: edge.store's and each edge.*.tables / edge.*.store module's MODELS."""
    found = list(store.MODELS)
    for info in pkgutil.walk_packages(edge.__path__, "edge."):
        if info.name.rsplit(".", 1)[-1] in ("tables", "store") and info.name != "edge.store":
            found += getattr(importlib.import_module(info.name), "MODELS", ())
    return found


def load_dump(dump: Path, path: Path) -> Path:
    """The store the dump was taken from: its rows, in WAL mode as every edge store is (edge.store.PRAGMAS)."""
    with sqlite3.connect(path) as conn:
        conn.executescript(dump.read_text())
        conn.execute("PRAGMA journal_mode = wal")
    conn.close()
    return path


def catalogue_of(path: Path) -> dict:
    conn = sqlite3.connect(path)
    try:
        return schema.catalogue(conn)
    finally:
        conn.close()


def version_of(path: Path) -> int | None:
    conn = sqlite3.connect(path)
    try:
        return schema.recorded_version(schema.SqliteTarget(conn))
    finally:
        conn.close()


def every_row(path: Path) -> dict[str, dict]:
    """{table: {"columns": [...], "rows": sorted rows}} of every table but schema_version."""
    conn = sqlite3.connect(path)
    try:
        out = {}
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                                     "'sqlite_%' AND name != 'schema_version'"):
            cursor = conn.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (names from the catalogue)
            out[table] = {"columns": [d[0] for d in cursor.description],
                          "rows": sorted(cursor.fetchall(), key=repr)}
        return out
    finally:
        conn.close()


def kept(before: dict, after: dict, table: str) -> None:
    """Every row of `table` before is there after, with the same value in every column it had."""
    columns = before[table]["columns"]
    at = [after[table]["columns"].index(c) for c in columns]
    assert sorted((tuple(row[i] for i in at) for row in after[table]["rows"]), key=repr) == before[table]["rows"]
