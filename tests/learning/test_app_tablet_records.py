"""The app's way in on a managed tablet: records over the tablet API's HTTPS (edge/tablets/records_api.py), into
the relay's own commit (edge.intake.commit.Intake), against a real tablet API with client certificates.

Acknowledged only after the commit; a resend acknowledged again and stored once (also after it came over MQTT's
path); another tablet's learner and a bad record refused with their reasons; down messages fetched and counted
delivered only once the tablet acknowledges them; nothing without the tablet's certificate or from another
site."""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
import uuid

import pytest

from edge import store
from edge.config import EdgeConfig, TabletsConfig
from edge.console import tables as console_tables
from edge.downlink import messages
from edge.downlink.tables import DownMessage
from edge.identity import EdgeFiles, create_tablet_ca, ensure_server_cert
from edge.intake.rules import Arrived
from edge.tablets.api import TabletApiServer
from tests.learning.apptabletkit import assignment, call, enrol_bound, intake_for
from wire import topics

EDGE = "edge-1"


class FailsOnce:
    """An observer whose first write fails inside the relay's transaction (as a full disk would)."""

    name = "fails-once"

    def __init__(self):
        self.failed = False

    def prepare(self, rows):
        return rows

    def write(self, prepared):
        if not self.failed:
            self.failed = True
            raise OSError("disk full")


@pytest.fixture(scope="module")
def edge(tmp_path_factory):
    root = tmp_path_factory.mktemp("app-records")
    config = EdgeConfig(instance=root / "edge", edge_id=EDGE, tablets=TabletsConfig(api_port=0))
    files = EdgeFiles(config.instance)
    create_tablet_ca(files, EDGE)
    ensure_server_cert(files, EDGE, config.server_name)
    store.open_store(str(config.db_path))
    failing = FailsOnce()
    intake = intake_for(config, failing)
    failing.failed = True  # armed by the test that needs it
    server = TabletApiServer(config, intake=intake).start()
    tablets = {device: enrol_bound(config, root / device, device, learner, server.port)
               for device, learner in (("tab-a", "L-A"), ("tab-b", "L-B"))}
    yield {"config": config, "server": server, "tablets": tablets, "intake": intake, "failing": failing}
    server.stop()
    store.db.close()


def _stored(record_id: str) -> int:
    return store.Received.select().where(store.Received.id == record_id).count()


def _send(edge, device: str, *records, headers=None):
    return call(edge["tablets"][device], "POST", "/v1/tablets/records", {"records": list(records)}, headers)


def test_a_record_is_acknowledged_after_its_commit_and_a_resend_is_acknowledged_but_stored_once(edge):
    record = assignment("L-A", 1)
    status, answer = _send(edge, "tab-a", record)
    assert (status, answer) == (200, {"acked": [record["id"]], "refused": [], "committed": 1})
    assert _stored(record["id"]) == 1
    tutors = console_tables.LearningRecord.select().where(console_tables.LearningRecord.id == record["id"]).count()
    assert tutors == 1  # the observers' copies are made in the same commit, as on MQTT
    status, again = _send(edge, "tab-a", record, record)
    assert (status, again["acked"], again["committed"]) == (200, [record["id"], record["id"]], 0)
    assert _stored(record["id"]) == 1


def test_a_failed_commit_acknowledges_nothing_and_the_resend_is_stored(edge):
    record = assignment("L-A", 2)
    edge["failing"].failed = False  # the next commit fails
    status, answer = _send(edge, "tab-a", record)
    assert status == 503 and answer["error"] == "not_committed" and "send it again" in answer["reason"]
    assert _stored(record["id"]) == 0
    status, answer = _send(edge, "tab-a", record)
    assert (status, answer["acked"]) == (200, [record["id"]]) and _stored(record["id"]) == 1


def test_a_record_in_another_tablets_learners_name_is_refused_with_the_reason(edge):
    theirs, own = assignment("L-B", 3), assignment("L-A", 4)
    status, answer = _send(edge, "tab-a", theirs, own)
    assert status == 200 and answer["acked"] == [own["id"]]
    [refused] = answer["refused"]
    assert (refused["id"], refused["code"]) == (theirs["id"], "learner_mismatch")
    assert "bound to learner L-A" in refused["reason"] and "L-B" in refused["reason"]
    assert _stored(theirs["id"]) == 0 and _stored(own["id"]) == 1


def test_a_bad_record_is_refused_with_its_reason_and_the_rest_of_the_batch_is_kept(edge):
    no_seq = assignment("L-A", 5)
    del no_seq["seq"]
    staff = {**assignment("L-A", 6), "kind": "feedback"}
    full = assignment("L-A", 7)
    full["payload"]["text"] = "x" * 70_000
    good = assignment("L-A", 8)
    status, answer = _send(edge, "tab-a", no_seq, staff, full, good)
    assert status == 200 and answer["acked"] == [good["id"]]
    refused = {r["id"]: (r["code"], r["reason"]) for r in answer["refused"]}
    assert refused[no_seq["id"]] == ("bad_schema", "missing field(s): seq")
    assert refused[staff["id"]][0] == "unknown_kind"
    assert refused[None][0] == "too_large"  # (a record too large to read has no id the edge can name)
    assert [_stored(r["id"]) for r in (no_seq, staff, full, good)] == [0, 0, 0, 1]


def test_a_record_that_came_over_mqtts_path_is_acknowledged_over_https_and_stored_once(edge):
    record = assignment("L-A", 9)
    payload = json.dumps(record, separators=(",", ":")).encode()
    taken = edge["intake"].take([Arrived(topics.up("tab-a"), payload, 1, 1)])  # what the relay's worker does
    assert taken.result.acks == {"tab-a": [record["id"]]}
    status, answer = _send(edge, "tab-a", record)
    assert (status, answer["acked"], answer["committed"]) == (200, [record["id"]], 0)
    assert _stored(record["id"]) == 1


def test_down_messages_are_delivered_only_when_the_tablet_acknowledges_them(edge):
    message = {"type": "feedback", "id": str(uuid.uuid4()), "learner": "L-A", "submission": str(uuid.uuid4()),
               "assignment": "essay-3", "grade": "Merit", "feedback": "Clear and honest.", "marker": "tina"}
    with store.writing():
        messages.add("tab-a", message)
    status, down = call(edge["tablets"]["tab-a"], "GET", "/v1/tablets/down")
    assert status == 200 and down["messages"] == [message] and down["waiting"] == 1
    assert call(edge["tablets"]["tab-b"], "GET", "/v1/tablets/down")[1] == {"messages": [], "waiting": 0}
    # fetched is not delivered; another tablet's acknowledgement changes nothing
    assert DownMessage.get(DownMessage.message_id == message["id"]).acked is None
    assert call(edge["tablets"]["tab-b"], "POST", "/v1/tablets/down/ack", {"ids": [message["id"]]}) == \
        (200, {"waiting": 0})
    assert DownMessage.get(DownMessage.message_id == message["id"]).acked is None
    assert call(edge["tablets"]["tab-a"], "POST", "/v1/tablets/down/ack", {"ids": [message["id"]]}) == \
        (200, {"waiting": 0})
    assert messages.delivery_of(message["id"]).delivered
    assert call(edge["tablets"]["tab-a"], "GET", "/v1/tablets/down")[1] == {"messages": [], "waiting": 0}


def test_the_tablet_learns_its_learner_and_plan(edge):
    status, me = call(edge["tablets"]["tab-b"], "GET", "/v1/tablets/me")
    assert status == 200 and (me["device"], me["edge"], me["learner"]) == ("tab-b", EDGE, "L-B")
    assert me["plan"]["learner"] == "L-B" and me["plan"]["release"]["pathway"] == "release"


def test_nothing_is_taken_from_another_site_or_without_the_tablets_certificate(edge):
    record = assignment("L-A", 10)
    status, answer = _send(edge, "tab-a", record, headers={"Sec-Fetch-Site": "cross-site"})
    assert (status, answer["error"]) == (403, "cross_origin")
    tablet = edge["tablets"]["tab-a"]
    status, answer = call(tablet, "POST", "/v1/tablets/records", None, {"Content-Type": "text/plain"})
    assert status == 415
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # (who the server is is not the point)
    url = f"https://127.0.0.1:{edge['server'].port}/v1/tablets/me"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, context=context, timeout=10)  # noqa: S310 (our own test server)
    assert refused.value.code == 401
    assert _stored(record["id"]) == 0
