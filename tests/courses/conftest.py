"""A real hub (its own process, on a free loopback port) with an enrolled edge whose store the
tests open in this process; everything started is stopped.

Building a hub and enrolling an edge takes a few seconds of CLI runs, so it is done once per
session (tests/conftest.py's built_template, shared with the other end-to-end tests) and each test
gets a fresh copy of both instance folders, on ports of its own.
"""

from __future__ import annotations

import pytest

from edge import store
from tests.conftest import copy_of
from throughgate.stack import Stack


@pytest.fixture(scope="session")
def built_stack(built_template) -> Stack:
    return built_template


def running_copy(built: Stack, root) -> Stack:
    """A copy of the built hub and edge in `root`, its hub started."""
    copy = copy_of(built, root)
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
