"""Intake rules: which arrived messages become records, which are acked again, which are refused.

Pure: the relay passes in what it knows (ids already stored, each device's highest sequence
number, room left in the outbox) and gets back rows to commit and replies to send.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from wire import topics
from wire.learning import AttachmentRef
from wire.record_rules import check_tablet_record
from wire.records import RecordError, check_sequence, parse_record, valid_device_id


@dataclass(frozen=True, slots=True)
class Arrived:
    """One MQTT message handed over by paho's network thread."""

    topic: str
    payload: bytes
    mid: int
    qos: int


@dataclass(frozen=True, slots=True)
class Refusal:
    device: str
    record_id: str | None
    code: str
    reason: str
    retry_after: float | None = None


@dataclass
class Triage:
    rows: list[dict] = field(default_factory=list)  # new records to commit
    acks: dict[str, list[str]] = field(default_factory=dict)  # device -> ids to acknowledge after commit
    refusals: list[Refusal] = field(default_factory=list)
    bytes_added: int = 0
    quota_refused: int = 0
    attachment_uses: list[tuple[str, str]] = field(default_factory=list)  # (submission id, attachment id) to commit

    def ack(self, device: str, record_id: str) -> None:
        self.acks.setdefault(device, []).append(record_id)


def candidate_ids(messages: list[Arrived]) -> list[str]:
    """Ids worth looking up in the store before triage (cheap, no validation)."""
    ids = []
    for message in messages:
        start = message.payload.find(b'"id":"')
        if start >= 0:
            ids.append(message.payload[start + 6:start + 42].decode("ascii", "replace"))
    return ids


AttachmentCheck = Callable[[str, str, tuple[AttachmentRef, ...]], None]
"""check(device, record id, attachments): raises RecordError unless the edge holds them all, complete."""


def triage(messages: list[Arrived], *, known: set[str], highest: dict[str, int], room: int,
           received: str, quota_retry_s: float, attachments: AttachmentCheck | None = None,
           bound: dict[str, str] | None = None) -> Triage:
    """Decide the fate of each message. `highest` is updated for records accepted here. Each new record meets
    the rules the tablet checks before storing it (wire.record_rules); a submission's attachments are checked
    with `attachments`. `bound`: device -> the learner it is bound to (edge.intake.bindings); such a device's
    records name that learner."""
    out = Triage()
    seen_here: set[str] = set()
    for message in messages:
        device = topics.device_of(message.topic)
        if device is None or not valid_device_id(device):
            continue  # the ACL makes this impossible; nothing to answer to
        try:
            record = parse_record(message.payload)
            check_learner(device, record, (bound or {}).get(device))
            if record.id in known or record.id in seen_here:
                out.ack(device, record.id)  # already committed: ack again, store once
                continue
            refs = check_tablet_record(record)  # the rules the tablet checked too (wire.record_rules)
            check_sequence(record.seq, highest.get(device, 0), record.id)
            if refs and attachments is None:
                raise RecordError("attachment_missing", "this edge holds no attachments", record.id)
            if refs:
                attachments(device, record.id, refs)
        except RecordError as err:
            out.refusals.append(Refusal(device, err.record_id, err.code, err.reason, err.retry_after))
            continue
        size = len(message.payload)
        if out.bytes_added + size > room:
            out.quota_refused += 1
            out.refusals.append(Refusal(device, record.id, "quota_exceeded",
                                        "the edge's outbox is full until the hub link catches up; "
                                        "keep the record and send it again later", quota_retry_s))
            continue
        seen_here.add(record.id)
        out.bytes_added += size
        highest[device] = max(highest.get(device, 0), record.seq)
        out.rows.append({
            "id": record.id, "device": device, "seq": record.seq, "kind": record.kind,
            "priority": record.priority, "learner": record.learner, "created": record.created,
            "received": received, "size": size, "body": message.payload.decode(),
        })
        out.attachment_uses += [(record.id, ref.id) for ref in refs]
        out.ack(device, record.id)
    return out


def check_learner(device: str, record, learner: str | None) -> None:
    """A tablet bound to a learner sends only as that learner (an unbound one: as anyone)."""
    if learner is not None and record.learner != learner:
        raise RecordError("learner_mismatch", f"tablet {device} is bound to learner {learner}, but this record "
                          f"names learner {record.learner}: it is refused. Record it as {learner}, or ask staff "
                          "to bind the tablet to its learner", record.id)
