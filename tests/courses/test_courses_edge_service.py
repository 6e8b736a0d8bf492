"""The running edge (`throughgate edge run`, its own process) syncs courses on its schedule and
serves them to a tablet over its tablet HTTPS API."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import shutil
import subprocess
import time

import pytest

from edge import config as edge_config
from tests.courses.courses_kit import coursekit, import_course
from throughgate.stack import CLI


def listed(stack) -> list[dict]:
    done = subprocess.run([*CLI, "edge", "courses", "list", "--json", "--instance", str(stack.edge_dir)],
                          capture_output=True, text=True, timeout=60)
    return json.loads(done.stdout or "[]")


def test_the_edge_syncs_on_its_schedule_and_serves_a_tablet(stack, tmp_path):
    if shutil.which("mosquitto") is None and not os.path.exists("/usr/sbin/mosquitto"):
        pytest.skip("Mosquitto is not installed: `make test` installs it with apt-get")
    cfg = edge_config.load(stack.edge_dir)
    cfg.courses.sync_interval_s = 0.5
    (stack.edge_dir / edge_config.CONFIG_NAME).write_text(edge_config.dump(cfg))
    members = coursekit.build_native_zip(tmp_path / "v1.zip")
    import_course(stack, tmp_path / "v1.zip")
    tablet = stack.add_devices(1)["tab-0000"]
    stack.start_broker()
    stack.start_edge()

    deadline = time.monotonic() + 30  # a bound on waiting, not a timed assertion
    while not any(row["current"] == 1 for row in listed(stack)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [row["status"] for row in listed(stack)] == ["completed"]

    sha = hashlib.sha256(members["index.html"]).hexdigest()
    conn = http.client.HTTPSConnection("127.0.0.1", stack.api_port, context=tablet.ssl_context(), timeout=30)
    try:
        conn.request("GET", f"/v1/content/{sha}")
        response = conn.getresponse()
        assert (response.status, response.read()) == (200, members["index.html"])
    finally:
        conn.close()
