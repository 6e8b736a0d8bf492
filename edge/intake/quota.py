"""The outbox's disk quota: bytes held for the hub (unsealed records + undelivered batches)."""

from __future__ import annotations

import threading
from collections.abc import Callable


class Quota:
    def __init__(self, limit: int, measure: Callable[[], int]):
        self.limit = limit
        self._measure = measure
        self._lock = threading.Lock()
        self._used = 0

    def refresh(self) -> int:
        """Re-measure from the store (after sealing or delivery frees or moves space)."""
        used = self._measure()
        with self._lock:
            self._used = used
        return used

    def room(self) -> int:
        with self._lock:
            return max(0, self.limit - self._used)

    def add(self, size: int) -> None:
        with self._lock:
            self._used += size

    @property
    def used(self) -> int:
        with self._lock:
            return self._used
