"""Helpers for the course cache tests: courses imported and targeted at a real hub through its
CLI's commands (run in this process, hubkit.hub_command: tests/courses/hostilekit.py runs `hub courses import`
as a process), the hub's stored copies tampered with, and the edge's sync run in this process against the
running hub (the same pipeline `throughgate edge courses sync` runs)."""

from __future__ import annotations

import http.client
import json
import sqlite3
import sys
from pathlib import Path

from edge import config as edge_config
from edge import identity, store
from edge.courses.source import HubSource
from edge.courses.sync import CourseSync
from tests.hub.hubkit import hub_command
from throughgate.stack import Stack
from wire.blobs import BlobStore
from wire.keys import HubPublicKeys

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "hub"))
import coursekit  # noqa: E402  (tests/hub/coursekit.py: real-shaped course packages)

__all__ = ["coursekit", "import_course", "open_edge_store", "run_sync", "hub_db", "hub_blob", "get", "synced_course",
           "hub_command"]


def import_course(stack: Stack, zip_path: Path, target: bool = True) -> str:
    """`hub courses import` (and `hub courses target` at the stack's edge); returns what import printed."""
    out = hub_command("courses", "import", str(zip_path), "--instance", str(stack.hub_dir))
    if target:
        course = out.split("course ", 1)[1].split()[0]
        hub_command("courses", "target", course, "--edge", stack.edge_id, "--instance", str(stack.hub_dir))
    return out


def open_edge_store(stack: Stack) -> edge_config.EdgeConfig:
    cfg = edge_config.load(stack.edge_dir)
    store.open_store(str(cfg.db_path))
    return cfg


def run_sync(stack: Stack, on_progress=None) -> tuple[CourseSync, HubSource]:
    """One sync of the stack's edge against its running hub, in this process."""
    cfg = edge_config.load(stack.edge_dir)
    key = HubPublicKeys.from_document(cfg.hub_keys_path.read_text()).receipt
    source = HubSource.for_edge(cfg)
    sync = CourseSync(source, key, BlobStore(cfg.courses_dir), on_progress)
    try:
        sync.run()
    finally:
        source.close()
    return sync, source


def synced_course(stack: Stack, folder: Path, seed: int) -> tuple[dict, dict, edge_config.EdgeConfig]:
    """A course (with a video of its own) imported, targeted and synced; two enrolled tablets (the
    second is for revoking); the edge's server certificate made. (members, devices, config)."""
    members = coursekit.build_native_zip(folder / "v1.zip", video=coursekit.noise(200_000, seed=seed))
    import_course(stack, folder / "v1.zip")
    devices = stack.add_devices(2)
    cfg = open_edge_store(stack)
    run_sync(stack)
    identity.ensure_server_cert(identity.EdgeFiles(cfg.instance), cfg.edge_id, cfg.server_name)
    return members, devices, cfg


def hub_db(stack: Stack) -> sqlite3.Connection:
    return sqlite3.connect(stack.hub_dir / "hub.db")


def hub_envelope(stack: Stack, course: str) -> dict:
    with hub_db(stack) as conn:
        (text,) = conn.execute("SELECT v.envelope FROM course_version v ORDER BY v.id DESC LIMIT 1").fetchone()
    envelope = json.loads(text)
    assert envelope["manifest"]["course"] == course
    return envelope


def set_hub_envelope(stack: Stack, envelope: dict) -> None:
    with hub_db(stack) as conn:
        conn.execute("UPDATE course_version SET envelope = ? WHERE id = (SELECT MAX(id) FROM course_version)",
                     (json.dumps(envelope),))


def hub_blob(stack: Stack, sha: str) -> Path:
    """Where the hub keeps a course file (COURSE_BLOB_DIR, default <instance>/blobs)."""
    return stack.hub_dir / "blobs" / sha[:2] / sha[2:4] / sha


def get(port: int, context, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    """One HTTPS GET to 127.0.0.1:port as a tablet (context: its TLS context); (status, headers, body)."""
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()
