"""Is the broker the edge reaches the one it configured? Checked at start, before the relay connects.

A machine may already run another MQTT broker on the relay's port (Debian's own Mosquitto listens
on 1883 and lets anyone in). The relay would connect to it, subscribe, and wait forever for tablets
that can never reach it. The edge's own Mosquitto (edge/host/broker.py) is known by what it refuses
and what it serves, so three probes tell them apart:

1. a login with a random user and password, which this edge's broker refuses (allow_anonymous
   false, a password file of its own): one that is let in proves some other broker;
2. the relay's own login, which it accepts: a refusal means another password file;
3. the tablets' TLS listener, whose certificate must chain to this edge's tablet CA for the edge's
   name (TLS 1.3, so the handshake completes on our side before the broker asks for a tablet's
   certificate): nothing there, or another certificate, means another configuration.

Each refusal says what to do. Nothing answering at all is not proof of anything (under systemd the
broker may still be starting): check_ours returns False and the relay keeps trying, as before.
"""

from __future__ import annotations

import secrets
import socket
import ssl
import threading
import time

from edge.host import broker

PROBE_TIMEOUT_S = 5.0


class WrongBroker(RuntimeError):
    """The broker on the relay's port is not this edge's. The message says what to do."""


def check_ours(config, timeout: float = PROBE_TIMEOUT_S) -> bool:
    """Raise WrongBroker unless the broker on config.broker.host:port is this edge's
    (edge.config.EdgeConfig); False if nothing answers there yet, True once proven."""
    host, port = config.broker.host, config.broker.port
    files = broker.BrokerFiles(config.broker_dir)
    where = (f"This edge runs its own Mosquitto from {files.conf} on {host}:{port}" if config.broker.dev else
             f"This edge expects the system's Mosquitto with {files.conf} on {host}:{port} (on a box: "
             "systemctl status throughgate-mosquitto)")
    stranger = login(host, port, f"probe-{secrets.token_hex(4)}", secrets.token_urlsafe(16), timeout)
    if stranger is None:
        return False
    if not stranger.is_failure:
        raise WrongBroker(
            f"the MQTT broker on {host}:{port} let in a login with a made-up user and password, so it is not this "
            "edge's (which refuses anonymous and wrong-password logins): another broker holds the relay's port. "
            f"Stop that broker (if it is Debian's: systemctl disable --now mosquitto), or move this edge to free "
            f"ports ([broker] port in {config.instance / 'edge.toml'}, or `edge init --broker-port`). {where}")
    relay = login(host, port, config.broker.username, config.relay_secret_path.read_text().strip(), timeout)
    if relay is None or relay.is_failure:
        raise WrongBroker(
            f"the MQTT broker on {host}:{port} refused the relay's own login ({relay or 'no answer'}): it does not "
            f"use this edge's password file {files.passwd}. {where}; stop any other broker on that port")
    problem = tablet_listener_problem(config, timeout)
    if problem:
        raise WrongBroker(f"{problem}: the broker on {host}:{port} does not run this edge's configuration, so "
                          f"tablets could not reach the relay. {where}; stop any other broker on these ports")
    return True


def login(host: str, port: int, username: str, password: str, timeout: float):
    """The broker's CONNACK reason code for this login (a fresh client id, nothing kept), or None when
    nothing answers MQTT there."""
    from paho.mqtt.client import CallbackAPIVersion, Client
    from paho.mqtt.enums import MQTTProtocolVersion

    answered = threading.Event()
    outcome: list = []
    client = Client(CallbackAPIVersion.VERSION2, client_id=f"throughgate-probe-{secrets.token_hex(6)}",
                    protocol=MQTTProtocolVersion.MQTTv5)
    client.username_pw_set(username, password)
    client.on_connect = lambda c, u, f, reason, p: (outcome.append(reason), answered.set())
    try:
        client.connect(host, port, keepalive=10, clean_start=True)
    except OSError:
        return None
    client.loop_start()
    try:
        answered.wait(timeout)
    finally:
        client.disconnect()
        client.loop_stop()
    return outcome[0] if outcome else None


def tablet_listener_problem(config, timeout: float) -> str | None:
    """What is wrong with the tablets' listener, or None: it speaks TLS with a certificate from this
    edge's tablet CA for the edge's name."""
    from edge.identity import EdgeFiles

    host, port = config.tablets.mqtt_host, config.tablets.mqtt_port
    context = ssl.create_default_context(cafile=str(EdgeFiles(config.instance).ca_cert))
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=timeout) as sock, \
                    context.wrap_socket(sock, server_hostname=config.server_name):
                return None
        except ssl.SSLCertVerificationError as exc:
            return (f"the tablets' listener {host}:{port} presents a certificate that is not this edge's "
                    f"({exc.verify_message})")
        except ssl.SSLError as exc:
            return f"the tablets' listener {host}:{port} does not speak TLS 1.3 as this edge's does ({exc.reason})"
        except OSError as exc:
            if time.monotonic() > deadline:
                return f"nothing answers on the tablets' listener {host}:{port} ({exc.strerror or exc})"
            time.sleep(0.1)
