"""GET /metrics of a real `throughgate edge run` ([metrics] port set), scraped as Prometheus does, after real
traffic: a tablet's records committed and one refused, a batch delivered to the hub, then the hub away and
a record waiting with its alarm. Parsed with prometheus_client's own parser; without the token, nothing."""

from __future__ import annotations

import socket
import ssl
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from edge import identity
from tablet.outbox import Outbox
from throughgate.stack import free_port

from .waiting import wait_for

LEARNER = "L-0042"
HUB_TOKEN = "hub-scrape-" + "h" * 32


def tablet(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "throughgate", "tablet", *args], capture_output=True, text=True,
                          timeout=120)


def scrape(stack, port: int, token: str | None, hub: bool = False) -> tuple[int, str]:
    """GET /metrics as Prometheus would: HTTPS trusting the edge's CA (or the hub's root), with a bearer token."""
    ca = stack.hub_root if hub else identity.EdgeFiles(stack.edge_dir).ca_cert
    context = ssl.create_default_context(cafile=str(ca))
    context.check_hostname = False  # the edge's certificate names it (edge-1.throughgate.internal), not 127.0.0.1
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    request = urllib.request.Request(f"https://127.0.0.1:{port}/metrics", headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30, context=context) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def values(text: str) -> dict[tuple[str, tuple], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


@pytest.fixture
def metered(stack_factory):
    port = free_port()
    stack = stack_factory(metrics__port=port)
    (stack.hub_dir / "metrics.token").write_text(HUB_TOKEN)
    stack.start()
    return stack, port, (stack.edge_dir / "metrics.token").read_text().strip()


def test_edge_metrics_count_commits_refusals_deliveries_and_show_the_backlog_and_alarms(metered):
    stack, port, token = metered
    (device,) = stack.add_devices(1).values()
    folder = str(device.folder)
    outbox = Outbox(str(device.outbox_path))
    outbox.add("progress_statement", LEARNER, {"verb": "completed", "object": "unit-2"}, check=False)  # refused
    outbox.close()
    for text in ("hello", "again"):
        assert tablet("submit", "--folder", folder, "--kind", "message", "--learner", LEARNER,
                      "--payload", f'{{"text": "{text}"}}').returncode == 0
    tablet("send", "--folder", folder, "--timeout", "60")

    def delivered_counted():
        found = values(scrape(stack, port, token)[1])
        return found if found.get(("throughgate_edge_records_delivered_total", ())) == 2 else None

    found = wait_for(delivered_counted, 60, "2 records delivered in the edge's metrics")
    at_hub = values(scrape(stack, stack.hub_port, HUB_TOKEN, hub=True)[1])
    assert at_hub[("throughgate_hub_records_stored_total", ())] == 2
    batches = found[("throughgate_edge_batches_delivered_total", ())]
    assert at_hub[("throughgate_hub_batches_stored_total", ())] == batches >= 1
    assert found[("throughgate_edge_records_committed_total", ())] == 2
    assert found[("throughgate_edge_records_refused_total", (("code", "bad_schema"),))] == 1
    assert found[("throughgate_edge_relay_commit_seconds_count", ())] >= 1
    assert found[("throughgate_edge_backlog_records", ())] == 0
    assert found[("throughgate_edge_backlog_oldest_seconds", ())] == 0

    stack.hub.stop()  # the uplink fails: the record waits and the alarm is raised
    assert tablet("submit", "--folder", folder, "--kind", "message", "--learner", LEARNER,
                  "--payload", '{"text": "while the hub is away"}').returncode == 0
    tablet("send", "--folder", folder, "--timeout", "60")

    def alarmed():
        found = values(scrape(stack, port, token)[1])
        return found if ("throughgate_edge_alarm_active", (("code", "hub_unreachable"),)) in found else None

    found = wait_for(alarmed, 30, "the hub_unreachable alarm in the metrics")
    assert found[("throughgate_edge_backlog_records", ())] == 1 == stack.edge_status()["records_waiting"] + \
        stack.edge_status()["unsealed"]
    assert found[("throughgate_edge_backlog_bytes", ())] > 0
    assert found[("throughgate_edge_backlog_oldest_seconds", ())] > 0
    assert found[("throughgate_edge_delivery_failures_total", ())] >= 1
    assert found[("throughgate_edge_records_committed_total", ())] == 3


def test_edge_metrics_are_refused_without_the_token(metered):
    stack, port, token = metered
    for wrong in (None, "", "x" * len(token), stack.token):  # none, empty, a guess, the hub's admin token
        status, body = scrape(stack, port, wrong)
        assert status == 401 and "metrics.token" in body
    assert scrape(stack, port, token)[0] == 200


def test_an_edge_whose_metrics_port_is_taken_still_relays_and_says_what_to_do(stack_factory):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        stack = stack_factory(metrics__port=port).start()  # returns once the relay is subscribed
        (device,) = stack.add_devices(1).values()
        folder = str(device.folder)
        assert tablet("submit", "--folder", folder, "--kind", "message", "--learner", LEARNER,
                      "--payload", '{"text": "hello"}').returncode == 0
        assert tablet("send", "--folder", folder, "--timeout", "60").returncode == 0
    assert stack.edge_status()["received"] == 1
    log = (stack.root / "edge.log").read_text()
    assert f"metrics not served: cannot listen on 127.0.0.1:{port}" in log and "[metrics] port" in log
