"""Fixtures shared by the end-to-end tests: a real hub, edge and Mosquitto on loopback ports."""

from __future__ import annotations

import os
import shutil

import pytest

from throughgate.stack import Stack

# Fast timings for tests; the production defaults are in edge/config.py.
FAST = {
    "uplink__batch_age_s": 0.3,
    "uplink__interval_s": 0.2,
    "uplink__backoff_base_s": 0.2,
    "uplink__backoff_max_s": 1.0,
    "uplink__batch_records": 200,
}


def _need_mosquitto():
    if shutil.which("mosquitto") is None and not os.path.exists("/usr/sbin/mosquitto"):
        pytest.skip("Mosquitto is not installed: `make test` installs it with apt-get")


@pytest.fixture
def stack_factory(tmp_path):
    """Build a stack with chosen edge settings; everything started is stopped afterwards."""
    _need_mosquitto()
    made: list[Stack] = []

    def make(**settings) -> Stack:
        stack = Stack(tmp_path / f"stack{len(made)}", **{**FAST, **settings}).build()
        made.append(stack)
        return stack

    yield make
    for stack in made:
        stack.stop()


@pytest.fixture
def stack(stack_factory) -> Stack:
    """A running hub, edge and broker."""
    return stack_factory().start()
