"""Phase 1, the baseline: Mosquitto alone, as the edge configures it.

One publisher with the tablet client's session settings (wire.session.persistent_client, the
same in-flight cap and Receive Maximum as TabletClient's window, TLS with its certificate on the
tablet listener) sends QoS 1 record JSON to throughgate/v1/<device>/up. A plain subscriber,
logged in as the relay user with the relay's session settings, counts what arrives and does
nothing else. It runs in its own process, as the edge does, so the publisher and the subscriber
do not share one interpreter lock.

Rate = messages / (first publish -> last message at the subscriber).
"""

from __future__ import annotations

import multiprocessing
import secrets
import threading
import time
from pathlib import Path

from bench.progress import cpu_seconds, say
from edge import identity
from edge.config import BrokerConfig
from edge.host import broker
from edge.identity import EdgeFiles
from edge.intake.relay import INFLIGHT_CAP, RECEIVE_MAXIMUM
from provisioning import pki
from provisioning.files import write_atomic
from tablet.identity import Enrolment, TabletIdentity
from throughgate.stack import free_port
from wire import session, topics

HOST = "127.0.0.1"
EDGE_ID, SERVER_NAME = "bench-edge", "bench-edge.throughgate.internal"
TABLET_WINDOW = 100  # TabletClient's default window: its in-flight cap and Receive Maximum


def _tablet_side(workdir: Path, device: str) -> tuple[broker.TabletListener, TabletIdentity]:
    """A tablet CA, the broker's server certificate, an empty CRL and one tablet's certificate."""
    edge_files = EdgeFiles(workdir / "edge")
    issuer = identity.create_tablet_ca(edge_files, EDGE_ID)
    identity.ensure_server_cert(edge_files, EDGE_ID, SERVER_NAME)
    write_atomic(edge_files.crl, pki.crl_to_pem(pki.make_crl(issuer, [], 1, 14)))
    tablet = TabletIdentity(workdir / "tablet")
    cert = pki.issue(issuer, tablet.key().public_key(), device, pki.CLIENT, 30, unit=EDGE_ID)
    tablet.save(Enrolment(EDGE_ID, device, SERVER_NAME, 0, "", identity.ca_pin(edge_files), "9999-01-01T00:00:00Z"),
                pki.cert_to_pem(cert).decode(), edge_files.ca_cert.read_text())
    listener = broker.TabletListener(HOST, free_port(), edge_files.ca_cert, edge_files.server_cert,
                                     edge_files.server_key, edge_files.crl)
    return listener, tablet


def run(workdir: Path, device: str, bodies: list[bytes], timeout: float = 120.0) -> dict:
    config = BrokerConfig(host=HOST, port=free_port())
    files = broker.BrokerFiles(workdir / "broker")
    listener, tablet = _tablet_side(workdir, device)
    broker.write_files(files, config, tablets=listener, devices=[device])
    relay_password = secrets.token_hex(16)
    broker.set_passwords(files, {config.username: relay_password})
    mosquitto = broker.ChildBroker(files, HOST, config.port).start()
    broker.wait_for_port(HOST, listener.port)
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    subscriber = context.Process(target=_subscribe, name="bench-subscriber", daemon=True,
                                 args=(config.port, config.username, relay_password, len(bodies), timeout, theirs))
    publisher = None
    try:
        subscriber.start()
        if not ours.poll(30) or ours.recv() != "subscribed":
            raise RuntimeError("the subscriber did not subscribe within 30 s")
        publisher = _connected_publisher(listener.port, tablet)
        say("broker-only", f"publishing {len(bodies)} QoS 1 messages from one publisher")
        cpu_before = cpu_seconds(mosquitto.proc.pid)
        started = time.monotonic()
        for body in bodies:
            publisher.publish(topics.up(device), body, qos=1)
        if not ours.poll(timeout + 10):
            raise RuntimeError("the subscriber did not report back")
        received, last = ours.recv()
        broker_cpu = cpu_seconds(mosquitto.proc.pid) - cpu_before
    finally:
        if publisher is not None:
            publisher.disconnect()
            publisher.loop_stop()
        subscriber.join(10)
        if subscriber.is_alive():
            subscriber.terminate()
        mosquitto.stop()
    seconds = (last - started) if received else None
    say("broker-only", f"{received}/{len(bodies)} received in {seconds or 0:.2f}s")
    return {
        "messages": len(bodies),
        "received": received,
        "seconds": seconds,
        "per_s": received / seconds if seconds else None,
        "mean_record_bytes": sum(map(len, bodies)) / len(bodies),
        "broker_cpu_s": broker_cpu,
    }


def _connected_publisher(port: int, tablet: TabletIdentity):
    client = session.persistent_client(tablet.device, inflight_cap=TABLET_WINDOW)
    client.tls_set_context(tablet.ssl_context())
    connected = threading.Event()
    client.on_connect = lambda *_: connected.set()
    session.connect_async(client, HOST, port, receive_maximum=TABLET_WINDOW)
    client.loop_start()
    if not connected.wait(15):
        raise RuntimeError("the publisher could not connect to Mosquitto")
    return client


def _subscribe(port: int, username: str, password: str, expected: int, timeout: float, conn) -> None:
    """In its own process: count QoS 1 messages (auto PUBACK) until `expected` arrived or time is up."""
    client = session.persistent_client(username, password, inflight_cap=INFLIGHT_CAP)
    done = threading.Event()
    seen = {"count": 0, "last": 0.0}

    def on_message(_client, _userdata, _message):
        seen["count"] += 1
        seen["last"] = time.monotonic()
        if seen["count"] >= expected:
            done.set()

    client.on_connect = lambda c, *_: c.subscribe(topics.UP_FILTER, qos=1)
    client.on_subscribe = lambda *_: conn.send("subscribed")
    client.on_message = on_message
    session.connect_async(client, HOST, port, receive_maximum=RECEIVE_MAXIMUM)
    client.loop_start()
    done.wait(timeout)
    conn.send((seen["count"], seen["last"]))
    client.disconnect()
    client.loop_stop()
