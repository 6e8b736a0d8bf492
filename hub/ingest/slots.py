"""How many batches one hub process opens at once (the setting BATCHES_AT_ONCE).

Opening a batch (decrypt, inflate, read its records, check them, store them) holds its records in
memory and keeps a CPU busy; the envelope read before it (at most MAX_BATCH_BYTES) does neither. A
batch waits up to WAIT_S for a slot (honest edges arriving together go in one after another); one that
finds none free by then is not opened: the edge is answered 503 `busy` with Retry-After, keeps the
batch and sends it again later (docs/protocol.md).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

WAIT_S = 2.0
"""How long a batch waits for a slot before it is answered 503: several full batches' opening."""
RETRY_AFTER_S = 1
"""What a busy answer's Retry-After says, in seconds."""


class OpeningSlots:
    def __init__(self, most: int, wait_s: float = WAIT_S):
        self.most, self.wait_s = most, wait_s
        self._free = threading.BoundedSemaphore(most)

    @contextlib.contextmanager
    def taken(self) -> Iterator[bool]:
        """Take a slot for the block, waiting up to `wait_s` for one: yields True, or False when none came
        free (nothing is taken)."""
        got = self._free.acquire(timeout=self.wait_s)
        try:
            yield got
        finally:
            if got:
                self._free.release()


def init_app(app) -> None:
    app.extensions["batch_slots"] = OpeningSlots(app.config["BATCHES_AT_ONCE"])
