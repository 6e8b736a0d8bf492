"""The edge's down-message publisher: waiting messages to each tablet's down topic, again until acknowledged.

It runs in the edge service beside the relay, on the relay's broker user (whose role in the broker's
permissions may write to `throughgate/v1/+/down`) with a client id of its own. Every `every_s` (and whenever
woken: the relay wakes it when a tablet says it is listening or acknowledges something) it publishes, with QoS
1, the messages that are due (edge.downlink.messages.due: unacknowledged, oldest-due first, never to a revoked
tablet, and at most PER_TABLET in flight per tablet). When the broker takes one, it is due again after a
back-off (1 minute, doubling to an hour) unless the tablet acknowledges it first. Once a minute it gives up on
messages older than `give_up_days` that the tablet never confirmed (edge.downlink.messages.give_up; the
console says so).

The broker taking a message does not make it delivered: a tablet whose session was started clean never gets
what the broker held for its old session. The tablet acknowledges each message after committing it
(wire.topics.down_ack_message), and says when it is listening (an empty down_ack), which makes due at once
whatever it has not acknowledged and was not sent in the last down_listen_quiet_s. So a message survives a
clean session, a broker restart (its queue lost) and an edge restart (the rows are in the store), and the
tablet keeps each once by its id.
"""

from __future__ import annotations

import logging
import queue
import threading
import time

from edge import store
from edge.downlink import messages
from wire import session, topics
from wire.records import timestamp

log = logging.getLogger(__name__)

WINDOW = 100  # QoS 1 publishes the broker has not acknowledged yet
SWEEP_S = 60.0  # how often messages past give_up_days are given up


class Downlink:
    def __init__(self, host: str, port: int, username: str, password: str, *, client_id: str | None = None,
                 every_s: float = 1.0, resend_s: tuple[float, float] = (messages.RESEND_FIRST_S,
                                                                          messages.RESEND_MAX_S),
                 per_tablet: int = messages.PER_TABLET, give_up_days: float = messages.GIVE_UP_DAYS):
        self.host, self.port, self.every_s = host, port, every_s
        self.resend_s, self.per_tablet, self.give_up_days = resend_s, per_tablet, give_up_days
        self._swept = -SWEEP_S  # time.monotonic() of the last give-up sweep
        self.client = session.persistent_client(username, password, inflight_cap=WINDOW,
                                                client_id=client_id or f"{username}-downlink")
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_publish = self._on_publish
        self.connected = threading.Event()
        self._acked: queue.SimpleQueue[tuple[int, bool]] = queue.SimpleQueue()
        self._inflight: dict[int, int] = {}  # paho mid -> down_message row id
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._worker = threading.Thread(target=self._run, name="downlink", daemon=True)
        self.published = 0

    # paho's thread: hand off only
    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            log.error("the broker refused the downlink (%s): check the relay's password in the broker's "
                      "password file", reason_code)
            return
        self.connected.set()
        self._wake.set()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):
        self.connected.clear()
        self._wake.set()

    def _on_publish(self, client, userdata, mid, reason_code, properties):
        self._acked.put((mid, not reason_code.is_failure))
        self._wake.set()

    # lifecycle
    def start(self) -> Downlink:
        self._worker.start()
        session.connect_async(self.client, self.host, self.port, receive_maximum=WINDOW)
        self.client.loop_start()
        return self

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._worker.join(timeout=10)
        self.client.disconnect()
        self.client.loop_stop()

    # worker
    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.every_s)
            self._wake.clear()
            try:
                self._sweep()
                self._confirm()
                if self.connected.is_set():
                    self._send()
                else:
                    self._inflight.clear()  # still due: sent again after reconnecting
            except Exception:
                log.exception("the downlink could not publish its messages; will retry")

    def _sweep(self) -> None:
        if time.monotonic() - self._swept < SWEEP_S:
            return
        self._swept = time.monotonic()
        gone = messages.give_up(self.give_up_days)
        if gone:
            log.warning("gave up on %d down message(s) no tablet confirmed in %g days (the console lists them)",
                        gone, self.give_up_days)

    def _confirm(self) -> None:
        done = []
        while True:
            try:
                mid, ok = self._acked.get_nowait()
            except queue.Empty:
                break
            row_id = self._inflight.pop(mid, None)
            if row_id is not None and ok:
                done.append(row_id)
            elif row_id is not None:
                log.error("the broker refused down message %s (check the relay's role in "
                          "broker/dynamic-security.json)", row_id)
        if done:
            with store.writing():
                messages.mark_sent(done, *self.resend_s)
            self.published += len(done)

    def _send(self) -> None:
        room = WINDOW - len(self._inflight)
        if room <= 0:
            return
        waiting = set(self._inflight.values())
        for row in messages.due(timestamp(), room + len(waiting), self.per_tablet):
            if row.id in waiting:
                continue
            info = self.client.publish(topics.down(row.device), row.body.encode(), qos=1)
            self._inflight[info.mid] = row.id
