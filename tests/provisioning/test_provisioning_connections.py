"""The rules of provisioning/connections.py, with a clock the test moves: which connections are
admitted, when one is overdue, and how many a process with few open files may hold. The real
servers under slow clients are in tests/hub/test_hub_slow_connections.py."""

from __future__ import annotations

import socket

import pytest

from provisioning.connections import FILES_KEPT, Caps, ConnectionGuard, usable_total


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def sockets():
    made = []

    def make() -> socket.socket:
        made.append(socket.socket())
        return made[-1]

    yield make
    for sock in made:
        sock.close()


def test_one_address_gets_its_share_and_others_still_get_in(sockets):
    guard = ConnectionGuard(Caps(total=10, per_address=3))
    admitted = [guard.admit("10.0.0.1") for _ in range(5)]
    assert admitted == [True] * 3 + [False] * 2
    assert guard.admit("10.0.0.2") and guard.refused_total == 2


def test_the_total_cap_counts_every_address():
    guard = ConnectionGuard(Caps(total=4, per_address=3))
    assert [guard.admit(f"10.0.0.{n}") for n in range(6)] == [True] * 4 + [False] * 2


def test_a_closed_connection_frees_its_place(sockets):
    guard = ConnectionGuard(Caps(per_address=1))
    assert guard.admit("10.0.0.1")
    connection = sockets()
    guard.opened(connection, "10.0.0.1")
    assert not guard.admit("10.0.0.1")
    guard.released(connection)
    assert guard.admit("10.0.0.1") and guard.open_count("10.0.0.1") == 1


def test_a_connection_never_wrapped_frees_its_place_by_address():
    guard = ConnectionGuard(Caps(per_address=1))
    assert guard.admit("10.0.0.1")
    guard.released(None, "10.0.0.1")
    assert guard.admit("10.0.0.1")


def test_a_request_head_late_past_the_timeout_is_overdue_once_and_not_served(sockets):
    clock = Clock()
    guard = ConnectionGuard(Caps(head_timeout_s=30), clock)
    slow, quick = sockets(), sockets()
    for connection in (slow, quick):
        guard.admit("10.0.0.1")
        guard.opened(connection, "10.0.0.1")
    clock.now = 29
    assert guard.head_read(quick) and guard.overdue() == []
    clock.now = 30
    assert guard.overdue() == [slow] and guard.overdue() == []
    assert not guard.head_read(slow)  # what arrived before the cut is not a whole request
    assert guard.cut_total == 1


def test_a_kept_alive_connection_gets_a_new_timeout_for_each_request(sockets):
    clock = Clock()
    guard = ConnectionGuard(Caps(head_timeout_s=30), clock)
    connection = sockets()
    guard.admit("10.0.0.1")
    guard.opened(connection, "10.0.0.1")
    guard.head_read(connection)
    clock.now = 100  # answering took long: no deadline while a request is served
    assert guard.overdue() == []
    guard.waiting(connection)
    clock.now = 129
    assert guard.overdue() == []
    clock.now = 130
    assert guard.overdue() == [connection]


def test_without_caps_everything_is_admitted_and_nothing_is_overdue(sockets):
    guard = ConnectionGuard(Caps())
    connections = []
    for _ in range(200):
        assert guard.admit("10.0.0.1")
        connections.append(sockets())
        guard.opened(connections[-1], "10.0.0.1")
    assert guard.overdue() == []


@pytest.mark.parametrize("configured, open_files, usable", [(512, 1024, 512), (512, 200, 200 - FILES_KEPT),
                                                            (512, 10, 1), (100, 1_048_576, 100)])
def test_the_total_stays_under_the_open_file_limit(configured, open_files, usable):
    assert usable_total(configured, open_files) == usable

