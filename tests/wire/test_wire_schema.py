"""wire.schema: numbered migrations applied once each, in one transaction each, on SQLite (sqlite3 and
peewee) and PostgreSQL; a database newer than the code is refused and left as it was."""

from __future__ import annotations

import os
import sqlite3

import peewee
import psycopg2
import pytest

from wire import schema

PG_URLS = ("postgresql://127.0.0.1:5432/test", "postgresql://postgres@127.0.0.1:5432/test")
PG_SCHEMA = f"wire_schema_test_{os.getpid()}"  # one per test process: runs at once do not meet


def _create(db):
    db.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, text VARCHAR(200) NOT NULL)")


def _add_column(db):
    db.execute("ALTER TABLE note ADD COLUMN author VARCHAR(40)")


def _index_then_fail(db):
    db.execute("CREATE INDEX note_author ON note (author)")
    raise RuntimeError("disk full")


STEPS = (schema.Migration(1, "note", _create, "A table of notes."),
         schema.Migration(2, "note_author", _add_column, "Notes name their author."))
NOTES = schema.Schema("notes database", STEPS)


@pytest.fixture(scope="module")
def pg_url():
    for url in PG_URLS:
        try:
            conn = psycopg2.connect(url, connect_timeout=3)
        except psycopg2.OperationalError:
            continue
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE; CREATE SCHEMA {PG_SCHEMA}")
        yield url
        with conn.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")
        conn.close()
        return
    pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432")


@pytest.fixture(params=["sqlite3", "peewee-sqlite", "postgresql"])
def database(request, tmp_path):
    if request.param == "sqlite3":
        conn = sqlite3.connect(tmp_path / "notes.db")
        yield conn
        conn.close()
        return
    if request.param == "peewee-sqlite":
        db = peewee.SqliteDatabase(str(tmp_path / "notes.db"), pragmas={"journal_mode": "wal", "foreign_keys": 1})
    else:
        url = request.getfixturevalue("pg_url")
        db = peewee.PostgresqlDatabase(url.rsplit("/", 1)[1], dsn=url, options=f"-c search_path={PG_SCHEMA}")
        with db.connection_context():
            db.execute_sql("DROP TABLE IF EXISTS note, schema_version")
    yield db
    db.close()


def _rows(database, sql):
    return schema.target_for(database).execute(sql)


def test_an_empty_database_gets_every_migration_once_and_records_each(database):
    lines = []
    plan = schema.migrate(database, NOTES, lines.append)
    assert [m.label for m in plan.pending] == ["0001_note", "0002_note_author"]
    assert lines == ["notes database: applied 0001_note", "notes database: applied 0002_note_author"]
    again = schema.migrate(database, NOTES, lines.append)
    assert again.pending == () and len(lines) == 2
    target = schema.target_for(database)
    with target.session():
        assert schema.recorded_version(target) == 2
        assert [r[:2] for r in target.execute("SELECT number, name FROM schema_version ORDER BY number")] == [
            (1, "note"), (2, "note_author")]


def test_a_failing_migration_leaves_the_version_before_it_and_none_of_its_changes(database):
    schema.migrate(database, schema.Schema("notes database", STEPS[:1]))
    with pytest.raises(RuntimeError, match="disk full"):
        schema.migrate(database, schema.Schema("notes database", (*STEPS, schema.Migration(3, "x", _index_then_fail))))
    target = schema.target_for(database)
    with target.session():
        assert schema.recorded_version(target) == 2  # 0002 committed on its own; 0003 rolled back whole
        assert "author" in schema.columns(target, "note")
    assert "note_author" not in str(schema.catalogue(database))


def test_a_database_newer_than_the_code_is_refused_naming_both_versions_and_unchanged(database):
    schema.migrate(database, NOTES)
    before = schema.catalogue(database)
    with pytest.raises(schema.SchemaTooNew) as refused:
        schema.migrate(database, schema.Schema("notes database", STEPS[:1]))
    assert "schema version 2" in str(refused.value) and "version 1" in str(refused.value)
    assert "newer release" in str(refused.value)
    assert schema.catalogue(database) == before


def test_dry_run_lists_the_plan_and_writes_nothing(database):
    plan = schema.migrate(database, NOTES, dry_run=True)
    assert plan.lines() == ["notes database: schema version 0; 2 to apply, to version 2:",
                            "  0001_note: A table of notes.", "  0002_note_author: Notes name their author."]
    assert schema.catalogue(database)["tables"] == {}


def test_an_unversioned_database_is_adopted_at_the_version_its_tables_match(tmp_path):
    conn = sqlite3.connect(tmp_path / "old.db")
    conn.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, text VARCHAR(200) NOT NULL)")
    conn.execute("INSERT INTO note (text) VALUES ('kept')")
    conn.commit()
    adopting = schema.Schema("notes database", STEPS,
                             adopt=lambda db: 1 if "note" in schema.tables(db) else 0)
    plan = schema.migrate(conn, adopting)
    assert plan.adopted and plan.current == 1 and [m.number for m in plan.pending] == [2]
    assert conn.execute("SELECT text, author FROM note").fetchall() == [("kept", None)]
    assert conn.execute("SELECT number, name FROM schema_version ORDER BY number").fetchall() == [
        (1, "adopted"), (2, "note_author")]


def test_check_current_names_the_command_for_an_old_database(tmp_path):
    conn = sqlite3.connect(tmp_path / "notes.db")
    schema.migrate(conn, schema.Schema("notes database", STEPS[:1]))
    remedy = "Run `notes migrate` first."
    with pytest.raises(schema.SchemaBehind) as behind:
        schema.check_current(conn, NOTES, remedy)
    assert str(behind.value) == ("notes database is at schema version 1; this Throughgate uses version 2. "
                                 "Run `notes migrate` first. Nothing was changed.")
    schema.migrate(conn, NOTES)
    schema.check_current(conn, NOTES, remedy)


def test_a_sqlite_rebuild_does_not_cascade_deletes_to_child_rows(tmp_path):
    db = peewee.SqliteDatabase(str(tmp_path / "fk.db"), pragmas={"foreign_keys": 1})

    def parents(target):
        target.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT)")
        target.execute("CREATE TABLE child (id INTEGER PRIMARY KEY, "
                       "parent_id INTEGER NOT NULL REFERENCES parent (id) ON DELETE CASCADE)")
        target.execute("INSERT INTO parent VALUES (1, 'p')")
        target.execute("INSERT INTO child VALUES (1, 1)")

    def rebuild(target):  # how SQLite changes a column: copy, drop, rename
        target.execute("CREATE TABLE parent_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '')")
        target.execute("INSERT INTO parent_new SELECT id, name FROM parent")
        target.execute("DROP TABLE parent")
        target.execute("ALTER TABLE parent_new RENAME TO parent")

    schema.migrate(db, schema.Schema("fk", (schema.Migration(1, "a", parents), schema.Migration(2, "b", rebuild))))
    with db.connection_context():
        assert db.execute_sql("SELECT COUNT(*) FROM child").fetchone()[0] == 1
        assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1


def test_migration_modules_must_be_numbered_without_gaps(tmp_path, monkeypatch):
    package = tmp_path / "gappy_migrations"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "m0001_first.py").write_text('"""First."""\ndef up(db):\n    pass\n')
    (package / "m0003_third.py").write_text('"""Third."""\ndef up(db):\n    pass\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(schema.SchemaError, match=r"without gaps or repeats; found \[1, 3\]"):
        schema.load("gappy_migrations")
