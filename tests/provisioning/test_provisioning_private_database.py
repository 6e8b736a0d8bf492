"""The hub's and the edge's SQLite databases, with their -wal and -shm files, are readable by their
owner only from the moment they exist (SQLite alone made them 0644: only the 0700 folder kept other
users out, and a copy taken for a backup kept 0644). An existing database's mode is left as it is."""

from __future__ import annotations

import stat
import subprocess

from edge import store
from throughgate.stack import CLI


def _modes(folder, name: str) -> dict[str, int]:
    return {path.name: stat.S_IMODE(path.stat().st_mode) for path in folder.glob(f"{name}*")}


def test_a_new_hubs_database_is_its_owners_alone(tmp_path):
    done = subprocess.run([*CLI, "hub", "init", "--instance", str(tmp_path / "hub")], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr

    modes = _modes(tmp_path / "hub", "hub.db")
    assert "hub.db" in modes and set(modes.values()) == {0o600}, modes


def test_a_new_edge_store_and_its_journal_are_their_owners_alone(tmp_path):
    path = tmp_path / "edge.db"
    try:
        store.open_store(str(path))
        with store.writing():
            store.raise_alarm("hub_unreachable", "a write, so the -wal and -shm files exist")
        modes = _modes(tmp_path, "edge.db")
    finally:
        store.db.close()

    assert {"edge.db", "edge.db-wal", "edge.db-shm"} <= set(modes) and set(modes.values()) == {0o600}, modes


def test_an_existing_database_keeps_the_mode_it_has(tmp_path):
    path = tmp_path / "edge.db"
    path.touch(mode=0o640)
    path.chmod(0o640)
    try:
        store.open_store(str(path))
    finally:
        store.db.close()

    assert stat.S_IMODE(path.stat().st_mode) == 0o640
