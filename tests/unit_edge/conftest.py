"""The `edge` fixture the unit_edge tests share: a real instance from `throughgate edge init`, its
store open, its server certificate and tablet CRL written; yields (config, files)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from edge import config as edge_config
from edge import identity, store
from edge.tablets import registry as tablets


@pytest.fixture
def edge(tmp_path):
    subprocess.run([sys.executable, "-m", "throughgate", "edge", "init", "--instance", str(tmp_path / "edge"),
                    "--edge-id", "edge-1", "--hub-url", "https://127.0.0.1:9", "--system-broker"],
                   check=True, capture_output=True, timeout=60)
    config = edge_config.load(tmp_path / "edge")
    store.open_store(str(config.db_path))
    files = identity.EdgeFiles(config.instance)
    identity.ensure_server_cert(files, config.edge_id, config.server_name)
    tablets.write_crl(files, config.tablets.crl_days)
    yield config, files
    store.db.close()
