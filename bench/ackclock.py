"""Submit-to-ack latency per record, measured on the tablet side.

TabletClient calls `on_ack(ids, monotonic_time)` once the edge's ack is applied to its outbox,
but has no hook for when a record is sent. `watch()` wraps the client's paho `publish` to note
the first time each record id goes out, so latency = first publish -> ack applied on the tablet.
(CLOCK_MONOTONIC is one clock for every process on the machine, so times from several worker
processes can be compared.)
"""

from __future__ import annotations

import math
import threading
import time

from tablet.client import TabletClient

_ID_KEY = b'"id":"'


def record_id(body: bytes) -> str:
    start = body.find(_ID_KEY) + len(_ID_KEY)
    return body[start:start + 36].decode("ascii", "replace")


class AckClock:
    def __init__(self):
        self._lock = threading.Lock()
        self._first_sent: dict[str, float] = {}
        self.latencies: list[float] = []  # seconds, one per record acked
        self.published = 0  # MQTT publishes, resends included
        self.first_publish: float | None = None
        self.last_ack: float | None = None

    @property
    def acked(self) -> int:
        return len(self.latencies)

    def watch(self, tablet: TabletClient) -> None:
        publish = tablet.client.publish

        def timed_publish(topic, payload=None, qos=0, retain=False, properties=None):
            now = time.monotonic()
            with self._lock:
                self._first_sent.setdefault(record_id(payload), now)
                self.published += 1
                if self.first_publish is None:
                    self.first_publish = now
            return publish(topic, payload, qos, retain, properties)

        tablet.client.publish = timed_publish

    def on_ack(self, ids: list[str], now: float) -> None:
        with self._lock:
            for rid in ids:
                sent = self._first_sent.pop(rid, None)
                if sent is not None:  # a repeated ack for a record already counted is ignored
                    self.latencies.append(now - sent)
                    self.last_ack = now


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = min(len(ordered), max(1, math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]
