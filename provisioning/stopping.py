"""Waiting for SIGTERM or SIGINT in a long-running process (hub run, edge run, the console, the RADIUS proxy).

Two traps, both seen in CI:
- A handler that calls threading.Event.set() can hang the process for good: the handler runs in the main
  thread, and when the signal lands while that thread holds the Event's own lock (entering or leaving
  Event.wait), set() waits for a lock that will never be released (CPython issue 126434). So the Python
  handler here takes no lock: it only notes the signal.
- The kernel hands a process's signal to any thread that does not block it, often the HTTPS server's.
  Python then runs the handler only when the main thread next runs bytecode, which it does not do while it
  sits in select(). So the wakeup is written by Python's C-level handler, on whichever thread took the
  signal, to signal.set_wakeup_fd's pipe, and wait() selects on that pipe."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import time

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class StopSignals:
    """Install once, from the main thread, before the work starts; then wait() as often as needed."""

    def __init__(self, signums=SIGNALS):
        self.received: int | None = None
        self._signums = {int(signum) for signum in signums}
        self._read, write = os.pipe()
        os.set_blocking(self._read, False)
        os.set_blocking(write, False)
        signal.set_wakeup_fd(write, warn_on_full_buffer=False)  # the C handler writes each signal's number
        for signum in signums:
            signal.signal(signum, self._handle)

    def _handle(self, signum, _frame) -> None:
        self.received = signum

    def wait(self, timeout: float | None = None) -> bool:
        """True once a stop signal has come; False when timeout seconds passed without one."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.received is None:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                break
            if select.select([self._read], [], [], left)[0]:
                self._drain()
        return self.received is not None

    def _drain(self) -> None:
        """The pipe holds one byte per signal taken, whether or not its Python handler has run yet."""
        with contextlib.suppress(BlockingIOError):
            for signum in os.read(self._read, 512):
                if signum in self._signums and self.received is None:
                    self.received = signum
