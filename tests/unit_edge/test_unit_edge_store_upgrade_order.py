"""During an upgrade only `edge run` (and `edge migrate`) change the store's schema: the console and the
commands that write refuse a store behind this code, saying to run `edge migrate`, and leave it as it was.
Otherwise the new console, restarted first, would change the store under the old edge still relaying
(dropping the trigger that copied its progress statements)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from edge import config as edge_config
from edge import store
from edge.console.app import create_app
from wire import schema

DATA = Path(__file__).resolve().parent / "data"
OLD_STORE = DATA / "edge-store-before-bindings.sql"  # an unversioned store an earlier release filled
CLI = [sys.executable, "-m", "throughgate", "edge"]


@pytest.fixture
def old_instance(instance) -> Path:
    with sqlite3.connect(instance / "edge.db") as conn:
        conn.executescript(OLD_STORE.read_text())
    conn.close()
    yield instance
    if store.db.obj is not None and not store.db.is_closed():
        store.db.close()


def snapshot(path: Path) -> dict:
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        rows = {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608
    conn.close()
    return {"catalogue": schema.catalogue(sqlite3.connect(path)), "rows": rows}


@pytest.mark.parametrize("command", [
    ["tablets", "code", "tab-0999"],
    ["staff", "add", "tutor1", "--role", "tutor"],
    ["courses", "list"],
    ["attachments", "retry"],
])
def test_a_command_that_writes_refuses_an_old_store_and_leaves_it_as_it_was(old_instance, command):
    before = snapshot(old_instance / "edge.db")
    done = subprocess.run([*CLI, *command, "--instance", str(old_instance)], capture_output=True, text=True,
                          timeout=60, input="not-a-real-password\nnot-a-real-password\n")
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"Run `throughgate edge migrate --instance {old_instance}` first" in done.stderr
    assert "Traceback" not in done.stderr
    assert snapshot(old_instance / "edge.db") == before


def test_the_console_refuses_to_start_on_an_old_store_and_starts_once_it_is_migrated(old_instance):
    config = edge_config.load(old_instance)
    before = snapshot(old_instance / "edge.db")
    with pytest.raises(schema.SchemaBehind, match="Run `throughgate edge migrate"):
        create_app(config)
    assert snapshot(old_instance / "edge.db") == before
    store.db.close()

    migrated = subprocess.run([*CLI, "migrate", "--instance", str(old_instance)], capture_output=True, text=True,
                              timeout=60)
    assert migrated.returncode == 0, migrated.stderr
    app = create_app(config)
    assert app.test_client().get("/login").status_code == 200


def test_a_command_on_a_new_instance_creates_the_store_at_the_current_version(instance):
    done = subprocess.run([*CLI, "tablets", "code", "tab-0001", "--instance", str(instance)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    conn = sqlite3.connect(instance / "edge.db")
    assert schema.recorded_version(schema.target_for(conn)) == schema.load("edge.migrations")[-1].number
    conn.close()
