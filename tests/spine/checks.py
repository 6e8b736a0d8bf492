"""What 'exactly once' means, checked against what the hub really stored."""

from __future__ import annotations

from collections import Counter


def delivery_report(submitted: dict[str, list[str]], hub_records: list[dict]) -> dict:
    sent = {rid for ids in submitted.values() for rid in ids}
    at_hub = Counter(r["id"] for r in hub_records)
    slots = Counter((r["device"], r["seq"]) for r in hub_records)
    return {
        "submitted": len(sent),
        "stored_at_hub": len(at_hub),
        "lost": len(sent - set(at_hub)),
        "unexpected": len(set(at_hub) - sent),
        "duplicated": sum(n - 1 for n in at_hub.values() if n > 1) + sum(n - 1 for n in slots.values() if n > 1),
    }


def assert_exactly_once(submitted: dict[str, list[str]], hub_records: list[dict]) -> None:
    report = delivery_report(submitted, hub_records)
    assert report["lost"] == 0 and report["duplicated"] == 0 and report["unexpected"] == 0, report
