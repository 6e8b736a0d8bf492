"""A tablet enrolled with the code typed by hand, as `throughgate edge tablets code` tells the person to
(the real edge and CLI, each command its own process): the printed line enrols; a tablet enrolled
before needs only the code; a code typed without what it needs, or mistyped, says what to do."""

from __future__ import annotations

import shlex
import subprocess
import sys

CLI = [sys.executable, "-m", "throughgate"]


def run(*args: str, expect: int = 0) -> subprocess.CompletedProcess:
    done = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == expect, done.stderr + done.stdout
    return done


def code_for(stack, device: str) -> tuple[str, list[str]]:
    """`edge tablets code`: (the code, the printed command to type it, as words)."""
    out = run("edge", "tablets", "code", device, "--instance", str(stack.edge_dir), "--no-qr").stdout
    code = out.split("Enrolment code for ", 1)[1].split(": ", 1)[1].split()[0]
    line = next(line for line in out.splitlines() if line.startswith("To type it: "))
    return code, shlex.split(line.removeprefix("To type it: ").split("  (")[0])


def test_the_typed_code_enrols_as_edge_tablets_code_tells_the_person(stack, tmp_path):
    folder = str(tmp_path / "tab")
    code, command = code_for(stack, "tab-0007")
    assert command[:3] == ["throughgate", "tablet", "enrol"] and code in command
    command[command.index("DIR")] = folder
    typed = run(*[word.lower() if word == code else word for word in command[1:]])  # typed in lower case
    assert "enrolled tab-0007 at edge-1; broker edge-1.throughgate.internal" in typed.stdout

    again, _ = code_for(stack, "tab-0007")  # staff re-enrol it: the tablet knows its edge already
    assert "enrolled tab-0007 at edge-1" in run("tablet", "enrol", "--folder", folder, again).stdout


def test_a_typed_code_without_the_edges_details_or_mistyped_says_what_to_do(stack, tmp_path):
    code, command = code_for(stack, "tab-0008")
    folder = str(tmp_path / "new")
    missing = run("tablet", "enrol", "--folder", folder, code, expect=1)
    assert ("not enrolled: bad_offer: a typed code needs this tablet's device id, the edge's URL and its CA pin: "
            "give --device, --url, --ca-pin (`throughgate edge tablets code` prints them") in missing.stderr
    details = command[command.index("--device"):]
    short = run("tablet", "enrol", "--folder", folder, code[:-1], *details, expect=1)
    assert "an enrolment code is 12 letters and digits, like ABCD-EFGH-JKMN" in short.stderr
    pin_at = details.index("--ca-pin") + 1
    wrong_pin = run("tablet", "enrol", "--folder", folder, code, *details[:pin_at], "0" * 64, expect=1)
    assert "not enrolled: ca_mismatch" in wrong_pin.stderr
    assert "enrolled tab-0008" in run("tablet", "enrol", "--folder", folder, code, *details).stdout  # never sent
