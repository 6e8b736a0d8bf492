"""The reference tablet client: a durable outbox drained over MQTT until the edge acks.

    outbox (SQLite) --QoS 1, at most `window` unacked--> throughgate/v1/<device>/up
    throughgate/v1/<device>/down --> {"type":"ack","ids":[...]} marks records acked
                                 --> {"type":"error",...} rejects one, or defers it (retry_after)
                                 --> {"type":"feedback"|"award"|...,"id":...} kept for the learner (messages()),
                                     then acknowledged: {"type":"down_ack","ids":[...]} on the up topic
                                 --> {"type":"down_waiting","count":n} the edge's answer to each down_ack

Down messages: once subscribed, the client says it is listening (an empty down_ack), and the edge sends again
whatever this tablet has not acknowledged, so nothing is lost to a session the broker no longer has. Each
message is committed to the tablet's inbox before its id is acknowledged; a repeat is kept once and
acknowledged again.

An MQTT PUBACK only means the broker has the message. A record leaves the outbox only on the
edge's application ack, sent after the edge committed it. Unacked records are sent again after
`ack_timeout` or on reconnect; the edge recognises the id and acks again without storing twice.

The tablet proves who it is with its TLS client certificate, not a password: the broker takes the
device id from the certificate's CN, and the tablet checks the edge's certificate against the
tablet CA it pinned at enrolment, for the edge's name (tablet.identity).
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import ssl
import threading
import time
from collections.abc import Callable
from typing import Protocol

from tablet.outbox import Outbox
from wire import session, topics
from wire.records import Record

log = logging.getLogger(__name__)

MAX_ACK_TIMEOUT_S = 300.0
START_WINDOW, MIN_WINDOW = 10, 2
FAST_ACK_S, SLOW_ACK_S = 1.0, 5.0


class Credentials(Protocol):
    """Who the tablet is: a TabletIdentity, or anything else with a device id and a TLS context."""

    @property
    def device(self) -> str: ...

    def ssl_context(self) -> ssl.SSLContext: ...


class TabletClient:
    def __init__(self, identity: Credentials, host: str, port: int, outbox: Outbox, *,
                 window: int = 100, ack_timeout: float = 30.0,
                 on_ack: Callable[[list[str], float], None] | None = None,
                 on_sent: Callable[[list[str], float], None] | None = None, send_records: bool = True,
                 wake_every: float = 1.0):
        """host, port: the edge's MQTT-TLS listener (any address: the name checked is the identity's).
        wake_every: seconds between the sender's checks when nothing wakes it (ack timeouts, retries).
        on_sent / on_ack: called with record ids and time.monotonic() when sent / acked (for measuring).
        send_records False: only collect down messages (`tablet status`)."""
        device = identity.device
        self.identity, self.device, self.host, self.port, self.outbox = identity, device, host, port, outbox
        self.window, self.ack_timeout, self.on_ack, self.on_sent = window, ack_timeout, on_ack, on_sent
        self.wake_every = wake_every
        self._timeout = ack_timeout  # doubles after each resend without an ack, back to ack_timeout on one
        self._cursor = 0  # highest seq sent since the window was last reset
        self._cwnd = float(min(START_WINDOW, window))  # records allowed in flight now, up to `window`
        self._last_cut = 0.0
        self.client = session.persistent_client(device, None, inflight_cap=window)
        self.client.tls_set_context(identity.ssl_context())
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe
        self.send_records = send_records
        self.connected = threading.Event()
        self.refused: str | None = None  # why the broker refused us, if it did
        self._down: queue.SimpleQueue[dict] = queue.SimpleQueue()
        self._inflight: dict[str, float] = {}  # record id -> when sent
        self._wake = threading.Event()
        self._resend = threading.Event()
        self._stop = threading.Event()
        self._sender = threading.Thread(target=self._run, name=f"tablet-{device}", daemon=True)
        self.sent = self.acks = 0
        self.errors: list[dict] = []
        self.kept: list[dict] = []  # down messages kept in the inbox while this client ran (repeats left out)
        self.down_waiting: int | None = None  # the edge's last count of messages this tablet has not acknowledged
        self._listening = threading.Event()  # subscribed: say so to the edge (an empty down_ack)
        self._asked = self._answered = 0  # down_acks published, and the edge's answers to them

    # paho's thread: hand off only ------------------------------------------------------
    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            self.refused = str(reason_code)
            log.error("edge broker refused %s: %s (check the tablet's certificate)", self.device, reason_code)
            return
        client.subscribe(topics.down(self.device), qos=1)
        self._resend.set()  # resend whatever was unacked; the edge dedupes
        self.connected.set()
        self._wake.set()

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties):
        if all(not code.is_failure for code in reason_codes):
            self._listening.set()
            self._wake.set()
        else:
            log.error("%s: the broker refused the down topic: %s", self.device, reason_codes)

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):
        self.connected.clear()

    def _on_message(self, client, userdata, message):
        try:
            self._down.put(json.loads(message.payload))
        except ValueError:
            log.warning("%s: unreadable message on the down topic ignored", self.device)
        self._wake.set()

    # lifecycle ---------------------------------------------------------------------------
    def start(self) -> TabletClient:
        session.connect_async(self.client, self.host, self.port, receive_maximum=self.window)
        self.client.loop_start()
        self._sender.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._sender.join(timeout=10)
        self.client.disconnect()
        with contextlib.suppress(AttributeError):  # paho 2.2 races when its loop thread ends by itself
            self.client.loop_stop()

    def submit(self, kind: str, learner: str, payload: dict) -> Record:
        record = self.outbox.add(kind, learner, payload)
        self._wake.set()
        return record

    def messages(self, type_: str | None = None) -> list[dict]:
        """Feedback and awards the edge sent this tablet (kept in its local store), oldest first."""
        return self.outbox.messages(type_)

    def wait_collected(self, timeout: float) -> bool:
        """True once the edge answered the last down_ack with nothing left for this tablet (every down
        message it holds for us is in our inbox and acknowledged)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.collected:
                return True
            time.sleep(0.05)
        return self.collected

    @property
    def collected(self) -> bool:
        return self._asked > 0 and self._answered >= self._asked and self.down_waiting == 0

    def wait_flushed(self, timeout: float) -> bool:
        """True once nothing is pending (everything acked or rejected)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.outbox.counts()["pending"] == 0:
                return True
            time.sleep(0.1)
        return False

    # sender thread -----------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.wake_every)  # woken by submit, acks and connects; the timeout only checks ack timeouts
            self._wake.clear()
            try:
                self._apply_down()
                if self._listening.is_set() and self.connected.is_set():
                    self._listening.clear()
                    self._acknowledge_down([])  # listening: the edge sends again what we have not acknowledged
                if self._resend.is_set():
                    self._resend.clear()
                    self._inflight.clear()
                    self._cursor = 0
                if self.connected.is_set() and self.send_records:
                    self._send_window()
            except Exception:
                log.exception("%s: sender error; retrying", self.device)
                time.sleep(1)

    def _apply_down(self) -> None:
        acked: list[str] = []
        kept: list[str] = []
        while True:
            try:
                message = self._down.get_nowait()
            except queue.Empty:
                break
            if not isinstance(message, dict):
                continue
            kind = message.get("type")
            if kind == "ack" and isinstance(message.get("ids"), list):
                acked.extend(message["ids"])
            elif kind == "error":
                self._on_error(message)
            elif kind == "down_waiting":
                self.down_waiting = message.get("count") if isinstance(message.get("count"), int) else None
                self._answered += 1
            elif isinstance(kind, str) and kind not in topics.REPLY_TYPES and isinstance(message.get("id"), str):
                if self.outbox.keep_message(message):  # committed (a repeat was kept before): then acknowledged
                    self.kept.append(message)
                kept.append(message["id"])
        if kept:
            self._acknowledge_down(kept)
        if acked:
            self._timeout = self.ack_timeout
            self.outbox.acked(acked)
            now = time.monotonic()
            slowest = 0.0
            for record_id in acked:
                sent = self._inflight.pop(record_id, None)
                if sent is not None:
                    slowest = max(slowest, now - sent)
            self._pace(slowest, len(acked), now)
            self.acks += len(acked)
            if self.on_ack:
                self.on_ack(acked, now)

    def _acknowledge_down(self, ids: list[str]) -> None:
        """down_acks on the up topic (QoS 1), at most MAX_DOWN_ACK_IDS ids each; [] says "listening"."""
        step = topics.MAX_DOWN_ACK_IDS
        for start in range(0, max(len(ids), 1), step):
            self._asked += 1
            self.client.publish(topics.up(self.device), topics.down_ack_message(ids[start:start + step]), qos=1)

    def _on_error(self, message: dict) -> None:
        record_id = message.get("id")
        self.errors.append(message)
        if record_id:
            self._inflight.pop(record_id, None)
        if message.get("retry_after") is not None:
            self.outbox.defer(record_id, time.time() + float(message["retry_after"]))
            log.info("%s: edge asked to wait %ss (%s)", self.device, message["retry_after"], message.get("code"))
        elif record_id:
            self.outbox.rejected(record_id, f"{message.get('code')}: {message.get('reason')}")
            log.warning("%s: record %s refused: %s", self.device, record_id, message.get("reason"))
        else:
            log.warning("%s: edge refused a message: %s", self.device, message.get("reason"))

    def _pace(self, ack_delay: float, count: int, now: float) -> None:
        """Delay-based window: grow while acks come back quickly, halve (at most once a second) when
        they are slow. When a thousand tablets reconnect at once the edge's backlog stays short, acks
        keep arriving before `ack_timeout`, and nothing is sent twice."""
        if ack_delay > SLOW_ACK_S:
            if now - self._last_cut > 1.0:
                self._cwnd = max(MIN_WINDOW, self._cwnd / 2)
                self._last_cut = now
        elif ack_delay < FAST_ACK_S:
            self._cwnd = min(float(self.window), self._cwnd + count)

    def _send_window(self) -> None:
        now = time.monotonic()
        expired = [record_id for record_id, sent in self._inflight.items() if now - sent > self._timeout]
        for record_id in expired:
            del self._inflight[record_id]  # no ack in time: send again
        if expired:  # the edge is slow or away: wait longer before the next resend (up to 5 minutes)
            self._timeout = min(self._timeout * 2, MAX_ACK_TIMEOUT_S)
            self._cwnd = max(MIN_WINDOW, self._cwnd / 2)
        if expired or not self._inflight:
            self._cursor = 0  # look again from the oldest pending record (resends, deferred records)
        room = int(self._cwnd) - len(self._inflight)
        if room <= 0:
            return
        if self._cursor:  # records after the cursor were never sent on this connection: none is in flight
            batch = self.outbox.pending(room, exclude=set(), after_seq=self._cursor)
        else:
            batch = self.outbox.pending(room, exclude=set(self._inflight))
        if batch:
            self._cursor = max(self._cursor, batch[-1].seq)
        for item in batch:
            self.client.publish(topics.up(self.device), item.body, qos=1)
            self._inflight[item.id] = now
        self.sent += len(batch)
        if batch and self.on_sent:
            self.on_sent([item.id for item in batch], now)
