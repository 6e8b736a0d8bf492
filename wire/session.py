"""Persistent MQTT v5 sessions, as both the relay and the tablet client open them.

- clean start off with a session expiry, so the broker keeps subscriptions and queued
  QoS 1 messages while a client is away;
- a cap on unacknowledged QoS 1 publishes far below paho's 65,535 message ids;
- Receive Maximum tells the broker how many unacknowledged messages this client can take;
- no Nagle delay on the socket.
"""

from __future__ import annotations

import contextlib
import socket

from paho.mqtt.client import CallbackAPIVersion, Client
from paho.mqtt.enums import MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

SESSION_EXPIRY_S = 14 * 24 * 3600


def persistent_client(username: str, password: str | None = None, *, inflight_cap: int,
                      manual_ack: bool = False, client_id: str | None = None) -> Client:
    """password None: no username or password in CONNECT (a tablet proves itself with its TLS
    certificate, and the broker takes the username from it). client_id: default the username (a second
    connection of the same user, on the loopback listener, needs its own)."""
    if not 1 <= inflight_cap <= 1000:
        raise ValueError("inflight_cap must be 1..1000 (paho's message ids wrap at 65,535)")
    client = Client(
        CallbackAPIVersion.VERSION2,
        client_id=client_id or username,  # on the tablets' listener the broker forces the username
        protocol=MQTTProtocolVersion.MQTTv5,
        manual_ack=manual_ack,
    )
    if password is not None:
        client.username_pw_set(username, password)
    client.max_inflight_messages_set(inflight_cap)
    client.max_queued_messages_set(0)  # our own outbox is the queue; paho only holds the window
    client.reconnect_delay_set(min_delay=1, max_delay=30)
    client.on_socket_open = _no_nagle
    return client


def _no_nagle(client, userdata, sock) -> None:
    """paho leaves Nagle on: each small ack would then wait ~40 ms for the peer's delayed ACK."""
    with contextlib.suppress(OSError, AttributeError):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def connect_properties(receive_maximum: int) -> Properties:
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = SESSION_EXPIRY_S
    props.ReceiveMaximum = receive_maximum
    return props


def connect_async(client: Client, host: str, port: int, receive_maximum: int, keepalive: int = 30) -> None:
    """Connect in the background (paho's loop retries until the broker answers)."""
    client.connect_async(host, port, keepalive=keepalive, clean_start=False,
                         properties=connect_properties(receive_maximum))
