"""Secret and public files on disk: private keys are 0600 from the moment they exist, and every
write is atomic (write beside, fsync, rename), so a crash never leaves half a key or certificate.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path


def write_atomic(path: str | os.PathLike, data: bytes, mode: int = 0o644) -> None:
    """Replace `path` with `data` in one rename; readers see the old file or the new one."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_private(path: str | os.PathLike, data: bytes, *, replace: bool = False) -> None:
    """A file readable by its owner only. Without replace, refuse to overwrite an existing one."""
    if not replace and Path(path).exists():
        raise FileExistsError(f"{path} already exists: keys are never overwritten; move it away first "
                              "if you mean to replace it")
    write_atomic(path, data, 0o600)


def write_private_once(path: str | os.PathLike, data: bytes) -> bool:
    """Make `path` (0600) holding `data` unless it is there; True when this call made it. It never
    replaces: of processes or threads making it at once (a key made at first use), the first to reach
    the disk wins, and every one then reads that file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.{os.urandom(4).hex()}.new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        tmp.unlink(missing_ok=True)


def private_database(path: str | os.PathLike) -> None:
    """Create an empty database file readable by its owner only, unless one is there: SQLite then
    opens it, and gives its -wal and -shm files the same mode. (Made by SQLite itself it would be
    0644: only its folder's 0700 kept it from other users, and a copy made for a backup kept 0644.)"""
    if str(path) in ("", ":memory:"):
        return
    # Already there, or its folder missing or not writable: SQLite opens it (or says what is wrong) as before.
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
