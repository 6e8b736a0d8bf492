"""`throughgate edge courses sync` and `edge courses list`, run as an operator runs them (output in
a pipe), against a real hub."""

from __future__ import annotations

import json
import subprocess

from tests.courses.courses_kit import coursekit, import_course
from throughgate.stack import CLI


def edge(stack, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, "edge", "courses", *args, "--instance", str(stack.edge_dir)], capture_output=True,
                          text=True, timeout=60)


def test_sync_in_a_pipe_prints_progress_lines_then_what_it_published(stack, tmp_path):
    coursekit.build_native_zip(tmp_path / "v1.zip", video=coursekit.noise(2_000_000, seed=4))
    import_course(stack, tmp_path / "v1.zip")
    done = edge(stack, "sync")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "\r" not in done.stdout
    assert lines[0].startswith("[") and "of 10 files" in lines[0]
    assert any(line.startswith("[##############################] 100%") for line in lines)
    assert "published intro-maths version 1" in lines
    assert lines[-1].startswith("courses listed by the hub: 1; fetched 10 file(s), 2.0 MB")

    listed = edge(stack, "list")
    assert listed.returncode == 0
    assert listed.stdout.splitlines()[1].split()[:4] == ["intro-maths", "completed", "1", "-"]
    (row,) = json.loads(edge(stack, "list", "--json").stdout)
    assert (row["status"], row["current"], row["files_done"], row["files_total"]) == ("completed", 1, 10, 10)


def test_sync_with_the_hub_down_exits_1_and_says_what_to_do(stack, tmp_path):
    stack.hub.stop()
    done = edge(stack, "sync")
    assert done.returncode == 1
    assert "error: hub: hub at https://127.0.0.1:" in done.stderr and "the next sync tries again" in done.stderr
    status = json.loads(subprocess.run([*CLI, "edge", "status", "--instance", str(stack.edge_dir), "--json"],
                                       capture_output=True, text=True, timeout=60).stdout)
    assert any(alarm.startswith("course_sync_failed") for alarm in status["alarms"])
