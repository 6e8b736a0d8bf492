"""A real hub (its own process, on a free loopback port) with an enrolled edge whose store the
tests open in this process; everything started is stopped.

Building a hub and enrolling an edge takes a few seconds of CLI runs, so it is done once per
session and each test gets a fresh copy of both instance folders (same ports, run one at a time).
"""

from __future__ import annotations

import shutil

import pytest

from edge import store
from throughgate.stack import Stack


@pytest.fixture(scope="session")
def built_stack(tmp_path_factory) -> Stack:
    return Stack(tmp_path_factory.mktemp("courses-template") / "stack").build()


def running_copy(built: Stack, root) -> Stack:
    """A copy of the built hub and edge in `root`, its hub started."""
    shutil.copytree(built.root, root)
    copy = Stack(root, edge_id=built.edge_id)
    for name in ("hub_port", "broker_port", "mqtt_port", "api_port", "token"):
        setattr(copy, name, getattr(built, name))
    copy.start_hub()
    return copy


def stopped(copy: Stack) -> None:
    copy.stop()
    if store.db.obj is not None and not store.db.is_closed():
        store.db.close()


@pytest.fixture
def stack(built_stack, tmp_path):
    copy = running_copy(built_stack, tmp_path / "stack")
    yield copy
    stopped(copy)
