"""hub.address: the URL `hub tokens create` tells edges, and what `hub run` warns about PUBLIC_URL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from hub import address
from hub.address import Serving

NAMES = ["localhost", "127.0.0.1"]
SETTINGS = Path("/srv/hub/hub.toml")


def test_public_url_when_set_is_what_edges_are_told():
    assert address.edge_url("https://hub.example.org", Serving(1, "0.0.0.0", 8443), NAMES) == "https://hub.example.org"


def test_without_public_url_edges_are_told_the_running_hubs_port_under_a_name_on_its_certificate():
    assert address.edge_url(None, Serving(1, "127.0.0.1", 18080), NAMES) == "https://127.0.0.1:18080"
    assert address.edge_url(None, Serving(1, "0.0.0.0", 8443), ["hub.example.org"]) == "https://hub.example.org:8443"
    assert address.edge_url(None, Serving(1, "::1", 9000), ["::1"]) == "https://[::1]:9000"


def test_without_public_url_or_a_running_hub_no_url_is_made_up():
    assert address.edge_url(None, None, NAMES) is None


def test_a_public_url_on_another_port_than_the_served_one_is_named_with_both_ports():
    [problem] = address.problems("https://localhost:8080", "127.0.0.1", 18080, NAMES, SETTINGS)
    assert "names port 8080, but the hub serves on port 18080" in problem
    assert "--port 8080" in problem and "https://localhost:18080" in problem and str(SETTINGS) in problem


def test_a_loopback_public_url_while_listening_for_other_machines_is_named():
    problems = address.problems("https://localhost:8443", "0.0.0.0", 8443, NAMES, SETTINGS)
    assert len(problems) == 1 and "names this machine itself, but the hub listens on 0.0.0.0" in problems[0]


def test_a_public_url_host_missing_from_the_certificate_is_named():
    problems = address.problems("https://hub.example.org:443", "0.0.0.0", 443, NAMES, SETTINGS)
    assert len(problems) == 1 and "hub.example.org is not on the hub's certificate" in problems[0]


def test_a_plain_http_public_url_is_named():
    assert "edges speak only HTTPS" in address.problems("http://localhost:8080", "127.0.0.1", 8080, NAMES,
                                                        SETTINGS)[0]


def test_a_right_public_url_and_an_unset_one_on_loopback_raise_nothing():
    assert address.problems("https://localhost:8080", "127.0.0.1", 8080, NAMES, SETTINGS) == []
    assert address.problems(None, "127.0.0.1", 18080, NAMES, SETTINGS) == []
    [guess] = address.problems(None, "0.0.0.0", 8443, ["hub.example.org"], SETTINGS)
    assert "PUBLIC_URL is not set" in guess and "https://hub.example.org:8443" in guess


def test_a_record_left_by_a_hub_that_died_is_ignored(tmp_path):
    address.record(tmp_path, "127.0.0.1", 18080)
    assert address.running(tmp_path) == Serving(os.getpid(), "127.0.0.1", 18080)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (tmp_path / address.SERVING_FILE).write_text(json.dumps({"pid": int(gone.stdout), "host": "127.0.0.1",
                                                             "port": 18080}))
    assert address.running(tmp_path) is None
    address.forget(tmp_path)  # not this process's record: left alone
    assert (tmp_path / address.SERVING_FILE).exists()
