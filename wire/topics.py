"""MQTT topics. One up and one down topic per device; the device segment is the broker username.

The broker's permissions (edge/host/broker_acl.py: a role per device, which may publish to its up topic and
subscribe to its down topic only) bind the segment to the authenticated client, so a device can never speak
or listen for another.
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


def down_waiting_message(count: int) -> bytes:
    """The edge's answer to a down_ack: how many down messages for this device it still waits to hear about."""
    return json.dumps({"type": "down_waiting", "count": count}, separators=(",", ":")).encode()


# What the device sends besides records -------------------------------------------

DOWN_ACK = "down_ack"
MAX_DOWN_ACK_IDS = 100
REPLY_TYPES = frozenset({"ack", "error", "down_waiting"})  # the relay's answers; any other type is a down message


class DownAckError(ValueError):
    """A message that says it is a down_ack but is not a valid one."""


def down_ack_message(ids: list[str]) -> bytes:
    """On the up topic: the device committed these down messages (their "id"s), so the edge stops sending them.
    An empty list says "I am listening": the edge sends again, now, whatever is still unacknowledged."""
    if len(ids) > MAX_DOWN_ACK_IDS:
        raise ValueError(f"a down_ack names at most {MAX_DOWN_ACK_IDS} ids")
    return json.dumps({"type": DOWN_ACK, "ids": ids}, separators=(",", ":")).encode()


def parse_down_ack(payload: bytes) -> list[str] | None:
    """The ids of a down_ack, or None when the payload is not one (then it is a record). A payload that is a
    JSON object of type down_ack but breaks the form raises DownAckError."""
    if b'"down_ack"' not in payload:  # the cheap test first: records are the hot path
        return None
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("type") != DOWN_ACK:
        return None
    ids = data.get("ids")
    if (set(data) != {"type", "ids"} or not isinstance(ids, list) or len(ids) > MAX_DOWN_ACK_IDS
            or not all(isinstance(i, str) and 1 <= len(i) <= 64 for i in ids)):
        raise DownAckError(f'a down_ack is {{"type": "down_ack", "ids": [...]}} with at most {MAX_DOWN_ACK_IDS} '
                           "message ids (strings of 1-64 characters)")
    return ids
