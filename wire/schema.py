"""Schema versions and numbered migrations, for every database the project owns.

A database records its version in one table, `schema_version` (one row per migration applied: number,
name, when). Migrations are modules `m<NNNN>_<what_it_changes>.py` in one package per database
(edge/migrations, hub/migrations, tablet/migrations), each with `up(db)`; `db` is a Target:

    db.dialect              "sqlite" or "postgresql"
    db.execute(sql, params) the rows it returns (a list of tuples)

Each migration runs in its own transaction, with its row in schema_version written in the same one,
so a process killed part-way leaves the version before it or the version after it, never between
(SQLite and PostgreSQL both roll back DDL). Two processes migrating at once wait for each other: on
SQLite the transaction takes the write lock first (BEGIN IMMEDIATE), on PostgreSQL an advisory lock,
and the version is read again under the lock.

On SQLite, foreign keys are switched off around a migration (a table rebuilt by copy would cascade
its deletes otherwise) and checked (PRAGMA foreign_key_check) before the commit.

A database made before versions were recorded has tables but no schema_version: the Schema's `adopt`
function reads the catalogue and says which version it matches, and that is recorded first.
"""

from __future__ import annotations

import contextlib
import importlib
import pkgutil
import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

VERSION_TABLE = "schema_version"
MODULE_NAME = re.compile(r"^m(\d{4})_([a-z0-9_]+)$")
PG_LOCK_ID = 0x7467_7363_6865  # advisory lock taken while migrating a PostgreSQL database


class SchemaError(RuntimeError):
    """A database this code cannot use as it is: the message says what to do."""


class SchemaTooNew(SchemaError):
    pass


@dataclass(frozen=True)
class Migration:
    number: int
    name: str
    up: Callable[[Target], None]
    doc: str = ""

    @property
    def label(self) -> str:
        return f"{self.number:04d}_{self.name}"


@dataclass(frozen=True)
class Schema:
    """One kind of database: what to call it in messages, its migrations, and how to adopt an
    unversioned one (adopt returns the version its tables match, or 0 for an empty database)."""

    title: str
    migrations: tuple[Migration, ...]
    adopt: Callable[[Target], int] = field(default=lambda db: 0)

    @property
    def latest(self) -> int:
        return self.migrations[-1].number if self.migrations else 0


def load(package: str) -> tuple[Migration, ...]:
    """The migrations of a package, in order; numbers must run 1, 2, 3… without a gap or a repeat."""
    module = importlib.import_module(package)
    found = []
    for info in pkgutil.iter_modules(module.__path__):
        match = MODULE_NAME.match(info.name)
        if not match:
            continue
        step = importlib.import_module(f"{package}.{info.name}")
        found.append(Migration(int(match[1]), match[2], step.up, (step.__doc__ or "").strip().split("\n")[0]))
    found.sort(key=lambda m: m.number)
    numbers = [m.number for m in found]
    if numbers != list(range(1, len(found) + 1)):
        raise SchemaError(f"{package}: migrations must be numbered 1, 2, 3… without gaps or repeats; found {numbers}")
    return tuple(found)


# Targets ---------------------------------------------------------------------------------------------

class Target:
    """A database connection the runner can migrate; subclasses adapt sqlite3 and peewee."""

    dialect = "sqlite"

    def execute(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        raise NotImplementedError

    def begin(self) -> None:
        self.execute("BEGIN IMMEDIATE" if self.dialect == "sqlite" else "BEGIN")

    def commit(self) -> None:
        self.execute("COMMIT")

    def rollback(self) -> None:
        self.execute("ROLLBACK")

    def mark(self, sql: str) -> str:
        """SQL written with ? placeholders, in this driver's style."""
        return sql if self.dialect == "sqlite" else sql.replace("?", "%s")


class SqliteTarget(Target):
    """A standard-library sqlite3 connection (the tablet's), used in autocommit mode."""

    def __init__(self, connection: sqlite3.Connection):
        self.connection = connection
        self._saved_isolation = connection.isolation_level

    def execute(self, sql, params=()):
        return self.connection.execute(sql, params).fetchall()

    @contextlib.contextmanager
    def session(self) -> Iterator[None]:
        self.connection.isolation_level = None  # explicit BEGIN/COMMIT
        try:
            yield
        finally:
            self.connection.isolation_level = self._saved_isolation


class PeeweeTarget(Target):
    """A peewee Database (the edge's SQLite store, the hub's SQLite or PostgreSQL database)."""

    def __init__(self, database):
        import peewee

        self.database = database
        self.dialect = "postgresql" if isinstance(database, peewee.PostgresqlDatabase) else "sqlite"

    def execute(self, sql, params=()):
        cursor = self.database.execute_sql(sql, tuple(params))
        return list(cursor.fetchall()) if cursor.description else []

    @contextlib.contextmanager
    def session(self) -> Iterator[None]:
        with self.database.connection_context():
            if self.dialect == "postgresql":
                connection = self.database.connection()
                saved = connection.autocommit
                connection.autocommit = True  # explicit BEGIN/COMMIT, as for SQLite
                try:
                    yield
                finally:
                    connection.autocommit = saved
            else:
                yield


def target_for(database) -> Target:
    if isinstance(database, sqlite3.Connection):
        return SqliteTarget(database)
    return PeeweeTarget(database)


# Reading where a database stands ---------------------------------------------------------------------

def tables(db: Target) -> set[str]:
    if db.dialect == "sqlite":
        rows = db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
    else:
        rows = db.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
                          "AND table_type = 'BASE TABLE'")
    return {row[0] for row in rows}


def columns(db: Target, table: str) -> set[str]:
    if db.dialect == "sqlite":
        return {row[1] for row in db.execute(f'PRAGMA table_info("{table}")')}
    rows = db.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                      "AND table_name = %s", (table,))
    return {row[0] for row in rows}


def recorded_version(db: Target) -> int | None:
    """The version recorded in the database; None when it has no version table."""
    if VERSION_TABLE not in tables(db):
        return None
    row = db.execute(f"SELECT MAX(number) FROM {VERSION_TABLE}")  # noqa: S608 (constant)
    return int(row[0][0] or 0)


@dataclass(frozen=True)
class Plan:
    title: str
    current: int
    latest: int
    pending: tuple[Migration, ...]
    adopted: bool  # the database had no version table: `current` comes from its tables

    def outcome(self, dry_run: bool) -> list[str]:
        """What a migrate command prints after the run (each applied step was already said as it happened)."""
        if dry_run or not self.pending:
            return self.lines() + (["Dry run: nothing was changed. Run again without --dry-run to apply."]
                                   if dry_run and self.pending else [])
        return [f"{self.title}: now at schema version {self.latest}"]

    def lines(self) -> list[str]:
        head = f"{self.title}: schema version {self.current}" + (" (unversioned, recognised from its tables)"
                                                                 if self.adopted else "")
        if not self.pending:
            return [f"{head}, up to date"]
        return [f"{head}; {len(self.pending)} to apply, to version {self.latest}:",
                *(f"  {m.label}: {m.doc}" if m.doc else f"  {m.label}" for m in self.pending)]


def too_new_message(title: str, found: int, known: int) -> str:
    return (f"{title} is at schema version {found}, newer than this Throughgate knows (version {known}): it "
            f"was written by a newer release. Run that release (or a later one) on it; an older one must not "
            f"write to it. Nothing was changed.")


def plan(db: Target, schema: Schema) -> Plan:
    recorded = recorded_version(db)
    current = schema.adopt(db) if recorded is None else recorded
    if current > schema.latest:
        raise SchemaTooNew(too_new_message(schema.title, current, schema.latest))
    pending = tuple(m for m in schema.migrations if m.number > current)
    return Plan(schema.title, current, schema.latest, pending, adopted=recorded is None and current > 0)


# Applying -------------------------------------------------------------------------------------------

def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _ensure_version_table(db: Target, schema: Schema) -> None:
    """Create schema_version, recording the adopted version of an unversioned database, in one transaction."""
    if VERSION_TABLE in tables(db):
        return
    db.begin()
    try:
        if db.dialect == "postgresql":  # two first starts at once: one creates it, the other waits
            db.execute("SELECT pg_advisory_xact_lock(%s)", (PG_LOCK_ID,))
        if VERSION_TABLE not in tables(db):  # another process may have made it meanwhile
            adopted = schema.adopt(db)
            db.execute(f"CREATE TABLE {VERSION_TABLE} (number INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL, "
                       "applied VARCHAR(40) NOT NULL)")
            if adopted:
                db.execute(db.mark(f"INSERT INTO {VERSION_TABLE} (number, name, applied) VALUES (?, ?, ?)"),  # noqa: S608
                           (adopted, "adopted", _now()))
        db.commit()
    except BaseException:
        db.rollback()
        raise


def _apply_one(db: Target, schema: Schema, step: Migration) -> bool:
    """Apply one migration in its own transaction, unless another process already did. True if applied."""
    db.begin()
    try:
        if db.dialect == "postgresql":
            db.execute("SELECT pg_advisory_xact_lock(%s)", (PG_LOCK_ID,))
        found = recorded_version(db) or 0
        if found >= step.number:
            db.rollback()
            return False
        if found != step.number - 1:
            raise SchemaError(f"{schema.title}: cannot apply {step.label} on version {found}")
        step.up(db)
        if db.dialect == "sqlite":
            broken = db.execute("PRAGMA foreign_key_check")
            if broken:
                raise SchemaError(f"{schema.title}: {step.label} would break foreign keys: {broken[:5]}")
        db.execute(db.mark(f"INSERT INTO {VERSION_TABLE} (number, name, applied) VALUES (?, ?, ?)"),  # noqa: S608
                   (step.number, step.name, _now()))
        db.commit()
        return True
    except BaseException:
        db.rollback()
        raise


def migrate(database, schema: Schema, say: Callable[[str], None] = lambda line: None,
            dry_run: bool = False) -> Plan:
    """Bring the database to the schema's latest version; returns the plan it followed.

    `database` is a sqlite3 connection or a peewee Database. A database newer than the code raises
    SchemaTooNew and is left as it was. `say` hears one line per step; with dry_run nothing is written."""
    db = target_for(database)
    with db.session():
        the_plan = plan(db, schema)
        if dry_run or not the_plan.pending:
            return the_plan
        foreign_keys = db.dialect == "sqlite" and db.execute("PRAGMA foreign_keys")[0][0]
        if foreign_keys:
            db.execute("PRAGMA foreign_keys = OFF")  # no effect inside a transaction: set before BEGIN
        try:
            _ensure_version_table(db, schema)
            for step in the_plan.pending:
                if _apply_one(db, schema, step):
                    say(f"{schema.title}: applied {step.label}")
        finally:
            if foreign_keys:
                db.execute("PRAGMA foreign_keys = ON")
        return the_plan


class SchemaBehind(SchemaError):
    """A database older than the code, opened by a process that must not migrate it."""


def check_current(database, schema: Schema, remedy: str) -> None:
    """For a process that must not migrate: raise SchemaBehind unless the database is at the latest version,
    its message ending with `remedy` (which command to run); a newer database raises SchemaTooNew."""
    db = target_for(database)
    with db.session():
        the_plan = plan(db, schema)
    if the_plan.pending:
        raise SchemaBehind(f"{schema.title} is at schema version {the_plan.current}; this Throughgate uses version "
                           f"{the_plan.latest}. {remedy} Nothing was changed.")


# The catalogue, to compare schemas -------------------------------------------------------------------

def _normalise_sql(sql: str | None) -> str:
    return re.sub(r"\s+", " ", (sql or "").replace('"', "").replace("`", "")).strip().lower()


def catalogue(database) -> dict:
    """The database's schema as its own catalogue describes it, as plain data that compares equal when
    two databases have the same tables, columns (type, null, default, primary key), indexes, foreign
    keys, checks and triggers. The schema_version table itself is left out."""
    db = target_for(database)
    with db.session():
        return _sqlite_catalogue(db) if db.dialect == "sqlite" else _pg_catalogue(db)


def _sqlite_catalogue(db: Target) -> dict:
    out: dict = {"tables": {}, "indexes": {}, "triggers": {}}
    for name, sql in db.execute("SELECT name, sql FROM sqlite_master WHERE type='table' "
                                "AND name NOT LIKE 'sqlite_%' ORDER BY name"):
        if name == VERSION_TABLE:
            continue
        cols = [(r[1], r[2].upper(), bool(r[3]), r[4], r[5]) for r in db.execute(f'PRAGMA table_info("{name}")')]
        fks = sorted((r[2], r[3], r[4], r[6]) for r in db.execute(f'PRAGMA foreign_key_list("{name}")'))
        checks = sorted(re.findall(r"check\s*\((.*?)\)\s*(?:,|\)$)", _normalise_sql(sql)))
        out["tables"][name] = {"columns": cols, "foreign_keys": fks, "checks": checks}
        for index in db.execute(f'PRAGMA index_list("{name}")'):
            index_name, unique, origin = index[1], bool(index[2]), index[3]
            cols_of = [r[2] for r in db.execute(f'PRAGMA index_info("{index_name}")')]
            key = index_name if origin == "c" else f"{name}:{origin}:{','.join(cols_of)}"
            out["indexes"][key] = {"table": name, "unique": unique, "columns": cols_of}
    for name, sql in db.execute("SELECT name, sql FROM sqlite_master WHERE type='trigger' ORDER BY name"):
        out["triggers"][name] = _normalise_sql(sql).replace("if not exists ", "")
    return out


def _pg_catalogue(db: Target) -> dict:
    out: dict = {"tables": {}, "indexes": {}, "constraints": {}, "triggers": {}}
    for (name,) in db.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = "
                              "current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"):
        if name == VERSION_TABLE:
            continue
        cols = db.execute("SELECT column_name, data_type, character_maximum_length, is_nullable, column_default "
                          "FROM information_schema.columns WHERE table_schema = current_schema() AND "
                          "table_name = %s ORDER BY ordinal_position", (name,))
        out["tables"][name] = {"columns": [tuple(c) for c in cols]}
    for table, index, definition in db.execute("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE "
                                               "schemaname = current_schema() ORDER BY indexname"):
        if table != VERSION_TABLE:
            out["indexes"][index] = definition
    for table, name, definition in db.execute(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = current_schema() ORDER BY 2"):
        if table != VERSION_TABLE:
            out["constraints"][f"{table}:{name}"] = definition
    for name, table, definition in db.execute(
            "SELECT t.tgname, c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON "
            "c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT t.tgisinternal AND "
            "n.nspname = current_schema() ORDER BY 1"):
        out["triggers"][f"{table}:{name}"] = definition
    return out
