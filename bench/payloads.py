"""The records every phase sends: real record JSON with the fleet's sample payloads.

The broker-only and the relay phases take the same list, so they move the same bytes.
"""

from __future__ import annotations

import random

from tablet.fleet import sample_payload
from wire.records import TABLET_KINDS, new_record

DEVICE = "bench-0000"
"""The one publisher of the broker-only and relay phases (Stack.add_devices(1, prefix="bench") names it so)."""


def sample_items(device: str, count: int, seed: int = 1) -> list[tuple[str, str, dict]]:
    """(kind, learner, payload) for `count` records, kinds drawn like Fleet.queue draws them."""
    rng = random.Random(seed)
    kinds = list(TABLET_KINDS)
    items = []
    for i in range(count):
        kind = rng.choice(kinds)
        items.append((kind, f"L-{device}", sample_payload(kind, i, f"L-{device}")))
    return items


def record_bodies(items: list[tuple[str, str, dict]]) -> list[bytes]:
    """The JSON a tablet publishes for each item (fresh ids, seq from 1), as Outbox.add_many makes it."""
    return [new_record(kind, learner, seq, payload).to_json() for seq, (kind, learner, payload) in
            enumerate(items, start=1)]
