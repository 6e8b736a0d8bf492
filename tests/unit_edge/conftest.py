"""Fixtures the unit_edge tests share: `edge`, a copy of a real instance that `throughgate edge init` made
once per session (per worker), its store open, its server certificate and tablet CRL written (yields (config, files));
`instance`, a copy of one instance made once per session by `edge init`, its store not yet made (for tests
that load an old store into it)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import peewee as pw
import pytest
from storekit import catalogue_of, every_model

from edge import config as edge_config
from edge import identity, store
from edge.tablets import registry as tablets


@pytest.fixture(scope="session")
def edge_template(tmp_path_factory) -> Path:
    """What `throughgate edge init` makes (a second of CLI run), once per session: `edge` copies it (never
    changed itself)."""
    instance = tmp_path_factory.mktemp("edge-template") / "edge"
    subprocess.run([sys.executable, "-m", "throughgate", "edge", "init", "--instance", str(instance),
                    "--edge-id", "edge-1", "--hub-url", "https://127.0.0.1:9", "--system-broker"],
                   check=True, capture_output=True, timeout=60)
    return instance


@pytest.fixture
def edge(edge_template, tmp_path):
    copy = tmp_path / "edge"
    shutil.copytree(edge_template, copy)
    for conf in copy.rglob("*.conf"):  # the broker's configuration names its files by their full path
        conf.write_text(conf.read_text().replace(str(edge_template), str(copy)))
    config = edge_config.load(copy)
    store.open_store(str(config.db_path))
    files = identity.EdgeFiles(config.instance)
    identity.ensure_server_cert(files, config.edge_id, config.server_name)
    tablets.write_crl(files, config.tablets.crl_days)
    yield config, files
    store.db.close()


@pytest.fixture(scope="session")
def instance_template(tmp_path_factory) -> Path:
    instance = tmp_path_factory.mktemp("template") / "edge"
    subprocess.run([sys.executable, "-m", "throughgate", "edge", "init", "--instance", str(instance), "--edge-id",
                    "edge-1", "--hub-url", "https://hub.example.org"], check=True, capture_output=True, timeout=60)
    return instance


@pytest.fixture
def instance(instance_template, tmp_path) -> Path:
    copy = tmp_path / "edge"
    shutil.copytree(instance_template, copy)
    return copy


@pytest.fixture(scope="module")
def fresh_catalogue(tmp_path_factory) -> dict:
    """What peewee's create_tables of every current edge model makes (no migrations)."""
    path = tmp_path_factory.mktemp("fresh") / "models.db"
    database = pw.SqliteDatabase(str(path))
    store.db.initialize(database)
    database.create_tables(every_model())
    database.close()
    return catalogue_of(path)
