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


@pytest.fixture
def stack(built_stack, tmp_path):
    root = tmp_path / "stack"
    shutil.copytree(built_stack.root, root)
    copy = Stack(root, edge_id=built_stack.edge_id)
    for name in ("hub_port", "broker_port", "mqtt_port", "api_port", "token"):
        setattr(copy, name, getattr(built_stack, name))
    copy.start_hub()
    yield copy
    copy.stop()
    if not store.db.is_closed():
        store.db.close()
