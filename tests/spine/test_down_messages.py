"""Down messages are delivered, not just sent: a tutor's feedback reaches the tablet exactly once although the
tablet's session was wiped (clean start, as the by-hand example in docs/protocol.md connects), Mosquitto was
restarted or the edge was restarted in between; the console's count is of messages the tablet has not
acknowledged; an acknowledgement for an unknown id or another tablet's message changes nothing; a burst of
"listening" from one tablet republishes each waiting message at most once within relay.down_listen_quiet_s,
and a reconnect after that still gets everything waiting.

Real processes: the edge (`edge run`: relay and down-message publisher), its Mosquitto, the hub; the tablet is
the reference client through `throughgate tablet send` and `tablet status`."""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from paho.mqtt.client import MQTT_CLEAN_START_FIRST_ONLY, CallbackAPIVersion, Client
from paho.mqtt.enums import MQTTProtocolVersion

from edge import config as edge_config
from edge import store
from edge.downlink import messages
from edge.downlink.tables import DownMessage
from tests.conftest import FAST, copy_of
from tests.spine.waiting import wait_for
from throughgate.cli import main
from wire import topics
from wire.records import timestamp

QUIET_S = 60.0
"""relay.down_listen_quiet_s here: a "listening" gets again only what was not sent in this long. Far longer than
the burst test's 50 "listenings" take however loaded the machine; a test that needs the window over moves the
messages' time of sending back by it (_quiet), where a 6 s window was waited out 5 times and a slow burst failed."""


@pytest.fixture(scope="module")
def stack(built_template, tmp_path_factory):
    made = copy_of(built_template, tmp_path_factory.mktemp("down") / "stack", **FAST,
                   relay__down_listen_quiet_s=QUIET_S)
    made.start()
    made.tablets = made.add_devices(2)
    store.open_store(str(edge_config.load(made.edge_dir).db_path))  # the console's side: it writes messages here
    yield made
    store.db.close()
    made.stop()


def _feedback(device: str, learner: str = "L-0042") -> dict:
    """What marking writes (edge.console.marking), in the same store the console writes to."""
    message = {"type": "feedback", "id": str(uuid.uuid4()), "learner": learner, "submission": str(uuid.uuid4()),
               "assignment": "essay-3", "grade": "Merit", "feedback": "Clear and honest.", "marker": "tina"}
    with store.writing():
        messages.add(device, message)
    return message


def _row(message: dict) -> DownMessage:
    return DownMessage.get(DownMessage.message_id == message["id"])


def _quiet(device: str) -> None:
    """The quiet window over for `device`: what waits for it was last sent QUIET_S ago (in the store the edge
    decides from, as if that time had passed), so its next "listening" gets it all."""
    long_ago = timestamp(datetime.now(UTC) - timedelta(seconds=QUIET_S + 1))
    with store.writing():
        (DownMessage.update(sent=long_ago)
         .where(DownMessage.device == device, DownMessage.acked.is_null(), DownMessage.sent.is_null(False)).execute())


def _wipe_session(stack, tablet) -> None:
    """Connect as the tablet with a clean start and no session expiry, then leave: Mosquitto forgets its session
    and drops whatever it queued for it (what `mosquitto_rr` in docs/protocol.md does)."""
    connected = threading.Event()
    client = Client(CallbackAPIVersion.VERSION2, client_id=tablet.device, protocol=MQTTProtocolVersion.MQTTv5)
    client.tls_set_context(tablet.ssl_context())
    client.on_connect = lambda *a: connected.set()
    client.connect("127.0.0.1", stack.mqtt_port, clean_start=True)
    client.loop_start()
    try:
        assert connected.wait(15), "the tablet could not connect"
    finally:
        client.disconnect()
        client.loop_stop()


def _send(tablet, capsys) -> list[str]:
    """`throughgate tablet send` with nothing of its own to send: the lines it prints."""
    capsys.readouterr()
    assert main(["tablet", "send", "--folder", str(tablet.folder), "--timeout", "30"]) == 0, capsys.readouterr()
    return capsys.readouterr().out.splitlines()


def _inbox(tablet) -> list[dict]:
    from tablet.outbox import Outbox

    outbox = Outbox(str(tablet.outbox_path))
    try:
        return outbox.messages()
    finally:
        outbox.close()


NEW_LINE = "  new feedback for L-0042 on essay-3: grade Merit: Clear and honest."


def test_feedback_marked_after_a_clean_session_reaches_the_tablet_exactly_once(stack, capsys):
    tablet = stack.tablets["tab-0000"]
    assert _send(tablet, capsys) == ["acked=0 pending=0 rejected=0"]  # its session now exists at the broker
    message = _feedback(tablet.device)
    assert messages.summary().waiting >= 1  # the console counts it until the tablet acknowledges it
    wait_for(lambda: _row(message).sent, 20, "the edge to publish the feedback to the broker")
    _wipe_session(stack, tablet)  # the broker's queued copy is gone with the session
    assert _row(message).acked is None
    _quiet(tablet.device)

    assert _send(tablet, capsys) == ["acked=0 pending=0 rejected=0", NEW_LINE]
    assert _inbox(tablet) == [message]
    row = _row(message)
    assert row.acked is not None and messages.delivery_of(message["id"]).delivered
    assert _send(tablet, capsys) == ["acked=0 pending=0 rejected=0"]  # nothing again: it was acknowledged
    assert _inbox(tablet) == [message]


def test_feedback_survives_a_broker_restart_and_an_edge_restart(stack, capsys):
    tablet = stack.tablets["tab-0000"]
    across_broker = _feedback(tablet.device)
    wait_for(lambda: _row(across_broker).sent, 20, "the edge to publish the feedback to the broker")
    stack.broker.stop()
    stack.start_broker()
    _wipe_session(stack, tablet)

    stack.edge.stop()
    across_edge = _feedback(tablet.device)  # written while the edge is down
    stack.start_edge()
    _quiet(tablet.device)

    lines = _send(tablet, capsys)
    assert lines[0] == "acked=0 pending=0 rejected=0" and sorted(lines[1:]) == [NEW_LINE, NEW_LINE]
    assert [m["id"] for m in _inbox(tablet)][-2:] == [across_broker["id"], across_edge["id"]]
    assert len({m["id"] for m in _inbox(tablet)}) == len(_inbox(tablet))  # each kept once
    assert _row(across_broker).acked and _row(across_edge).acked


def test_tablet_status_collects_waiting_messages_first(stack, capsys):
    tablet = stack.tablets["tab-0000"]
    message = _feedback(tablet.device)
    wait_for(lambda: _row(message).sent, 20, "the edge to publish the feedback to the broker")
    _wipe_session(stack, tablet)
    _quiet(tablet.device)
    capsys.readouterr()
    assert main(["tablet", "status", "--folder", str(tablet.folder), "--timeout", "30"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == NEW_LINE.replace("new ", "")
    assert _row(message).acked is not None



@contextlib.contextmanager
def _tablet_connection(stack, tablet, on_message, clean_start=MQTT_CLEAN_START_FIRST_ONLY):
    """An MQTT 5 connection with the tablet's certificate, subscribed to its down topic, as an app makes it."""
    subscribed = threading.Event()
    client = Client(CallbackAPIVersion.VERSION2, client_id=tablet.device, protocol=MQTTProtocolVersion.MQTTv5)
    client.tls_set_context(tablet.ssl_context())
    client.on_connect = lambda c, *a: c.subscribe(topics.down(tablet.device), qos=1)
    client.on_subscribe = lambda *a: subscribed.set()
    client.on_message = on_message
    client.connect("127.0.0.1", stack.mqtt_port, clean_start=clean_start)
    client.loop_start()
    try:
        assert subscribed.wait(15)
        yield client
    finally:
        client.disconnect()
        client.loop_stop()

def test_an_ack_for_an_unknown_id_or_another_tablets_message_changes_nothing_and_a_bad_one_is_refused(stack):
    mine, other = stack.tablets["tab-0000"], stack.tablets["tab-0001"]
    theirs = _feedback(other.device, learner="L-0077")
    wait_for(lambda: _row(theirs).sent, 20, "the edge to publish the other tablet's feedback")
    answers: list[dict] = []
    with _tablet_connection(stack, mine, lambda c, u, m: answers.append(json.loads(m.payload))) as client:
        forged = topics.down_ack_message([theirs["id"], str(uuid.uuid4())])
        client.publish(topics.up(mine.device), forged, qos=1).wait_for_publish(10)
        wait_for(lambda: {"type": "down_waiting", "count": 0} in answers, 20, "the relay's answer")
        client.publish(topics.up(mine.device), b'{"type":"down_ack","ids":"all of them"}', qos=1)
        refused = wait_for(lambda: [a for a in answers if a["type"] == "error"], 20, "the relay's refusal")
        assert refused[0]["code"] == "bad_schema" and refused[0]["id"] is None
        assert "at most 100 message ids" in refused[0]["reason"]
    assert _row(theirs).acked is None and not messages.delivery_of(theirs["id"]).delivered
    assert messages.waiting(other.device) >= 1


def test_a_burst_of_listening_republishes_each_waiting_message_at_most_once_and_a_later_reconnect_gets_all(
        stack, capsys):
    tablet = stack.tablets["tab-0001"]
    for _ in range(3):
        _feedback(tablet.device, learner="L-0077")

    def waiting() -> list[DownMessage]:
        return list(DownMessage.select().where(DownMessage.device == tablet.device, DownMessage.acked.is_null()))

    wait_for(lambda: all(row.sent for row in waiting()), 20, "the edge to publish the feedback to the broker")
    _quiet(tablet.device)
    before = {row.message_id: row.attempts for row in waiting()}

    # an app that never acknowledges, saying it is listening 50 times in a burst
    received: list[str] = []
    answers: list[int] = []

    def on_message(c, u, m):
        body = json.loads(m.payload)
        if body.get("type") == "down_waiting":
            answers.append(body["count"])
        elif body.get("type") == "feedback":
            received.append(body["id"])

    with _tablet_connection(stack, tablet, on_message, clean_start=True) as client:
        started = time.monotonic()
        for sent in range(1, 51):  # each after the last one's answer: 50 commits, not one batch the relay merges
            client.publish(topics.up(tablet.device), topics.down_ack_message([]), qos=1)
            wait_for(lambda: len(answers) >= sent, 10, "the relay's answer", every=0.005)  # noqa: B023
        wait_for(lambda: set(received) >= set(before), 20, "the waiting messages")
        time.sleep(1.0)  # anything republished twice would be here by now
        elapsed = time.monotonic() - started
    assert elapsed < QUIET_S, f"the burst took {elapsed:.1f} s, longer than the quiet window: the test proves nothing"
    assert set(answers) == {len(before)}
    assert Counter(received) == Counter(set(before))  # each waiting message once, none twice
    assert {row.message_id: row.attempts for row in waiting()} == {k: v + 1 for k, v in before.items()}

    _quiet(tablet.device)  # a real reconnect after the quiet window gets everything waiting
    lines = _send(tablet, capsys)
    assert lines[0] == "acked=0 pending=0 rejected=0" and len(lines) == 1 + len(before)
    assert {m["id"] for m in _inbox(tablet)} >= set(before)
    assert messages.waiting(tablet.device) == 0
