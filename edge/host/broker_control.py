"""Talking to the running broker's dynamic security plugin (edge/host/broker_acl.py) over
$CONTROL/dynamic-security/v1, as the relay's user on the loopback listener.

    grant(config, device)        enrolment: the tablet's client and role, before it gets its certificate
    sync(config, devices)        the plugin's clients and roles made equal to the edge's list of tablets
    AclKeeper(config).tick()     the edge's job: sync when the list changed, or every FULL_SYNC_S anyway

The plugin answers on $CONTROL/dynamic-security/v1/response, to every subscriber: each command carries
a correlation id and only our own answers are read.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterable

from edge.host import broker_acl

log = logging.getLogger(__name__)

TIMEOUT_S = 10.0
COMMANDS_PER_MESSAGE = 100  # a message stays far below max_packet_size (edge.host.broker.MAX_PACKET_SIZE)
FULL_SYNC_S = 600.0
HARMLESS = ("already exists",)  # what a grant may be told about a tablet enrolled before


class ControlError(RuntimeError):
    """The broker could not be reached, refused the control connection, or refused a command."""


class Control:
    """One short connection to the plugin: `with Control(...) as control: control.run([...])`."""

    def __init__(self, host: str, port: int, username: str, password: str, timeout: float = TIMEOUT_S):
        from paho.mqtt.client import CallbackAPIVersion, Client
        from paho.mqtt.enums import MQTTProtocolVersion

        self.host, self.port, self.timeout = host, port, timeout
        # An underscore: no tablet's client id (a DNS label) can take this connection over, nor this one a tablet's.
        self.client = Client(CallbackAPIVersion.VERSION2, client_id=f"edge_acl_{secrets.token_hex(6)}",
                             protocol=MQTTProtocolVersion.MQTTv5)
        self.client.username_pw_set(username, password)
        self.answers: dict[str, dict] = {}
        self._changed = threading.Condition()
        self._connack: list = []
        self._suback: list = []
        self.client.on_connect = lambda c, u, f, reason, p: self._note(self._connack, reason)
        self.client.on_subscribe = lambda c, u, mid, reasons, p: self._note(self._suback, reasons[0])
        self.client.on_message = self._on_message

    def _note(self, box: list, value) -> None:
        with self._changed:
            box.append(value)
            self._changed.notify_all()

    def _on_message(self, client, userdata, message) -> None:
        try:
            responses = json.loads(message.payload).get("responses", [])
        except (ValueError, AttributeError):
            return
        with self._changed:
            for response in responses:
                if isinstance(response, dict) and isinstance(response.get("correlationData"), str):
                    self.answers[response["correlationData"]] = response
            self._changed.notify_all()

    def _wait(self, ready: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + self.timeout
        with self._changed:
            while not ready():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ControlError(f"the broker on {self.host}:{self.port} gave no {what} within "
                                       f"{self.timeout:.0f} s")
                self._changed.wait(left)

    def __enter__(self) -> Control:
        try:
            self.client.connect(self.host, self.port, keepalive=30, clean_start=True)
        except OSError as exc:
            raise ControlError(f"nothing answers MQTT on {self.host}:{self.port} ({exc})") from None
        self.client.loop_start()
        try:
            self._wait(lambda: bool(self._connack), "answer to the relay's login")
            if self._connack[0].is_failure:
                raise ControlError(f"the broker refused the relay's login ({self._connack[0]})")
            self.client.subscribe(broker_acl.RESPONSE_TOPIC, qos=1)
            self._wait(lambda: bool(self._suback), "answer to the subscription")
            if self._suback[0].is_failure:
                raise ControlError("the broker refused the relay's control subscription: it does not run the dynamic "
                                   "security plugin with this edge's roles (see docs/edge.md, the generated Mosquitto "
                                   "configuration)")
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def run(self, commands: list[dict]) -> list[dict]:
        """Send the commands (in order, in as many messages as needed); return the plugin's answers in order."""
        answers = []
        for start in range(0, len(commands), COMMANDS_PER_MESSAGE):
            chunk = [{**command, "correlationData": secrets.token_hex(8)}
                     for command in commands[start:start + COMMANDS_PER_MESSAGE]]
            info = self.client.publish(broker_acl.CONTROL_TOPIC, json.dumps({"commands": chunk}), qos=1)
            ids = [command["correlationData"] for command in chunk]
            self._wait(lambda ids=ids: all(i in self.answers for i in ids), "answer from the dynamic security plugin")
            info.wait_for_publish(self.timeout)
            answers += [self.answers.pop(i) for i in ids]
        return answers


def _control(config) -> Control:
    return Control(config.broker.host, config.broker.port, config.broker.username,
                   config.relay_secret_path.read_text().strip())


def _check(commands: list[dict], answers: list[dict], harmless: tuple[str, ...] = ()) -> None:
    failed = [(command, answer["error"]) for command, answer in zip(commands, answers, strict=True)
              if answer.get("error") and not any(h in answer["error"] for h in harmless)]
    if failed:
        command, error = failed[0]
        raise ControlError(f"the dynamic security plugin refused {command['command']} "
                           f"({command.get('username') or command.get('rolename', '')}): {error}"
                           + (f", and {len(failed) - 1} more" if len(failed) > 1 else ""))


def grant(config, device: str) -> None:
    """Let an enrolled tablet use its own topics (raises ControlError when the broker cannot be told)."""
    commands = broker_acl.grant_commands(device)
    with _control(config) as control:
        _check(commands, control.run(commands), HARMLESS)


def sync(config, devices: Iterable[str]) -> int:
    """Make the plugin's clients and roles equal to what broker_acl.render gives for `devices` (the enrolled,
    unrevoked tablets). Returns how many commands that took (0: it was already in step)."""
    wanted = broker_acl.render(config.broker.username, devices)
    with _control(config) as control:
        found = control.run([{"command": "listClients", "verbose": True}, {"command": "listRoles", "verbose": True},
                             {"command": "getDefaultACLAccess"}])
        for answer in found:
            if answer.get("error"):
                raise ControlError(f"the dynamic security plugin refused {answer.get('command')}: {answer['error']}")
        clients, roles, access = (answer.get("data", {}) for answer in found)
        commands = broker_acl.plan(wanted, clients.get("clients", []), roles.get("roles", []), access.get("acls", []))
        if commands:
            _check(commands, control.run(commands))
    return len(commands)


class AclKeeper:
    """The edge's side of the plugin's list of tablets. `devices` gives the enrolled, unrevoked tablets."""

    def __init__(self, config, devices: Callable[[], list[str]], full_sync_s: float = FULL_SYNC_S):
        self.config, self.devices, self.full_sync_s = config, devices, full_sync_s
        self._synced: list[str] | None = None
        self._at = 0.0
        self._lock = threading.Lock()

    def tick(self) -> None:
        """Sync if the list of tablets changed since the last sync, or it is FULL_SYNC_S old; raises ControlError."""
        with self._lock:
            devices = sorted(self.devices())
            if devices == self._synced and time.monotonic() - self._at < self.full_sync_s:
                return
            changed = sync(self.config, devices)
            if changed:
                log.info("broker permissions updated for %d tablets (%d changes)", len(devices), changed)
            self._synced, self._at = devices, time.monotonic()

    def grant(self, device: str) -> None:
        with self._lock:
            grant(self.config, device)
