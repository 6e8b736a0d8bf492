"""Fixtures for the tablet tests: an edge's tablet CA, a tablet enrolled with it, and TLS
listeners that serve a CA's edge server certificate on 127.0.0.1."""

from __future__ import annotations

import pytest

from provisioning.https import server_context
from tests.unit_tablet.tabletkit import EdgeCa, TlsListener


@pytest.fixture
def edge_ca() -> EdgeCa:
    return EdgeCa.make()


@pytest.fixture
def identity(edge_ca, tmp_path):
    return edge_ca.enrol(tmp_path / "tablet")


@pytest.fixture
def listener_for(tmp_path):
    """listener_for(ca) -> a TlsListener serving that CA's server certificate; stopped afterwards."""
    started: list[TlsListener] = []

    def make(ca: EdgeCa) -> TlsListener:
        paths = ca.write_server_files(tmp_path / f"server{len(started)}")
        listener = TlsListener(server_context(paths["cert"], paths["key"], paths["ca"])).start()
        started.append(listener)
        return listener

    yield make
    for listener in started:
        listener.stop()
