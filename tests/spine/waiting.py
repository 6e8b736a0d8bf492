"""Bounded waits for the end-to-end tests, and a clock that moves only when told."""

from __future__ import annotations

import time


def wait_for(predicate, timeout: float, what: str, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def hub_has(stack, count: int, timeout: float = 90) -> list[dict]:
    def enough():
        records = stack.hub_records()
        return records if len(records) >= count else None

    return wait_for(enough, timeout, f"{count} records at the hub")


class PausedClock:
    """Time that passes only when the code under test sleeps (an uplink's backoff and pacing, without
    waiting for them): pass it as both the clock and the sleep."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
