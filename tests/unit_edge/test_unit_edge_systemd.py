"""The edge speaks systemd's notify protocol to a real AF_UNIX datagram socket, and is silent without one."""

from __future__ import annotations

import logging
import socket
import threading
import uuid

import pytest

from edge import jobs
from edge.config import EdgeConfig
from edge.host import systemd


@pytest.fixture
def notify_socket(tmp_path):
    """A datagram socket bound where systemd's NOTIFY_SOCKET would be; yields (env, receive)."""
    path = tmp_path / "notify"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(2)
    yield {"NOTIFY_SOCKET": str(path)}, lambda: sock.recv(4096).decode()
    sock.close()


def test_ready_and_watchdog_reach_the_notify_socket(notify_socket):
    env, receive = notify_socket
    assert systemd.ready(env)
    assert receive() == "READY=1"
    assert systemd.watchdog(env)
    assert receive() == "WATCHDOG=1"


def test_an_abstract_notify_socket_is_reached_too():
    name = f"throughgate-test-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(2)
        assert systemd.notify("STATUS=hello", {"NOTIFY_SOCKET": "@" + name})
        assert sock.recv(100) == b"STATUS=hello"


def test_without_systemd_notify_does_nothing():
    assert systemd.ready({}) is False


def test_a_vanished_socket_is_logged_not_raised(tmp_path):
    assert systemd.watchdog({"NOTIFY_SOCKET": str(tmp_path / "gone")}) is False


@pytest.mark.parametrize(("env", "interval"), [
    ({"WATCHDOG_USEC": "30000000"}, 15.0),
    ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "4242"}, 15.0),
    ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}, None),  # meant for another process
    ({"WATCHDOG_USEC": "0"}, None),
    ({}, None),
])
def test_the_watchdog_pings_at_half_of_watchdog_usec(env, interval):
    assert systemd.watchdog_interval_s(env, pid=4242) == interval


class _Service:
    def __init__(self, tmp_path):
        self.config = EdgeConfig(instance=tmp_path, edge_id="edge-1")

    def __getattr__(self, name):
        return lambda: None


def test_the_watchdog_job_is_scheduled_only_under_a_systemd_watchdog(tmp_path, monkeypatch):
    monkeypatch.delenv("WATCHDOG_USEC", raising=False)
    assert jobs.schedule(_Service(tmp_path)).get_job("watchdog") is None
    monkeypatch.setenv("WATCHDOG_USEC", "20000000")
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    job = jobs.schedule(_Service(tmp_path)).get_job("watchdog")
    assert job.trigger.interval.total_seconds() == 10


def test_no_watchdog_ping_while_the_relay_worker_is_dead(notify_socket, tmp_path, monkeypatch):
    """A dead relay worker means tablets go unacked: the edge stops telling systemd it is alive."""
    from edge.intake.quota import Quota
    from edge.intake.relay import Relay
    from edge.service import EdgeService

    env, receive = notify_socket
    monkeypatch.setenv("NOTIFY_SOCKET", env["NOTIFY_SOCKET"])
    service = EdgeService(EdgeConfig(instance=tmp_path, edge_id="edge-1"))
    service.relay = Relay(service.config, "secret", Quota(1, lambda: 0))  # never started: no worker
    service.watchdog()
    with pytest.raises(TimeoutError):
        receive()


def test_a_course_sync_longer_than_its_interval_brings_no_skipped_warnings(tmp_path, caplog):
    """A second run starts while the first still downloads, finds the sync lock held and returns
    (the service's sync does so), instead of apscheduler warning "skipped" every interval."""

    class SlowSync(_Service):
        def __init__(self, tmp_path):
            super().__init__(tmp_path)
            self.config.courses.sync_interval_s = 0.5
            self.runs, self.done, self.lock = threading.Semaphore(0), threading.Event(), threading.Lock()

        def sync_courses(self):
            self.runs.release()
            if self.lock.acquire(blocking=False):  # as edge.courses.sync's lock
                try:
                    self.done.wait(30)
                finally:
                    self.lock.release()

    service = SlowSync(tmp_path)
    caplog.set_level(logging.WARNING, logger="apscheduler")
    scheduler = jobs.schedule(service)
    scheduler.start()
    try:
        assert service.runs.acquire(timeout=30) and service.runs.acquire(timeout=30)  # the second, during the first
    finally:
        service.done.set()
        scheduler.shutdown()
    assert not [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
