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

The triage and the commit are edge.intake.commit.Intake's, which the tablet API's record routes (the app on a
managed tablet, over HTTPS) share: one lock, one story of stored ids and sequence numbers. The relay only
PUBACKs and publishes the answers.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence

from edge import store
from edge.config import EdgeConfig
from edge.intake import observers
from edge.intake import rules as intake
from edge.intake.commit import Intake
from edge.intake.quota import Quota
from edge.metrics import EdgeMetrics
from wire import session, topics

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
        self.intake = Intake(config, quota, observing, on_down, metrics)
        self.metrics = self.intake.metrics
        self.quota = quota
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
        self.intake.load()
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

    def handle(self, batch: list[intake.Arrived]) -> intake.Triage:
        taken = self.intake.take(batch)  # raises when the commit fails: nothing PUBACKed, the broker redelivers
        result = taken.result
        for message in batch:
            if message.qos > 0:
                self.client.ack(message.mid, message.qos)
        for device, ids in result.acks.items():
            # QoS 0: a lost ack costs one resend, which is acked again; QoS 1 would put a PUBACK per
            # device per commit on this connection and, with many tablets, queue acks behind records.
            self.client.publish(topics.down(device), topics.ack_message(ids), qos=0)
        for refusal in result.refusals:
            self.client.publish(topics.down(refusal.device), topics.error_message(
                refusal.code, refusal.reason, refusal.record_id, refusal.retry_after), qos=1)
        for device, count in taken.waiting.items():
            for _ in taken.down_acks[device]:  # one answer per down_ack, so the tablet knows each was heard
                self.client.publish(topics.down(device), topics.down_waiting_message(count), qos=1)
        self.intake.answered(taken)
        return result
