"""The lock: the exact versions CI tested, in constraints.txt at the repository's root.

    python3 .ci/lock.py generate            # `make lock`: resolve setup.cfg's ranges afresh, print what changed
    python3 .ci/lock.py check PYTHON [--allow-extra]   # `make deps`: does that venv hold exactly the lock?

`generate` installs the project with its test extras into a throwaway venv from PyPI alone (this
machine's pip configuration, its extra indexes, find-links and constraint files, is ignored, so
the lock names only what any machine can download), then writes `pip freeze` of that venv, pip
included, as constraints.txt. Make, CI and the Ansible wheelhouse install with `-c constraints.txt`.

`check` compares a venv's `pip freeze` with the lock: a locked package missing or at another
version fails; so does a package the lock does not name, unless `--allow-extra` (a developer's
older venv may hold tools of their own; a fresh one must hold nothing else).
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "constraints.txt"
PROJECT = "throughgate"
NOT_LOCKED = ("setuptools", "wheel", "distribute")
"""What a venv is born with and nothing here imports: its version comes with Python, not the lock."""
MACHINE_PIP = ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL", "PIP_INDEX_URL", "PIP_NO_INDEX", "PIP_CONSTRAINT",
               "PIP_REQUIREMENT", "PIP_PREFER_BINARY")
"""Environment variables through which a machine's own package sources would reach the lock."""
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)$")
HEADER = """\
# The exact versions CI tested: the runtime and the test extras of setup.cfg, resolved from PyPI
# alone by `make lock` (.ci/lock.py) on Python {python} ({machine}). Do not edit: change the
# ranges in setup.cfg, run `make lock`, and commit this file with the test run that passed.
# Make (`make deps`), CI and the Ansible wheelhouse install with `pip install -c constraints.txt`.
"""


def normalise(name: str) -> str:
    """A distribution's name as PyPI compares it (PEP 503): Flask-WTF, flask_wtf -> flask-wtf."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse(text: str) -> dict[str, tuple[str, str]]:
    """`name==version` lines (a lock, or `pip freeze`) -> {normalised name: (name, version)}.
    Comments, blank lines, editable and direct-URL lines are skipped."""
    pins = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        match = PIN.match(line)
        if match:
            pins[normalise(match.group(1))] = (match.group(1), match.group(2))
    return pins


def render(pins: dict[str, tuple[str, str]]) -> str:
    """The lock's text: its header, then one pin a line, sorted by name."""
    python = ".".join(platform.python_version_tuple()[:2])
    lines = [f"{name}=={version}" for _, (name, version) in sorted(pins.items())]
    return HEADER.format(python=python, machine=f"{platform.system()} {platform.machine()}") + "\n".join(lines) + "\n"


def changes(old: dict[str, tuple[str, str]], new: dict[str, tuple[str, str]]) -> list[str]:
    """What a new lock changes, one line a package: `+ name 1.0`, `- name 1.0`, `~ name 1.0 -> 1.1`."""
    out = []
    for key in sorted(old.keys() | new.keys()):
        if key not in old:
            out.append(f"+ {new[key][0]} {new[key][1]}")
        elif key not in new:
            out.append(f"- {old[key][0]} {old[key][1]}")
        elif old[key][1] != new[key][1]:
            out.append(f"~ {new[key][0]} {old[key][1]} -> {new[key][1]}")
    return out


def problems(lock: dict[str, tuple[str, str]], installed: dict[str, tuple[str, str]],
             allow_extra: bool = False) -> list[str]:
    """How an installed set differs from the lock (empty: it holds exactly the lock)."""
    out = []
    for key, (name, version) in sorted(lock.items()):
        if key not in installed:
            out.append(f"{name}: locked {version}, not installed")
        elif installed[key][1] != version:
            out.append(f"{name}: locked {version}, installed {installed[key][1]}")
    if not allow_extra:
        out += [f"{name} {version}: installed, not in the lock" for key, (name, version) in sorted(installed.items())
                if key not in lock and key != PROJECT and key not in NOT_LOCKED]
    return out


def clean_env() -> dict[str, str]:
    """The environment for pip with no package source but PyPI: no config files (PIP_CONFIG_FILE=
    os.devnull makes pip skip every one, the global file with its extra indexes and constraints
    included) and no package-source variables. Trust settings (PIP_CERT) are kept."""
    env = {key: value for key, value in os.environ.items() if key not in MACHINE_PIP}
    env["PIP_CONFIG_FILE"] = os.devnull
    return env


def freeze(python: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run([python, "-m", "pip", "freeze", "--all", "--exclude-editable"], capture_output=True,
                          text=True, env=env, check=True)
    return done.stdout


def _quiet(argv: list[str], env: dict[str, str]) -> None:
    """Run pip; its warnings (an editable install's notice) are shown only if it fails."""
    done = subprocess.run(argv, capture_output=True, text=True, env=env)
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"lock: pip failed ({done.returncode}); constraints.txt is unchanged")


def say(message: str) -> None:
    print(f"lock: {message}", file=sys.stderr, flush=True)


def generate() -> int:
    with tempfile.TemporaryDirectory(prefix="throughgate-lock-") as work:
        venv, env = Path(work) / "venv", clean_env()
        python = str(venv / "bin" / "python")
        say(f"a throwaway venv in {venv}, packages from PyPI only")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([python, "-m", "pip", "install", "-q", "--upgrade", "pip"], env=env, check=True)
        say("installing the project and its test extras from setup.cfg's ranges (a minute or two)")
        _quiet([python, "-m", "pip", "install", "-q", "-e", f"{ROOT}[test]"], env)
        pins = {key: pin for key, pin in parse(freeze(python, env)).items()
                if key != PROJECT and key not in NOT_LOCKED}
    old = parse(LOCK.read_text()) if LOCK.exists() else {}
    LOCK.write_text(render(pins))
    diff = changes(old, pins)
    print("\n".join(diff) if diff else "no change", flush=True)
    say(f"{LOCK.name}: {len(pins)} packages, {len(diff)} changed")
    return 0


def check(python: str, allow_extra: bool) -> int:
    if not LOCK.exists():
        say(f"{LOCK} is missing: run `make lock`")
        return 1
    found = problems(parse(LOCK.read_text()), parse(freeze(python)), allow_extra)
    if found:
        say(f"{python}'s venv does not hold exactly {LOCK.name}:")
        print("\n".join(f"  {line}" for line in found), file=sys.stderr)
        say("rebuild it (`make clean deps`); if the lock itself is stale, `make lock`")
        return 1
    say(f"the venv holds the {len(parse(LOCK.read_text()))} locked versions")
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["generate"] and len(argv) == 1:
        return generate()
    if argv[:1] == ["check"] and len(argv) in (2, 3) and argv[2:] in ([], ["--allow-extra"]):
        return check(argv[1], allow_extra=argv[2:] == ["--allow-extra"])
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
