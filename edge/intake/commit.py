"""The intake's commit: what arrived from tablets, triaged, committed, then answered; one path for every way in.

Tablets' records and down_acks reach the edge two ways, and both go through `Intake.take`:

    MQTT    Mosquitto -> the relay (edge.intake.relay): its worker takes a batch, then PUBACKs it and publishes
            the answers on each device's down topic
    HTTPS   the tablet API's record routes (edge.tablets.records_api), for the app on a managed tablet: a batch
            from one device's client certificate, answered in the HTTP response

`take` holds one lock from the store look-ups to the commit, so the two never triage against each other's
half-done work: the device's highest seq, the ids already stored and the quota stay one story, and a record
sent both ways at once is stored once and acknowledged on each. Answers (acks, refusals, down_waiting) are
only worked out here; each way in delivers them. An ack is in `Taken.result.acks` only once its record
committed (or had committed before): a commit that fails raises, and nothing of the batch is acknowledged.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from edge import store
from edge.attachments import store as attachments_store
from edge.config import EdgeConfig
from edge.downlink import messages as down_messages
from edge.intake import bindings, observers
from edge.intake import rules as intake
from edge.intake.quota import Quota
from edge.metrics import EdgeMetrics
from wire import topics
from wire.records import timestamp

log = logging.getLogger(__name__)


@dataclass
class Taken:
    """What one batch came to: the triage (rows committed, acks, refusals), each device's down_acks (in order),
    and how many down messages each device that sent down_acks still waits for."""

    result: intake.Triage
    down_acks: dict[str, list[list[str]]] = field(default_factory=dict)
    waiting: dict[str, int] = field(default_factory=dict)
    down_changed: int = 0  # down_message rows the down_acks changed: then call Intake.answered after answering


class Intake:
    def __init__(self, config: EdgeConfig, quota: Quota, observing: Sequence[observers.Observer] = (),
                 on_down: Callable[[], None] | None = None, metrics: EdgeMetrics | None = None):
        """observing: what keeps its own copy of committed records, in the same transaction (observers.py).
        on_down: called after a tablet's down_acks were committed (the down-message publisher's wake).
        metrics: where commits, their time and refusals are counted (edge/metrics.py)."""
        self.config = config
        self.quota = quota
        self.observers = tuple(observing)
        self.on_down = on_down
        self.metrics = metrics or EdgeMetrics()
        self.highest: dict[str, int] = {}
        self.committed = 0
        self._lock = threading.Lock()

    def load(self) -> Intake:
        """Each device's highest committed seq, from the store (before the first batch)."""
        with self._lock:
            self.highest = store.highest_seqs()
        return self

    def answered(self, taken: Taken) -> None:
        """After the answers to `taken` went out: wake the down-message publisher if its down_acks changed what
        is due (after, so a tablet hears its down_waiting before the messages a "listening" made due)."""
        if taken.down_changed and self.on_down is not None:
            self.on_down()

    def _check_attachments(self, device: str, record_id: str, refs) -> None:
        attachments_store.check_held(device, record_id, refs, self.config.attachments.missing_retry_s)

    def take(self, batch: list[intake.Arrived]) -> Taken:
        """Triage and commit one batch (records and down_acks of any devices). Raises when the commit fails:
        then nothing of it is stored or acknowledged, and the sender sends it again."""
        with self._lock:
            taken = self._take(batch)
        for refusal in taken.result.refusals:
            self.metrics.records_refused.labels(refusal.code).inc()
            if refusal.code != "quota_exceeded":
                log.warning("refused a record from %s: %s (%s)", refusal.device, refusal.code, refusal.reason)
        return taken

    def _take(self, batch: list[intake.Arrived]) -> Taken:
        records, down_acks, bad_acks = split_down_acks(batch)
        known = store.known_ids(intake.candidate_ids(records))
        bound = bindings.bound_learners(filter(None, (topics.device_of(message.topic) for message in records)))
        result = intake.triage(records, known=known, highest=dict(self.highest), room=self.quota.room(),
                               received=store.utcnow(), quota_retry_s=self.config.relay.quota_retry_s,
                               attachments=self._check_attachments, bound=bound)
        result.refusals += bad_acks
        waiting: dict[str, int] = {}
        down_changed = 0
        now, quiet_s = timestamp(), self.config.relay.down_listen_quiet_s
        acks_change = bool(down_acks) and down_messages.changes(down_acks, now, quiet_s)
        if result.rows or acks_change:
            # what the observers keep (the store drops the body once sealed), read before the write lock is taken
            prepared = observers.prepare_all(self.observers, result.rows) if result.rows else []
            started = time.perf_counter()
            with store.writing():
                if result.rows:
                    observers.write_all(result.rows, prepared, result.attachment_uses)
                if down_acks:
                    waiting, down_changed = down_messages.apply_acks(down_acks, now, quiet_s)
            self.metrics.committed(len(result.rows), time.perf_counter() - started)
            self.quota.add(result.bytes_added)
            self.committed += len(result.rows)
        elif down_acks:  # nothing to change: answer from a read
            waiting = {device: down_messages.waiting(device) for device in down_acks}
        for row in result.rows:  # committed: from now on the device's highest
            self.highest[row["device"]] = max(self.highest.get(row["device"], 0), row["seq"])
        if result.quota_refused and store.raise_alarm(
                "quota_reached", f"outbox reached its quota of {self.quota.limit} bytes; tablets are "
                "told to wait. Check the hub link (throughgate edge status)."):
            log.error("outbox quota reached (%d bytes): refusing new records until delivery frees space",
                      self.quota.limit)
        return Taken(result, down_acks, waiting, down_changed)


def split_down_acks(batch: list[intake.Arrived]) -> tuple[list[intake.Arrived], dict[str, list[list[str]]],
                                                          list[intake.Refusal]]:
    """The records in a batch, each device's down_acks (in order), and a refusal for each malformed down_ack."""
    records: list[intake.Arrived] = []
    acks: dict[str, list[list[str]]] = {}
    bad: list[intake.Refusal] = []
    for message in batch:
        try:
            ids = topics.parse_down_ack(message.payload)
        except topics.DownAckError as exc:
            device = topics.device_of(message.topic)
            if device is not None:
                bad.append(intake.Refusal(device, None, "bad_schema", str(exc)))
            continue
        device = topics.device_of(message.topic) if ids is not None else None
        if ids is None or device is None:
            records.append(message)  # a record (or nothing the relay answers: triage drops a bad topic)
        else:
            acks.setdefault(device, []).append(ids)
    return records, acks, bad
