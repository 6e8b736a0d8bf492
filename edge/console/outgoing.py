"""What the console sends: staff records into the edge store (the uplink takes them to the hub in
the next batches) and down messages for the learner's tablet (edge.downlink: the edge service publishes
them until the tablet acknowledges each).

Staff records carry the device id CONSOLE_DEVICE and their own sequence numbers; their learner is
the learner they are about, so the record follows the person at the hub.
"""

from __future__ import annotations

from edge import store
from edge.downlink import messages
from wire.records import STAFF_DEVICE, Record, new_record

CONSOLE_DEVICE = STAFF_DEVICE
SEQ_KEY = "console_seq"


def add_record(kind: str, learner: str, payload: dict) -> Record:
    """A staff record (wire.records.STAFF_KINDS) into the edge store. Call inside store.writing()."""
    setting = store.Setting.get_or_none(store.Setting.key == SEQ_KEY)
    seq = int(setting.value) + 1 if setting else 1
    store.Setting.replace(key=SEQ_KEY, value=str(seq)).execute()
    record = new_record(kind, learner, seq, payload)
    body = record.to_json()
    store.insert_received([{
        "id": record.id, "device": CONSOLE_DEVICE, "seq": seq, "kind": kind, "priority": record.priority,
        "learner": learner, "created": record.created, "received": store.utcnow(), "size": len(body),
        "body": body.decode(),
    }])
    return record


def add_down(device: str | None, message: dict) -> None:
    """A down message for `device` (none: the learner has not used a tablet here yet). Call inside
    store.writing(), with the record it announces."""
    messages.add(device, message)


def feedback_message(record: Record) -> dict:
    """{"type": "feedback", "id", "learner", "submission", "assignment", "grade", "feedback", "marked"}"""
    return {"type": "feedback", "id": record.id, "learner": record.learner, **record.payload}


def award_message(record: Record) -> dict:
    """{"type": "award", "id", "learner", "badge", "rule", "awarded"}"""
    return {"type": "award", "id": record.id, "learner": record.learner, **record.payload}
