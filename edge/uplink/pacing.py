"""Pacing rules for the uplink: exponential backoff and a bandwidth cap. Pure, clock passed in."""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class Backoff:
    """Delay after the n-th failure in a row: base * 2**(n-1), capped, with jitter down to half."""

    base: float = 1.0
    cap: float = 300.0
    failures: int = 0
    rng: random.Random = field(default_factory=random.Random)

    def failed(self) -> float:
        self.failures += 1
        ceiling = min(self.cap, self.base * 2 ** min(self.failures - 1, 30))
        return ceiling * self.rng.uniform(0.5, 1.0)

    def succeeded(self) -> None:
        self.failures = 0


@dataclass
class TokenBucket:
    """Bytes per second with one second of burst. rate 0 means no cap."""

    rate: float
    tokens: float = 0.0
    stamp: float | None = None

    def delay_for(self, size: int, now: float) -> float:
        """Seconds to wait before sending `size` bytes; the bytes are taken from the bucket."""
        if self.rate <= 0:
            return 0.0
        if self.stamp is None:
            self.stamp, self.tokens = now, self.rate
        self.tokens = min(self.rate, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        self.tokens -= size
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate
