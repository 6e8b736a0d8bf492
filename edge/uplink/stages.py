"""The uplink to the hub, as named stages.

    CUT      pick unsealed records: one priority class, by count or by age
    SEAL     compress, seal to the hub, sign; drop the plain copies (one transaction)
    SEND     POST the oldest batch of the most urgent class (every Nth: the oldest of all)
    CONFIRM  verify the hub's signed receipt; only then mark delivered and free the space

CUT and SEAL run even while the hub is away, so nothing waits unsealed. SEND stops at the first
failure and retries the same batch after a backoff, so per-device order within a priority
class is kept.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import peewee as pw

from edge import store
from edge.config import UplinkConfig
from edge.intake.quota import Quota
from edge.metrics import EdgeMetrics
from edge.uplink.hubclient import HubClient
from edge.uplink.pacing import Backoff, TokenBucket
from wire import batches, receipts
from wire.keys import HubPublicKeys
from wire.records import PRIORITIES, parse_timestamp

log = logging.getLogger(__name__)

CUT, SEAL, SEND, CONFIRM = "cut", "seal", "send", "confirm"
STAGES = (CUT, SEAL, SEND, CONFIRM)


def _age_s(stamp: str, now: datetime) -> float:
    return (now - parse_timestamp(stamp)).total_seconds()


# CUT -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Row:
    id: str
    device: str
    received: str
    body: str


def cut(config: UplinkConfig, now: datetime, force: bool = False) -> list[tuple[int, list[Row]]]:
    """Ready cuts, most urgent class first: full batches, or a class whose oldest record is old enough."""
    R = store.Received  # noqa: N806
    ready = []
    for priority in PRIORITIES:
        unsealed = R.select().where(R.batch.is_null(), R.priority == priority)
        oldest = unsealed.select(pw.fn.MIN(R.received)).scalar()
        if oldest is None:
            continue
        if not (force or _age_s(oldest, now) >= config.batch_age_s
                or unsealed.limit(config.batch_records).count() >= config.batch_records):
            continue  # not ready: decided on the index, without loading any rows
        rows = (unsealed.select(R.id, R.device, R.received, R.body).order_by(R.received, R.device, R.seq)
                .limit(config.batch_records).tuples())
        ready.append((priority, [Row(*row) for row in rows]))
    return ready


# SEAL ------------------------------------------------------------------------------

def batch_json(rows: list[Row]) -> bytes:
    """The batch body: each record as the tablet sent it, plus `device` and `received`.

    Built as text: the bodies are JSON objects the relay validated, and device ids and
    timestamps need no escaping, so nothing is parsed again.
    """
    return ("[" + ",".join(f'{{"device":"{r.device}","received":"{r.received}",{r.body.lstrip()[1:]}'
                           for r in rows) + "]").encode()


def seal(edge_id: str, priority: int, rows: list[Row], hub: HubPublicKeys, signing_key) -> store.OutBatch:
    with store.writing():
        seq = (store.OutBatch.select(pw.fn.MAX(store.OutBatch.seq)).scalar() or 0) + 1
        header = batches.BatchHeader(edge=edge_id, batch=str(uuid.uuid4()), seq=seq, created=store.utcnow(),
                                     count=len(rows), priority=priority, hub_key=hub.sealing.id)
        envelope = batches.seal_json(header, batch_json(rows), hub.sealing, signing_key)
        batch = store.OutBatch.create(
            id=header.batch, seq=seq, priority=priority, count=len(rows), size=len(envelope),
            digest=hashlib.sha256(envelope).hexdigest(), envelope=envelope, created=header.created)
        ids = [r.id for r in rows]
        for start in range(0, len(ids), 500):
            (store.Received.update(body=None, batch=header.batch)
             .where(store.Received.id.in_(ids[start:start + 500])).execute())
    return batch


def seal_ready(edge_id: str, config: UplinkConfig, hub: HubPublicKeys, signing_key, quota: Quota,
               force: bool = False) -> int:
    """CUT and SEAL until nothing is ready. Returns how many batches were sealed."""
    sealed = 0
    while True:
        ready = cut(config, datetime.now(UTC), force)
        if not ready:
            break
        for priority, rows in ready:
            seal(edge_id, priority, rows, hub, signing_key)
            sealed += 1
    if sealed:
        quota.refresh()
    return sealed


# SEND and CONFIRM ------------------------------------------------------------------

class Forwarder:
    """Moves sealed batches to the hub. One instance, driven by the scheduler's forward job."""

    def __init__(self, config: UplinkConfig, hub: HubPublicKeys, client: HubClient, quota: Quota,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 metrics: EdgeMetrics | None = None):
        self.config, self.hub, self.client, self.quota = config, hub, client, quota
        self.metrics = metrics or EdgeMetrics()  # deliveries and failures (edge/metrics.py)
        self.clock, self.sleep = clock, sleep
        self.backoff = Backoff(config.backoff_base_s, config.backoff_max_s)
        self.bucket = TokenBucket(config.max_bytes_per_s)
        self.next_attempt = 0.0
        self.sends = 0
        self.delivered_batches = 0
        self.delivered_records = 0
        self._last_progress = 0.0

    def pick(self) -> store.OutBatch | None:
        waiting = store.OutBatch.select().where(store.OutBatch.state == "sealed")
        if self.config.fair_every > 0 and self.sends % self.config.fair_every == self.config.fair_every - 1:
            order = (store.OutBatch.seq,)  # the oldest of all: the lowest class cannot starve
        else:
            order = (store.OutBatch.priority, store.OutBatch.seq)
        return waiting.order_by(*order).first()

    def tick(self, budget_s: float = 5.0) -> int:
        """SEND and CONFIRM batches until none wait, one fails, or the time budget is spent."""
        if self.clock() < self.next_attempt:
            return 0
        started, done = self.clock(), 0
        while self.clock() - started < budget_s:
            batch = self.pick()
            if batch is None:
                break
            self.sleep(self.bucket.delay_for(batch.size, self.clock()))
            self.sends += 1
            outcome = self.send(batch)
            if outcome is not None:
                self._fail(batch, outcome)
                break
            done += 1
        if done:
            self.quota.refresh()
            if self.quota.used < self.quota.limit * 0.9 and store.clear_alarm("quota_reached"):
                log.info("outbox below its quota again: intake resumed")
            store.clear_alarm("hub_unreachable")
            self._progress()
        return done

    def send(self, batch: store.OutBatch) -> str | None:
        """One batch: POST, then CONFIRM. Returns None when delivered, else what went wrong."""
        try:
            status, body = self.client.post_batch(batch.envelope)
        except OSError as exc:
            return str(exc)
        try:
            document = receipts.loads(body)
            if status == 409 and isinstance(document.get("receipt"), dict):
                document = document["receipt"]  # sent before, receipt lost on the way: the hub repeats it
            elif status != 200:
                return f"hub refused batch {batch.id}: HTTP {status} {document.get('error')}: {document.get('reason')}"
            fields = receipts.verify_receipt(document, self.hub.receipt, batch.id, batch.digest)
        except receipts.ReceiptError as exc:
            return f"hub answered HTTP {status} without a valid receipt for batch {batch.id}: {exc}"
        self.confirm(batch, document, fields)
        return None

    def confirm(self, batch: store.OutBatch, document: dict, fields: dict) -> None:
        (store.OutBatch.update(state="delivered", envelope=None, delivered=store.utcnow(),
                               receipt=json.dumps(document), last_error=None, attempts=batch.attempts + 1)
         .where(store.OutBatch.id == batch.id).execute())
        self.backoff.succeeded()
        self.delivered_batches += 1
        self.delivered_records += batch.count
        self.metrics.delivered(batch.count)
        log.debug("batch %s delivered: %s stored, %s already at the hub", batch.id, fields.get("stored"),
                  fields.get("duplicates"))

    def _fail(self, batch: store.OutBatch, error: str) -> None:
        # A catch-up after a failure starts with the most urgent batch; the fairness count restarts
        # (before, failed attempts counted too, so one catch-up in four began with the oldest batch).
        self.sends = 0
        self.metrics.delivery_failures.inc()
        delay = self.backoff.failed()
        self.next_attempt = self.clock() + delay
        (store.OutBatch.update(attempts=batch.attempts + 1, last_error=error)
         .where(store.OutBatch.id == batch.id).execute())
        if store.raise_alarm("hub_unreachable", error) or self.backoff.failures <= 1:
            log.warning("%s; retrying in %.0fs", error, delay)
        else:
            log.info("hub still unavailable (%d failures); next try in %.0fs", self.backoff.failures, delay)

    def _progress(self) -> None:
        now = self.clock()
        if now - self._last_progress < 5:
            return
        self._last_progress = now
        waiting = store.OutBatch.select().where(store.OutBatch.state == "sealed")
        count = waiting.count()
        if count:
            records = waiting.select(pw.fn.SUM(store.OutBatch.count)).scalar()
            log.info("uplink catching up: %d batches delivered so far, %d batches (%d records) waiting",
                     self.delivered_batches, count, records)
        else:
            log.info("uplink caught up: %d batches (%d records) delivered", self.delivered_batches,
                     self.delivered_records)
