"""Hub databases for the migration tests: load a committed dump (tests/hub/data), read every row,
compare catalogues, migrate part of the way, make the schema peewee's create_tables makes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg2

from hub import db
from wire import schema

DATA = Path(__file__).parent / "data"


def dialect(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def load_dump(url: str, name: str) -> None:
    """Load tests/hub/data/<name>.<dialect>.sql into the (empty) database, as its own tool would."""
    text = (DATA / f"{name}.{dialect(url)}.sql").read_text()
    if dialect(url) == "sqlite":
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        conn.executescript(text)
        conn.close()
        return
    # psql meta-commands (\restrict) are for psql; the SQL between them is what pg_dump saved
    text = "\n".join(line for line in text.splitlines() if not line.startswith("\\"))
    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(text)
    conn.close()


def empty(url: str) -> None:
    if dialect(url) == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
        return
    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    conn.close()


def rows(url: str) -> dict[str, list[tuple]]:
    """Every row of every table but schema_version, sorted, table by table."""
    database = db.open_database(url)
    target = schema.target_for(database)
    with target.session():
        found = {table: sorted(target.execute(f'SELECT * FROM "{table}"'), key=repr)  # noqa: S608 (catalogue)
                 for table in sorted(schema.tables(target)) if table != schema.VERSION_TABLE}
    database.close()
    return found


def catalogue(url: str) -> dict:
    database = db.open_database(url)
    found = schema.catalogue(database)
    database.close()
    return found


def recorded(url: str) -> int | None:
    database = db.open_database(url)
    target = schema.target_for(database)
    with target.session():
        version = schema.recorded_version(target)
    database.close()
    return version


def migrate(url: str, upto: int | None = None) -> list[str]:
    """Migrate the database as `hub run` does (to version `upto`, if given); the lines it logged."""
    db.bind(url)
    hub = db.hub_schema()
    lines: list[str] = []
    schema.migrate(db.proxy.obj, schema.Schema(hub.title, hub.migrations[:upto], hub.adopt), lines.append)
    db.proxy.close()
    return lines


def fresh_catalogue(url: str) -> dict:
    """The catalogue of every hub model made by peewee's create_tables (then the database is emptied)."""
    empty(url)
    db.bind(url)
    with db.proxy.connection_context():
        db.proxy.create_tables(db.all_models())
    db.proxy.close()
    made = catalogue(url)
    empty(url)
    return made


def rows_kept(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> dict[str, str]:
    """Tables whose rows did not survive a migration as they were: every row of `before` must be in
    `after` with the same values, and any column a later step added (at the end) empty. {} when all held."""
    problems = {}
    for table, old in before.items():
        new = after.get(table, [])
        width = len(old[0]) if old else 0
        if [row[:width] for row in new] != old:
            problems[table] = "rows changed"
        elif any(cell is not None for row in new for cell in row[width:]):
            problems[table] = "an added column holds values"
    return problems


def _table_of(name: str, value) -> str:
    if isinstance(value, dict) and "table" in value:  # a SQLite index
        return value["table"]
    if isinstance(value, str) and " ON " in value:  # a PostgreSQL index's definition
        return value.split(" ON ", 1)[1].split()[0].removeprefix("public.")
    return name.split(":", 1)[0]  # a table; a PostgreSQL constraint or trigger, "table:name"


def tables_part(found: dict, tables) -> dict:
    """The part of a catalogue about these tables (and no others): their columns, indexes, constraints."""
    return {section: {name: value for name, value in entries.items() if _table_of(name, value) in tables}
            for section, entries in found.items()}


def inserting(statements: tuple[str, ...]):
    """An `add_old_rows` for step_adds_tables: these statements (SQL the earlier version understands), in one
    transaction; `{true}` in them stands for the dialect's true (1 on SQLite, TRUE on PostgreSQL)."""
    def add(url: str) -> None:
        database = db.open_database(url)
        true = "1" if dialect(url) == "sqlite" else "TRUE"
        with database.atomic():
            for statement in statements:
                database.execute_sql(statement.replace("{true}", true))
        database.close()

    return add


def step_adds_tables(url: str, step, new: tuple[str, ...], add_old_rows=None,
                     changed_later: tuple[str, ...] = ()) -> dict[str, list[tuple]]:
    """Migration `step`, which adds the tables `new`, on the saved hub ("today"): brought to the version
    before it (`add_old_rows(url)` may then write what that version stores), then migrated by `step`
    alone. Checks the one line it logs, every row kept (later steps' columns empty), the new tables
    empty and made as the models make them, and the version recorded. Returns the rows from before.
    `changed_later`: new tables a later step alters (the models hold that step's columns), compared with
    the models once every step has run: the database is then left at the latest version."""
    models = fresh_catalogue(url)
    load_dump(url, "today")
    migrate(url, upto=step.number - 1)
    if add_old_rows is not None:
        add_old_rows(url)
    before = rows(url)
    assert migrate(url, upto=step.number) == [f"{db.hub_schema().title}: applied {step.label}"]
    after = rows(url)
    assert rows_kept(before, after) == {}
    assert all(after[table] == [] for table in new)
    as_made = tuple(table for table in new if table not in changed_later)
    assert tables_part(catalogue(url), as_made) == tables_part(models, as_made)
    assert set(tables_part(models, new)["tables"]) == set(new)  # the tables compared are the new ones
    assert recorded(url) == step.number
    if changed_later:
        migrate(url)
        assert tables_part(catalogue(url), changed_later) == tables_part(models, changed_later)
    return before
