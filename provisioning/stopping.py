"""Waiting for SIGTERM or SIGINT in a long-running process (hub run, edge run, the console, the RADIUS proxy).

A handler that calls threading.Event.set() can hang the process for good: the handler runs in the main
thread, and when the signal lands while that thread holds the Event's own lock (entering or leaving
Event.wait), set() waits for a lock that will never be released (CPython issue 126434). So the handler
here takes no lock: it only writes a byte to a pipe, and wait() selects on that pipe."""

from __future__ import annotations

import contextlib
import os
import select
import signal

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class StopSignals:
    """Install once, from the main thread, before the work starts; then wait() as often as needed."""

    def __init__(self, signums=SIGNALS):
        self.received: int | None = None
        self._read, self._write = os.pipe()
        os.set_blocking(self._write, False)
        for signum in signums:
            signal.signal(signum, self._handle)

    def _handle(self, signum, _frame) -> None:
        self.received = signum
        with contextlib.suppress(BlockingIOError):  # the pipe is full of earlier signals: one is enough
            os.write(self._write, b"\0")

    def wait(self, timeout: float | None = None) -> bool:
        """True once a stop signal has come; False when timeout seconds passed without one."""
        if self.received is None:
            select.select([self._read], [], [], timeout)  # a signal meanwhile runs _handle, then wakes this
        return self.received is not None
