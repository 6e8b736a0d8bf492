"""Down messages from the console to tablets, over the edge's Mosquitto.

The console has its own broker user (edge.host.broker.CONSOLE_USER) on the loopback listener, whose ACL
lets it publish to `throughgate/v1/+/down` and nothing else: it cannot read any tablet's records.
Its password is made on first use, kept 0600 in the instance folder, and added to the broker's
password file (the broker re-reads it on SIGHUP).

Messages wait in console_down_message, written in the same transaction as the record they announce;
this publisher sends them with QoS 1 and marks each sent when the broker acknowledges it. The
tablet's persistent session keeps it until the tablet next connects. While the broker is away
nothing is lost: they are sent once it is back.
"""

from __future__ import annotations

import logging
import queue
import secrets
import threading

from edge import store
from edge.config import EdgeConfig
from edge.console import tables
from edge.host import broker
from provisioning.files import write_private
from wire import session, topics
from wire.records import timestamp

log = logging.getLogger(__name__)

SECRET_NAME = "console-broker.secret"  # noqa: S105 (a file name, not a secret)
WINDOW = 100


def broker_password(config: EdgeConfig) -> str:
    """The console's broker password: made (and given to the broker) the first time it is needed."""
    path = config.instance / SECRET_NAME
    if not path.exists():
        password = secrets.token_urlsafe(32)
        files = broker.BrokerFiles(config.broker_dir)
        broker.set_password(files, broker.CONSOLE_USER, password)
        write_private(path, password.encode())
        broker.signal_reload(files)
    return path.read_text().strip()


class Downlink:
    def __init__(self, host: str, port: int, password: str, every_s: float = 5.0):
        self.host, self.port, self.every_s = host, port, every_s
        self.client = session.persistent_client(broker.CONSOLE_USER, password, inflight_cap=WINDOW)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_publish = self._on_publish
        self.connected = threading.Event()
        self._acked: queue.SimpleQueue[tuple[int, bool]] = queue.SimpleQueue()
        self._inflight: dict[int, int] = {}  # paho mid -> down message id
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._worker = threading.Thread(target=self._run, name="console-downlink", daemon=True)
        self.published = 0

    # paho's thread: hand off only
    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            log.error("the broker refused the console (%s): check %s and the broker's password file",
                      reason_code, SECRET_NAME)
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
                self._confirm()
                if self.connected.is_set():
                    self._send()
                else:
                    self._inflight.clear()  # resent after reconnecting; tablets ignore a repeat
            except Exception:
                log.exception("the console could not publish its down messages; will retry")
            finally:
                if not store.db.is_closed():
                    store.db.close()

    def _confirm(self) -> None:
        done = []
        while True:
            try:
                mid, ok = self._acked.get_nowait()
            except queue.Empty:
                break
            message_id = self._inflight.pop(mid, None)
            if message_id is not None and ok:
                done.append(message_id)
            elif message_id is not None:
                log.error("the broker refused down message %s (check the console's ACL entry)", message_id)
        if done:
            with store.writing():
                tables.DownMessage.update(sent=timestamp()).where(tables.DownMessage.id.in_(done)).execute()
            self.published += len(done)

    def _send(self) -> None:
        room = WINDOW - len(self._inflight)
        if room <= 0:
            return
        waiting = set(self._inflight.values())
        rows = (tables.DownMessage.select().where(tables.DownMessage.sent.is_null())
                .order_by(tables.DownMessage.id).limit(room + len(waiting)))
        for row in rows:
            if row.id in waiting:
                continue
            info = self.client.publish(topics.down(row.device), row.body.encode(), qos=1)
            self._inflight[info.mid] = row.id
