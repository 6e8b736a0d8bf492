"""The edge's tablet API serves the person's app at /app/ as the tablet side (edge/tablets/app_web.py): the same
built files as the hub's, the page marked data-side="tablet", and a policy that lets it frame the SCORM content
origin on the host the tablet asked for, and nothing else."""

from __future__ import annotations

import pytest

import webapp
from edge import store
from edge.config import EdgeConfig
from edge.tablets import api


@pytest.fixture
def tablet_api(tmp_path):
    if not webapp.built():
        pytest.fail(webapp.NOT_BUILT, pytrace=False)
    config = EdgeConfig(instance=tmp_path, edge_id="edge-1")
    store.open_store(str(config.db_path))
    yield api.create_app(config).test_client()
    store.db.close()


def test_the_tablet_api_serves_the_app_as_the_tablet_side_without_a_certificate(tablet_api):
    page = tablet_api.get("/app/", base_url="https://10.0.0.1:8443")
    assert page.status_code == 200
    assert 'data-side="tablet"' in page.get_data(as_text=True)
    policy = page.headers["Content-Security-Policy"]
    assert "frame-src 'self' https://10.0.0.1:8445;" in policy and "unsafe" not in policy
    worker = tablet_api.get("/app/sw.js", base_url="https://10.0.0.1:8443")
    assert worker.status_code == 200 and worker.headers["Service-Worker-Allowed"] == "/app/"
    assert worker.data == (webapp.DIST / "sw.js").read_bytes()
