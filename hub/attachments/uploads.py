"""Unfinished uploads: the partial files edges are sending, and the room they may take.

    <ATTACHMENTS_DIR>/partial/<edge>/<sha256>

- One request at a time appends to a partial file (`held`, one lock per edge and hash). A lock
  lives only while a request holds or waits for it: before, one stayed in memory for every
  attachment ever uploaded (about 365 bytes each, 365 MB for a million).
- An edge keeps at most MAX_ATTACHMENT_UPLOADS_PER_EDGE unfinished uploads. Starting one more
  discards that edge's least recently written one: an edge forwards one attachment at a time, in
  order, so only uploads it gave up on are dropped, and it sends a dropped one again from byte 0.
  Counting and discarding happen under one lock per edge, so parallel first chunks leave exactly
  the limit. Before there was no limit and nothing expired: one edge left 100 unfinished uploads of
  4 MiB (419 MB) in 7 s, and could go on until the disk was full.
- A chunk that would leave less than ATTACHMENTS_MIN_FREE_BYTES free on the attachments' disk is
  refused with 507 `insufficient_storage`: the database on the same disk keeps room, and the edge
  keeps the file and sends it later.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path

from hub.refusals import Refused

log = logging.getLogger("hub.attachments.uploads")

WARN_EVERY_S = 60.0
"""The hub logs a full attachments disk at most this often."""


class KeyedLocks:
    """A lock per key, forgotten when no one holds or waits for it."""

    def __init__(self):
        self._guard = threading.Lock()
        self._locks: dict[Hashable, list] = {}  # key -> [lock, holders and waiters]

    @contextmanager
    def held(self, key: Hashable, blocking: bool = True) -> Iterator[bool]:
        """Hold the key's lock; with blocking=False, yields False (and holds nothing) if it is taken."""
        with self._guard:
            entry = self._locks.setdefault(key, [threading.Lock(), 0])
            entry[1] += 1
        acquired = entry[0].acquire(blocking)
        try:
            yield acquired
        finally:
            if acquired:
                entry[0].release()
            with self._guard:
                entry[1] -= 1
                if not entry[1]:
                    del self._locks[key]

    def __len__(self) -> int:
        return len(self._locks)


uploads = KeyedLocks()
"""(edge, sha256): one request at a time appends to an upload."""
_edges = KeyedLocks()
"""edge: one new upload at a time counts and discards that edge's unfinished ones."""


def held(edge_id: str, sha256: str):
    return uploads.held((edge_id, sha256))


def unfinished(folder: Path) -> list[Path]:
    """The partial files in an edge's folder, least recently written first."""
    found = []
    for path in folder.iterdir() if folder.is_dir() else ():
        try:
            found.append((path.stat().st_mtime_ns, path.name, path))
        except FileNotFoundError:  # finished or discarded meanwhile
            continue
    return [path for _mtime, _name, path in sorted(found)]


def start(partial: Path, edge_id: str, most: int) -> list[str]:
    """Create the empty partial file of a new upload (call holding `held` for it), first discarding
    the edge's least recently written unfinished uploads so that at most `most` remain with it.
    Returns the hashes discarded; Refused 429 if the others are all being written to right now."""
    folder = partial.parent
    with _edges.held(edge_id):
        others = [path for path in unfinished(folder) if path.name != partial.name]
        excess, discarded = len(others) - (most - 1), []
        for path in others:
            if excess <= 0:
                break
            with uploads.held((edge_id, path.name), blocking=False) as idle:
                if idle:
                    path.unlink(missing_ok=True)
                    discarded.append(path.name)
                    excess -= 1
        if excess > 0:
            raise Refused(429, "too_many_uploads", f"edge {edge_id} is sending {len(others)} other attachments right "
                          f"now; this hub keeps at most {most} unfinished uploads per edge "
                          "(MAX_ATTACHMENT_UPLOADS_PER_EDGE): send one attachment at a time")
        folder.mkdir(parents=True, exist_ok=True)
        partial.touch()
    for sha256 in discarded:
        log.info("unfinished upload of attachment %s from edge %s discarded: over %d unfinished uploads for "
                 "that edge (MAX_ATTACHMENT_UPLOADS_PER_EDGE)", sha256, edge_id, most)
    return discarded


_last_warning = [0.0]


def check_room(root: Path, incoming: int, reserve: int) -> None:
    """Refuse (507) `incoming` bytes that would leave less than `reserve` bytes free on root's disk."""
    if reserve <= 0:
        return
    root.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(root).free
    if free - incoming >= reserve:
        return
    now = time.monotonic()
    if now - _last_warning[0] >= WARN_EVERY_S:
        _last_warning[0] = now
        log.warning("attachments refused: %s has %d bytes free, under ATTACHMENTS_MIN_FREE_BYTES (%d); free space "
                    "or add disk there: edges keep their attachments and send them again later", root, free, reserve)
    raise Refused(507, "insufficient_storage", f"the hub's disk for attachments has {free} bytes free, and keeps "
                  f"{reserve} free (ATTACHMENTS_MIN_FREE_BYTES): keep the file and send it again later; the hub's "
                  "operator has been told to free space")
