"""The relay: tablets' records from Mosquitto into SQLite, acknowledged only once committed.

paho's network thread only hands messages over (a queue); one worker commits whatever has
arrived as soon as the queue runs dry (up to batch_max), so it never waits for more than the
broker's in-flight window. After the commit it sends the MQTT PUBACKs (manual ack: a record
the relay did not commit is redelivered by the broker) and then the application acks.

What other parts keep of the records (the console's tutors' copy, the course cache's progress inbox)
reaches them through observers (edge.intake.observers) passed in at construction: each reads the rows
before the write lock and writes its share inside the same transaction as the records.

Besides records, a tablet sends down_acks on its up topic (wire.topics.parse_down_ack): the down messages
it committed, or an empty list when it starts listening. The relay applies them to the down_message table
in the same transaction (edge.downlink.messages), answers each device with how many messages it still
waits for (down_waiting), and calls on_down so the publisher sends what is now due. A "listening" makes due
only what was not sent to that tablet in the last relay.down_listen_quiet_s, and down_acks that change
nothing (a burst of "listening", a repeated ack) are answered from a read, without the write lock or a wake.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence

from edge import store
from edge.attachments import store as attachments_store
from edge.config import EdgeConfig
from edge.downlink import messages as down_messages
from edge.intake import bindings, observers
from edge.intake import rules as intake
from edge.intake.quota import Quota
from edge.metrics import EdgeMetrics
from wire import session, topics
from wire.records import timestamp

log = logging.getLogger(__name__)

INFLIGHT_CAP = 200  # our own publishes (acks) unacknowledged at once
RECEIVE_MAXIMUM = 1000  # what the broker may send us before we PUBACK


class Relay:
    def __init__(self, config: EdgeConfig, password: str, quota: Quota,
                 observing: Sequence[observers.Observer] = (), on_down: Callable[[], None] | None = None,
                 metrics: EdgeMetrics | None = None):
        """observing: what keeps its own copy of committed records, in the same transaction (observers.py).
        on_down: called after a tablet's down_acks were committed (the down-message publisher's wake).
        metrics: where commits, their time and refusals are counted (edge/metrics.py)."""
        self.config = config
        self.metrics = metrics or EdgeMetrics()
        self.quota = quota
        self.observers = tuple(observing)
        self.on_down = on_down
        self.inbox: queue.Queue[intake.Arrived] = queue.Queue()
        self.client = session.persistent_client(
            config.broker.username, password, inflight_cap=INFLIGHT_CAP, manual_ack=True)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.on_disconnect = self._on_disconnect
        self.client.on_subscribe = self._on_subscribe
        self.connected = threading.Event()
        self.subscribed = threading.Event()
        self._stop = threading.Event()
        self._worker = threading.Thread(target=self._work, name="relay-worker", daemon=True)
        self.highest: dict[str, int] = {}
        self.committed = 0

    # paho's thread: hand off only -------------------------------------------------
    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            log.error("broker refused the relay: %s (check %s and the broker's password file)",
                      reason_code, self.config.relay_secret_path)
            return
        client.subscribe(topics.UP_FILTER, qos=1)
        self.connected.set()
        log.info("relay connected (session present: %s)", flags.session_present)

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties):
        if all(not code.is_failure for code in reason_codes):
            self.subscribed.set()
        else:
            log.error("broker refused the relay's subscription to %s: %s (check the broker's permissions, "
                      "broker/dynamic-security.json)", topics.UP_FILTER, reason_codes)

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):
        self.connected.clear()
        if not self._stop.is_set():
            log.warning("relay lost the broker (%s); reconnecting", reason_code)

    def _on_message(self, client, userdata, message):
        self.inbox.put(intake.Arrived(message.topic, message.payload, message.mid, message.qos))

    # lifecycle -----------------------------------------------------------------
    def start(self) -> Relay:
        self.highest = store.highest_seqs()
        self._worker.start()
        session.connect_async(self.client, self.config.broker.host, self.config.broker.port,
                              receive_maximum=RECEIVE_MAXIMUM)
        self.client.loop_start()
        return self

    @property
    def alive(self) -> bool:
        """The worker that commits and acks is running (a dead one would leave tablets unacked)."""
        return self._worker.is_alive() and not self._stop.is_set()

    def stop(self) -> None:
        self._stop.set()
        self._worker.join(timeout=10)
        self.client.disconnect()
        self.client.loop_stop()

    # worker ----------------------------------------------------------------------
    def _next_batch(self) -> list[intake.Arrived]:
        try:
            batch = [self.inbox.get(timeout=0.2)]
        except queue.Empty:
            return []
        wait = self.config.relay.batch_wait_ms / 1000
        while len(batch) < self.config.relay.batch_max:
            try:
                batch.append(self.inbox.get_nowait())
            except queue.Empty:
                try:
                    batch.append(self.inbox.get(timeout=wait))
                except queue.Empty:
                    break
        return batch

    def _work(self) -> None:
        while not self._stop.is_set():
            batch = self._next_batch()
            if not batch:
                continue
            try:
                self.handle(batch)
            except Exception:
                # Not acknowledged, so the broker redelivers and the tablets resend: nothing lost.
                log.exception("relay could not commit %d messages; they will be redelivered", len(batch))
                store.raise_alarm("relay_commit_failed", "the relay could not write to its store; "
                                  "check disk space and the edge log")
                time.sleep(1)

    def _check_attachments(self, device: str, record_id: str, refs) -> None:
        attachments_store.check_held(device, record_id, refs, self.config.attachments.missing_retry_s)

    def handle(self, batch: list[intake.Arrived]) -> intake.Triage:
        records, down_acks, bad_acks = split_down_acks(batch)
        known = store.known_ids(intake.candidate_ids(records))
        bound = bindings.bound_learners(filter(None, (topics.device_of(message.topic) for message in records)))
        result = intake.triage(records, known=known, highest=self.highest, room=self.quota.room(),
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
        if result.quota_refused and store.raise_alarm(
                "quota_reached", f"outbox reached its quota of {self.quota.limit} bytes; tablets are "
                "told to wait. Check the hub link (throughgate edge status)."):
            log.error("outbox quota reached (%d bytes): refusing new records until delivery frees space",
                      self.quota.limit)
        for message in batch:
            if message.qos > 0:
                self.client.ack(message.mid, message.qos)
        for device, ids in result.acks.items():
            # QoS 0: a lost ack costs one resend, which is acked again; QoS 1 would put a PUBACK per
            # device per commit on this connection and, with many tablets, queue acks behind records.
            self.client.publish(topics.down(device), topics.ack_message(ids), qos=0)
        for refusal in result.refusals:
            self.metrics.records_refused.labels(refusal.code).inc()
            if refusal.code != "quota_exceeded":
                log.warning("refused a record from %s: %s (%s)", refusal.device, refusal.code, refusal.reason)
            self.client.publish(topics.down(refusal.device), topics.error_message(
                refusal.code, refusal.reason, refusal.record_id, refusal.retry_after), qos=1)
        for device, count in waiting.items():
            for _ in down_acks[device]:  # one answer per down_ack, so the tablet knows each was heard
                self.client.publish(topics.down(device), topics.down_waiting_message(count), qos=1)
        if down_changed and self.on_down is not None:
            self.on_down()
        return result


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
