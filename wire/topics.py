"""MQTT topics. One up and one down topic per device; the device segment is the broker username.

The broker ACL (`pattern write throughgate/v1/%u/up`, `pattern read throughgate/v1/%u/down`)
binds the segment to the authenticated client, so a device can never speak for another.
"""

from __future__ import annotations

import json

PREFIX = "throughgate/v1"
UP_FILTER = f"{PREFIX}/+/up"


def up(device: str) -> str:
    return f"{PREFIX}/{device}/up"


def down(device: str) -> str:
    return f"{PREFIX}/{device}/down"


def device_of(topic: str) -> str | None:
    parts = topic.split("/")
    if len(parts) == 4 and f"{parts[0]}/{parts[1]}" == PREFIX and parts[3] == "up":
        return parts[2]
    return None


# Down messages -------------------------------------------------------------

def ack_message(ids: list[str]) -> bytes:
    """Committed: the device may forget these records."""
    return json.dumps({"type": "ack", "ids": ids}, separators=(",", ":")).encode()


def error_message(code: str, reason: str, record_id: str | None, retry_after: float | None = None) -> bytes:
    """Refused. With retry_after the device keeps the record and tries again later (e.g. quota)."""
    body = {"type": "error", "id": record_id, "code": code, "reason": reason}
    if retry_after is not None:
        body["retry_after"] = retry_after
    return json.dumps(body, separators=(",", ":")).encode()
