"""How many connections an HTTPS server (provisioning/https.py) holds, and how long one may take to
say what it wants. Each connection costs a thread and a file descriptor while it is open.

- At most `total` connections at once, and at most `per_address` from one peer address: one more
  is closed as soon as it is accepted, before its TLS handshake, so it costs no thread.
- From its accept (and, on a kept-alive connection, from the end of the previous answer) a
  connection has `head_timeout_s` to finish the TLS handshake and send its request line and
  headers, however it trickles them: the socket timeout counts from the last byte read, so a
  client sending a byte a minute held a thread for ever. A watcher thread shuts those that run
  over (their thread then ends).
- Refusals and connections cut short are counted, and logged in one line at most every LOG_EVERY_S.
- A connection that breaks (a failed handshake, a TLS error, a peer gone mid-request) is one line
  naming the peer, repeats counted rather than written (ConnectionErrorLog).

Measured against a real hub process (one client, 127.0.0.1) before these caps: 1,000 connections
trickling their headers a byte a second were all still open after 90 s; 6,000 idle ones after the
handshake held 6,002 threads and 563 MB; with 1,024 open files (systemd's default) about 1,000
idle connections took every descriptor, the accept loop spun (44 s of CPU in 100 s) and an edge's
requests timed out.
"""

from __future__ import annotations

import contextlib
import logging
import resource
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

LOG_EVERY_S = 60.0
FILES_KEPT = 64
"""File descriptors a server keeps for its own files (its database, logs, stored files) beyond its connections."""


@dataclass(frozen=True)
class Caps:
    """None: no cap. `names` are what the log calls the three settings."""

    total: int | None = None
    per_address: int | None = None
    head_timeout_s: float | None = None
    names: tuple[str, str, str] = ("the total cap", "the per-address cap", "the request head timeout")


def open_file_limit() -> int | None:
    """The most files this process may open (its soft RLIMIT_NOFILE); None when unlimited."""
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return None if soft == resource.RLIM_INFINITY else soft


def usable_total(configured: int, open_files: int) -> int:
    """The most connections a process may hold when it may open `open_files` files, keeping
    FILES_KEPT for its own: past that, accept fails and every request with it."""
    return max(1, min(configured, open_files - FILES_KEPT))


class ConnectionGuard:
    """Admits connections within the caps and shuts those whose request head is overdue."""

    def __init__(self, caps: Caps, clock: Callable[[], float] = time.monotonic):
        self.caps, self._clock = caps, clock
        self._lock = threading.Lock()
        self._per_address: Counter[str] = Counter()
        self._open: dict[socket.socket, tuple[str, float | None]] = {}
        self._cut: set[socket.socket] = set()  # shut for being late: their request is not served
        self._reserved = 0
        self._refused: Counter[str] = Counter()  # address -> connections refused since the last log line
        self._overdue = 0
        self._last_log = float("-inf")  # the first refusal is logged at once
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        self.refused_total = self.cut_total = 0

    # admission -----------------------------------------------------------------------------------
    def admit(self, address: str) -> bool:
        """Reserve a place for a connection from `address`; False (counted, logged later) if over a cap.
        An admitted connection is then `opened` (or, if wrapping it failed, `released` by address)."""
        with self._lock:
            over_total = self.caps.total is not None and len(self._open) + self._reserved >= self.caps.total
            over_address = self.caps.per_address is not None and self._per_address[address] >= self.caps.per_address
            if over_total or over_address:
                self._refused[address] += 1
                self.refused_total += 1
                return False
            self._per_address[address] += 1
            self._reserved += 1
            return True

    def opened(self, connection: socket.socket, address: str) -> None:
        with self._lock:
            self._reserved -= 1
            self._open[connection] = (address, self._deadline())

    def waiting(self, connection: socket.socket) -> None:
        """The connection waits for a request head (after answering one on a kept-alive connection)."""
        self._set(connection, self._deadline())

    def head_read(self, connection: socket.socket) -> bool:
        """The request line and headers are in: the body and the answer have the socket timeout only.
        False if the connection was shut for being late (what it sent before is not a whole request)."""
        with self._lock:
            if connection in self._cut:
                return False
        self._set(connection, None)
        return True

    def released(self, connection: socket.socket | None, address: str | None = None) -> None:
        with self._lock:
            if connection is not None and connection in self._open:
                address, _ = self._open.pop(connection)
                self._cut.discard(connection)
            elif address is not None:
                self._reserved -= 1
            else:
                return
            self._per_address[address] -= 1
            if self._per_address[address] <= 0:
                del self._per_address[address]

    def open_count(self, address: str | None = None) -> int:
        with self._lock:
            return len(self._open) if address is None else self._per_address.get(address, 0)

    def _deadline(self) -> float | None:
        return None if self.caps.head_timeout_s is None else self._clock() + self.caps.head_timeout_s

    def _set(self, connection: socket.socket, deadline: float | None) -> None:
        with self._lock:
            if connection in self._open:
                self._open[connection] = (self._open[connection][0], deadline)

    # the watcher ---------------------------------------------------------------------------------
    def overdue(self) -> list[socket.socket]:
        """Connections past their head deadline (each returned once: its deadline is cleared)."""
        now = self._clock()
        with self._lock:
            late = [conn for conn, (_, deadline) in self._open.items() if deadline is not None and deadline <= now]
            for conn in late:
                self._open[conn] = (self._open[conn][0], None)
                self._cut.add(conn)
            self._overdue += len(late)
            self.cut_total += len(late)
            return late

    def sweep(self) -> int:
        """Shut every overdue connection (its thread then reads end of file) and log now and then."""
        late = self.overdue()
        for conn in late:
            with contextlib.suppress(OSError):  # the TCP socket's shutdown: the TLS state is its thread's
                socket.socket.shutdown(conn, socket.SHUT_RDWR)
        self._maybe_log()
        return len(late)

    def start(self) -> None:
        if self._watcher is None and (self.caps.head_timeout_s is not None or self.caps.total or self.caps.per_address):
            period = min(1.0, (self.caps.head_timeout_s or 4.0) / 4)
            self._stop.clear()
            self._watcher = threading.Thread(target=self._watch, args=(period,), name="connection-guard", daemon=True)
            self._watcher.start()

    def stop(self) -> None:
        if self._watcher is not None:
            self._stop.set()
            self._watcher.join()
            self._watcher = None

    def _watch(self, period: float) -> None:
        while not self._stop.wait(period):
            self.sweep()

    def _maybe_log(self) -> None:
        with self._lock:
            if self._clock() - self._last_log < LOG_EVERY_S or not (self._refused or self._overdue):
                return
            refused, overdue, self._refused, self._overdue = self._refused, self._overdue, Counter(), 0
            self._last_log = self._clock()
        total, per_address, head = self.caps.names
        if refused:
            busiest, most = refused.most_common(1)[0]
            log.warning("refused %d connections in the last %.0f s, over %s (%s) or %s (%s); the most (%d) from %s",
                        sum(refused.values()), LOG_EVERY_S, total, self.caps.total, per_address, self.caps.per_address,
                        most, busiest)
        if overdue:
            log.warning("closed %d connections in the last %.0f s that did not send a request within %s (%s s)",
                        overdue, LOG_EVERY_S, head, self.caps.head_timeout_s)


# broken connections, logged ------------------------------------------------------------------

class ConnectionErrorLog:
    """One line per broken connection, naming the peer, with a rate limit on repeats.

    Within each window of `window_s`: the first error of a kind from an address is written; the
    same kind again from that address, and anything past `max_lines` lines, is only counted. The
    first error after a window that suppressed some first writes how many were suppressed, and from
    how many addresses."""

    def __init__(self, logger: logging.Logger, window_s: float = 60.0, max_lines: int = 20,
                 clock: Callable[[], float] = time.monotonic):
        self._log, self.window_s, self.max_lines, self._clock = logger, window_s, max_lines, clock
        self._lock = threading.Lock()
        self._start = clock()
        self._seen: set[tuple[str, str]] = set()
        self._suppressed: dict[str, int] = {}
        self.reported = 0
        """Broken connections reported since the start, written or not."""

    def report(self, address: str, kind: str, detail: object = "") -> None:
        with self._lock:
            self.reported += 1
            summary = self._roll()
            key = (address, kind)
            write = key not in self._seen and len(self._seen) < self.max_lines
            if write:
                self._seen.add(key)
            else:
                self._suppressed[address] = self._suppressed.get(address, 0) + 1
        if summary:
            self._log.warning("%s", summary)
        if write:
            self._log.warning("connection from %s: %s%s", address, kind, f" ({detail})" if detail else "")

    def _roll(self) -> str | None:
        now = self._clock()
        if now - self._start < self.window_s:
            return None
        suppressed, addresses = sum(self._suppressed.values()), len(self._suppressed)
        self._start, self._seen, self._suppressed = now, set(), {}
        if not suppressed:
            return None
        return (f"{suppressed} more broken connections from {addresses} address(es) were not logged in the "
                f"last {self.window_s:.0f} s (the same error again, or over {self.max_lines} lines)")


def reason_of(exc: BaseException) -> str:
    return str(getattr(exc, "reason", None) or getattr(exc, "strerror", None) or exc.__class__.__name__)
