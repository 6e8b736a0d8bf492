"""Processes the edge looks after but does not own (Mosquitto, hostapd): found by pid file and
checked by name, so a stale pid file never makes us signal an unrelated process."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
from pathlib import Path


def live_pid(pid_file: Path, comm: str) -> int | None:
    """The pid in `pid_file` if that process is running and is `comm` (e.g. "mosquitto"), else None."""
    try:
        pid = int(Path(pid_file).read_text())
        if Path(f"/proc/{pid}/comm").read_text().strip() == comm:
            return pid
    except (OSError, ValueError):
        pass
    return None


def sighup(pid_file: Path, comm: str) -> bool:
    """Tell a running `comm` to re-read its files. False if it is not running."""
    pid = live_pid(pid_file, comm)
    if pid is None:
        return False
    try:
        os.kill(pid, signal.SIGHUP)
    except OSError:
        return False
    return True


def started_after(pid_file: Path, comm: str, moment: float) -> bool:
    """The running `comm` was started after `moment` (a file's st_mtime, say)."""
    pid = live_pid(pid_file, comm)
    try:
        return pid is not None and os.stat(f"/proc/{pid}").st_ctime > moment
    except OSError:
        return False


def stop(proc: subprocess.Popen | None, timeout: float = 5.0) -> None:
    """Terminate a child if it still runs; kill it if it has not ended within `timeout` seconds."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def die_with_parent() -> None:  # pragma: no cover - runs in the child
    """Linux: a child process gets SIGTERM if the edge dies, even by kill -9."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
