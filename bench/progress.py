"""Progress lines on stderr (stdout is kept for the table and the JSON line), and CPU time per process."""

from __future__ import annotations

import os
import sys
import time

_STARTED = time.monotonic()
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def say(phase: str, text: str) -> None:
    print(f"[bench {time.monotonic() - _STARTED:6.1f}s] {phase}: {text}", file=sys.stderr, flush=True)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a running process has used so far (Linux /proc)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS  # utime, stime: fields 14 and 15 of stat
