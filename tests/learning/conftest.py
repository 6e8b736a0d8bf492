"""Fixtures for the learning tests: an edge's real tablet API (TLS, client certificates) in this
process, with small attachment limits, and two tablets enrolled with it."""

from __future__ import annotations

import pytest

from edge import store
from edge.config import AttachmentsConfig, EdgeConfig, TabletsConfig
from edge.identity import EdgeFiles, create_tablet_ca, ensure_server_cert
from edge.tablets.api import TabletApiServer
from tests.learning.learningkit import enrol_tablet, open_store

EDGE = "edge-1"
LIMITS = AttachmentsConfig(max_bytes=512 * 1024, chunk_bytes=64 * 1024, types="image/png,audio/wav")


@pytest.fixture
def edge_api(tmp_path):
    """(config, server, {"tab-a": identity, "tab-b": identity}); the server is stopped afterwards."""
    config = EdgeConfig(instance=tmp_path / "edge", edge_id=EDGE, tablets=TabletsConfig(api_port=0),
                        attachments=LIMITS)
    files = EdgeFiles(config.instance)
    create_tablet_ca(files, EDGE)
    ensure_server_cert(files, EDGE, config.server_name)
    open_store(config)
    server = TabletApiServer(config).start()
    tablets = {device: enrol_tablet(config, tmp_path / device, device, server.port) for device in ("tab-a", "tab-b")}
    yield config, server, tablets
    server.stop()
    store.db.close()
