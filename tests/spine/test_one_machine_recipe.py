"""The one-machine recipe in docs/edge.md ("The whole box on one machine"), run as written: each `$`
line of that block is typed into its own process, in an empty folder, on free ports instead of the
page's; `… &` lines run in the background until `kill %1 %2`. A value the page shortens with `…` is
taken from what an earlier command printed, as a person copies it. Every line the page shows as
output must be printed, up to the values that differ each run (ids, keys, times, codes)."""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from hub import address
from throughgate.stack import free_port

DOC = Path(__file__).resolve().parents[2] / "docs" / "edge.md"
SECTION = "### The whole box on one machine"
DOC_FOLDER = "/tmp/tg"
DOC_PORTS = ("18080", "18830", "18883", "18443")
CLI = [sys.executable, "-P", "-m", "throughgate"]  # -P: the folder holds `hub`, which must not shadow the package
VARIABLE = re.compile("|".join((
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",  # record ids
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z", r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2},\d{3})?",  # times
    r"tgb1\.[0-9a-f]{8}\.[A-Za-z0-9_-]{43}", r"\S*…\S*", r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])",
    r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", r"\b[0-9a-f]{64}\b", r"\b[0-9a-f]{16}\b", r"\b[0-9a-f]{8}\b",
)))


def recipe() -> list[tuple[str, list[str]]]:
    """(command, the output lines the page shows) for each `$` line of the section's first console block."""
    block = DOC.read_text().split(SECTION, 1)[1].split("```console\n", 1)[1].split("```", 1)[0]
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif line.strip():
            steps[-1][1].append(line)
    return steps


def pattern(shown: str) -> re.Pattern:
    """The shown line as a pattern: every value that differs each run matches anything."""
    parts, last = [], 0
    for match in VARIABLE.finditer(shown):
        parts += [re.escape(shown[last:match.start()]), r".+?"]
        last = match.end()
    return re.compile("".join([*parts, re.escape(shown[last:])]))


def copied(words: list[str], printed: str) -> list[str]:
    """Fill each word the page shortened with `…` from what was printed before: the value after the same
    option, or the enrolment offer."""
    filled = []
    for i, word in enumerate(words):
        if "…" in word:
            option = words[i - 1] if i and words[i - 1].startswith("--") else None
            found = (re.findall(rf"{re.escape(option)} (\S+)", printed) if option else
                     re.findall(r"throughgate-enrol:\S+", printed))
            assert found, f"nothing printed earlier gives {word}"
            word = found[-1]
        filled.append(word)
    return filled


def wait_until(ready, what: str, proc: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert proc.poll() is None, f"{what} stopped:\n{log.read_text()}"
        assert time.monotonic() < deadline, f"{what} not ready after {timeout:.0f}s:\n{log.read_text()}"
        time.sleep(0.1)


def records_at_hub(database: Path) -> int:
    """How many records the hub holds (read from its SQLite file: a cheap poll, where each `hub records` run
    while the uplink had not delivered yet cost a second of CPU)."""
    if not database.exists():
        return 0
    with contextlib.closing(sqlite3.connect(database, timeout=10)) as conn:
        try:
            return conn.execute("SELECT count(*) FROM record").fetchone()[0]
        except sqlite3.OperationalError:  # no table yet
            return 0


def test_the_one_machine_recipe_runs_as_documented(tmp_path):
    ports = {port: str(free_port()) for port in DOC_PORTS}
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("THROUGHGATE_HUB_")}
    background: list[subprocess.Popen] = []
    printed = ""
    try:
        for command, shown in recipe():
            for old, new in [*ports.items(), (DOC_FOLDER, str(tmp_path))]:
                command = command.replace(old, new)
                shown = [line.replace(old, new) for line in shown]
            if command == "kill %1 %2":
                for proc in reversed(background):
                    proc.terminate()
                    assert proc.wait(timeout=30) == 0
                continue
            if command.endswith("&"):
                words, _, log_name = command.rstrip("& ").partition(" 2> ")
                log = tmp_path / log_name
                proc = subprocess.Popen([*CLI, *shlex.split(words)[1:]], cwd=tmp_path, env=env,
                                        stdout=subprocess.DEVNULL, stderr=log.open("w"))
                background.append(proc)
                if " hub run " in command:
                    wait_until(lambda: address.running(tmp_path / "hub"), "hub run", proc, log)
                else:
                    wait_until((tmp_path / "edge" / "edge.ready").exists, "edge run", proc, log)
                continue
            words = copied(shlex.split(command), printed)
            assert words[0] == "throughgate"
            deadline = time.monotonic() + 60  # `hub records`: until the uplink has delivered
            database = tmp_path / "hub" / "hub.db"
            while " hub records " in f" {command} " and records_at_hub(database) < len(shown) - 1:
                assert time.monotonic() < deadline, f"the hub holds {records_at_hub(database)} records after 60 s"
                time.sleep(0.2)
            while True:
                done = subprocess.run([*CLI, *words[1:]], cwd=tmp_path, env=env, capture_output=True, text=True,
                                      timeout=120)
                lines = (done.stdout + done.stderr).splitlines()
                missing = [line for line in shown if not any(pattern(line).fullmatch(got.rstrip()) for got in lines)]
                if " hub records " not in f" {command} " or not missing or time.monotonic() > deadline:
                    break
                time.sleep(1)
            assert done.returncode == 0, f"{command}:\n{done.stderr}"
            assert not missing, f"{command} did not print {missing}; it printed:\n{done.stdout}{done.stderr}"
            printed += done.stdout + done.stderr
    finally:
        for proc in background:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
