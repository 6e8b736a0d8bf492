"""The console in real Chromium (Debian's /usr/bin/chromium, driven by playwright), on a real
hub, edge and Mosquitto: a tutor marks a submission a tablet sent, and the feedback reaches that
tablet over MQTT and the hub in the next batches; IT staff revoke a tablet and it is cut off.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import pytest

from edge.host import broker
from tablet import discovery
from tablet.client import TabletClient
from tablet.outbox import Outbox
from tests.conftest import FAST, copy_of
from tests.spine.waiting import wait_for
from throughgate.stack import CLI, Proc, free_port
from wire import xapi

PASSWORD = "a long staff passphrase"


def _throughgate(*args: str, stdin: str = "") -> str:
    done = subprocess.run([*CLI, *args], input=stdin, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def site(built_template, tmp_path_factory):
    """hub + edge + Mosquitto, two tablets, staff made with the CLI, and `throughgate edge console`."""
    if shutil.which("mosquitto") is None and not os.path.exists(broker.MOSQUITTO):
        pytest.skip("Mosquitto is not installed: `make test` installs it with apt-get")
    root = tmp_path_factory.mktemp("console-site")
    port = free_port()
    stack = copy_of(built_template, root / "stack", **FAST, console__port=port, console__rewards_every_s=0.5)
    console = None
    try:
        stack.start()
        edge = str(stack.edge_dir)
        _throughgate("edge", "classes", "add", "A", "--instance", edge)
        _throughgate("edge", "staff", "add", "tina", "--role", "tutor", "--class", "A", "--instance", edge,
                     stdin=PASSWORD + "\n")
        _throughgate("edge", "staff", "add", "ivan", "--role", "it", "--instance", edge, stdin=PASSWORD + "\n")
        _throughgate("edge", "staff", "add", "mary", "--role", "manager", "--instance", edge, stdin=PASSWORD + "\n")
        _throughgate("edge", "classes", "assign", "A", "--learner", "L-A1", "--instance", edge)
        devices = stack.add_devices(3)
        console = Proc("console", [*CLI, "edge", "console", "--instance", edge], root / "console.log").start()
        broker.wait_for_port("127.0.0.1", port, 20)
        yield stack, devices, f"https://127.0.0.1:{port}", root
    finally:
        if console:
            console.stop()
        stack.stop()


@pytest.fixture
def tablet(site, tmp_path):
    stack, devices, _, _ = site
    made = []

    def start(device: str) -> TabletClient:
        client = TabletClient(devices[device], "127.0.0.1", stack.mqtt_port, Outbox(str(tmp_path / f"{device}.db")),
                              ack_timeout=5).start()
        made.append(client)
        return client

    yield start
    for client in made:
        client.stop()
        client.outbox.close()


def _log_in(browser, url: str, username: str):
    context = browser.new_context(ignore_https_errors=True)  # the edge's certificate is for its own name
    page = context.new_page()
    page.goto(f"{url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    return context, page


def test_a_tutor_marks_a_submission_in_chromium_and_the_tablet_and_the_hub_get_the_feedback(site, browser, tablet,
                                                                                            record_property):
    stack, _, url, _ = site
    client = tablet("tab-0000")
    sent = client.submit("assignment_submission", "L-A1",
                         {"assignment": "essay-1", "course": "english-2", "attachments": [],
                          "text": "What the book taught me about patience."})
    assert client.wait_flushed(30), "the edge did not ack the submission"

    context, page = _log_in(browser, url, "tina")
    try:
        page.wait_for_url("**/submissions/")
        page.click(f"a[href='/submissions/{sent.id}']")
        assert "taught me about patience" in page.inner_text(".work")
        page.fill("input[name=grade]", "Merit")
        page.fill("textarea[name=feedback]", "Clear and honest. Next time, quote the book once or twice.")
        clicked = time.monotonic()
        page.click("#mark button[type=submit]")
        page.wait_for_selector("text=Marked. The feedback is on its way to L-A1's tablet (tab-0000)")
        assert page.inner_text(".grade") == "Merit"
        cookie = next(c for c in context.cookies() if c["name"] == "throughgate_console")
        assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    finally:
        context.close()

    feedback = wait_for(lambda: client.messages("feedback"), 30, "the feedback at the tablet", every=0.02)
    record_property("feedback_click_to_tablet_s", round(time.monotonic() - clicked, 3))  # measured, not asserted
    assert len(feedback) == 1
    assert feedback[0]["submission"] == sent.id and feedback[0]["grade"] == "Merit"
    assert feedback[0]["feedback"].startswith("Clear and honest") and feedback[0]["learner"] == "L-A1"

    at_hub = wait_for(lambda: stack.hub_records(kind="feedback"), 60, "the feedback record at the hub", every=0.05)
    record_property("feedback_click_to_hub_s", round(time.monotonic() - clicked, 3))
    assert [r["id"] for r in at_hub] == [feedback[0]["id"]]
    assert at_hub[0]["learner"] == "L-A1" and at_hub[0]["device"] == "console"
    assert at_hub[0]["payload"]["submission"] == sent.id and at_hub[0]["payload"]["marker"] == "tina"


def test_it_staff_revoke_a_tablet_in_chromium_and_it_is_cut_off(site, browser, tablet):
    stack, devices, url, _ = site
    client = tablet("tab-0001")
    wait_for(client.connected.is_set, 30, "the tablet to connect")
    context, page = _log_in(browser, url, "ivan")
    try:
        page.wait_for_url("**/tablets/")
        page.click("form[action='/tablets/tab-0001/revoke'] button")
        page.wait_for_selector("text=Tablet tab-0001 revoked")
        assert "its connection was closed" in page.inner_text(".flash")
    finally:
        context.close()
    wait_for(lambda: not client.connected.is_set(), 30, "the revoked tablet's connection to close")
    edge = discovery.Candidate("127.0.0.1", stack.mqtt_port, devices["tab-0001"].state.broker_name)
    assert "revoked" in (discovery.tls_error(edge, devices["tab-0001"]) or "")


def _complete(client: TabletClient, learner: str, units: tuple[str, ...]) -> None:
    for unit in units:
        client.submit("progress_statement", learner, xapi.statement(
            learner, "completed", xapi.activity_id("algebra-1", unit),
            result={"completion": True, "score": {"scaled": 0.9}}))
    assert client.wait_flushed(30), "the edge did not ack the statements"


def test_a_badge_earned_on_a_tablet_reaches_the_tablet_and_the_hub(site, browser, tablet):
    stack, _, url, _ = site
    client = tablet("tab-0002")
    _complete(client, "L-A2", ("unit-1", "unit-2"))
    context, page = _log_in(browser, url, "mary")
    try:
        page.goto(f"{url}/progress/learner/L-A2")
        assert "Units completed: 2" in page.inner_text("main")
        page.goto(f"{url}/rewards/")
        page.fill("input[name=badge]", "Algebra starter")
        page.select_option("select[name=measure]", "units")
        page.fill("input[name=threshold]", "2")
        page.fill("input[name=course]", "algebra-1")
        page.click("form[action='/rewards/rules'] button")
        page.wait_for_selector("text=1 badge(s) awarded now")
    finally:
        context.close()
    award = wait_for(lambda: client.messages("award"), 30, "the award at the tablet")
    assert [(a["badge"], a["learner"]) for a in award] == [("Algebra starter", "L-A2")]
    at_hub = wait_for(lambda: stack.hub_records(kind="award"), 60, "the award record at the hub")
    assert [(r["id"], r["learner"]) for r in at_hub] == [(award[0]["id"], "L-A2")]
    assert at_hub[0]["payload"]["rule"] == "complete at least 2 units in algebra-1"

    _complete(client, "L-A3", ("unit-1", "unit-2", "unit-3"))  # the console's reward job finds this one
    later = wait_for(lambda: [a for a in client.messages("award") if a["learner"] == "L-A3"], 30,
                     "the award the reward job made")
    assert [a["badge"] for a in later] == ["Algebra starter"]
