"""throughgate.cli: a command whose reader stops reading (`throughgate hub records --json | head`) ends
quietly with 141, as a command killed by SIGPIPE does, instead of a BrokenPipeError traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

CLI = [sys.executable, "-m", "throughgate"]


def with_reader_gone(args: list[str], env: dict) -> subprocess.CompletedProcess:
    """Run with stdout a pipe nobody reads any more: what `| head` leaves once it has its lines."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # closed before the command writes a byte: its first write fails with EPIPE
    try:
        return subprocess.run(args, stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=60, env=env)
    finally:
        os.close(write_end)


@pytest.fixture(scope="module", params=["buffered", "unbuffered"])
def hub(tmp_path_factory, request):
    """A hub instance, and an environment where stdout is block-buffered (the error comes at the last flush)
    or unbuffered (it comes at the first print)."""
    instance = tmp_path_factory.mktemp("cli") / "hub"
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "PYTHONUNBUFFERED") and not k.startswith("THROUGHGATE_HUB_")}
    env |= {"PYTHONUNBUFFERED": "1"} if request.param == "unbuffered" else {}
    subprocess.run([*CLI, "hub", "init", "--instance", str(instance)], check=True, capture_output=True, env=env)
    return instance, env


@pytest.mark.parametrize("command", [
    ["hub", "records", "--json"],
    ["hub", "records", "--summary"],
    ["hub", "tokens", "list"],
    ["hub", "keys", "export"],
])
def test_a_hub_command_whose_reader_went_away_ends_without_a_traceback(hub, command):
    instance, env = hub
    done = with_reader_gone([*CLI, *command, "--instance", str(instance)], env)
    assert done.returncode == 141 and done.stderr == ""


def test_tablet_status_whose_reader_went_away_ends_without_a_traceback(hub, tmp_path):
    _instance, env = hub
    (tmp_path / "tab").mkdir()
    done = with_reader_gone([*CLI, "tablet", "status", "--folder", str(tmp_path / "tab")], env)
    assert done.returncode == 141 and done.stderr == ""


def test_python_m_hub_whose_reader_went_away_ends_without_a_traceback(hub):
    instance, env = hub
    done = with_reader_gone([sys.executable, "-m", "hub", "records", "--json", "--instance", str(instance)], env)
    assert done.returncode == 141 and done.stderr == ""


def test_the_whole_output_still_arrives_when_it_is_read(hub):
    instance, env = hub
    done = subprocess.run([*CLI, "hub", "records", "--json", "--instance", str(instance)], capture_output=True,
                          text=True, env=env, timeout=60)
    assert (done.returncode, done.stdout.strip()) == (0, "[]")
