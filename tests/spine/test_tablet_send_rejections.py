"""`throughgate tablet send` against a real edge: it exits 1 for the records the edge refused in that run
only, says so, and an old refusal no longer fails every later send; `tablet rejections` lists and clears
it. Every command is the real CLI in its own process."""

from __future__ import annotations

import subprocess
import sys

from tablet.outbox import Outbox

LEARNER = "L-0042"


def tablet(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "throughgate", "tablet", *args], capture_output=True, text=True,
                          timeout=120)


def test_send_fails_only_for_refusals_of_its_own_run(stack):
    (device,) = stack.add_devices(1).values()
    folder = str(device.folder)
    outbox = Outbox(str(device.outbox_path))  # as a tablet from before the rules stored it
    old = outbox.add("progress_statement", LEARNER, {"verb": "completed", "object": "unit-2"}, check=False)
    outbox.close()

    first = tablet("send", "--folder", folder, "--timeout", "60")
    assert first.returncode == 1, first.stderr
    assert f"refused now: seq=1 id={old.id}: bad_schema: a progress_statement payload" in first.stderr
    assert "the edge refused 1 record(s) in this send" in first.stderr

    made = tablet("submit", "--folder", folder, "--kind", "message", "--learner", LEARNER,
                  "--payload", '{"text": "hello"}')
    assert made.returncode == 0, made.stderr
    second = tablet("send", "--folder", folder, "--timeout", "60")
    assert second.returncode == 0, second.stderr
    assert "acked=1 pending=0 rejected=1" in second.stdout
    assert "(1 refused by earlier sends, not counted here" in second.stderr and "refused now" not in second.stderr

    listed = tablet("rejections", "list", "--folder", folder)
    assert f"seq=1 id={old.id} progress_statement {LEARNER}" in listed.stdout
    assert tablet("rejections", "clear", "--folder", folder).stdout.strip() == "cleared 1 refused record(s)"
    third = tablet("send", "--folder", folder, "--timeout", "60")
    assert third.returncode == 0 and "refused" not in third.stderr, third.stderr
