"""The lock (constraints.txt, .ci/lock.py): it pins every requirement of setup.cfg inside its range,
and the check that `make deps` runs after installing refuses a venv that differs from it.
(That a fresh venv made by `make deps` holds exactly the lock is checked by `make deps` itself, on
every fresh clone CI makes.)"""

from __future__ import annotations

import configparser
import importlib.util
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("lock", ROOT / ".ci" / "lock.py")
lock = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lock)


def _requirements() -> list[Requirement]:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    lines = cfg["options"]["install_requires"].splitlines() + cfg["options.extras_require"]["test"].splitlines()
    return [Requirement(line) for line in lines if line.strip()]


@pytest.mark.parametrize("requirement", _requirements(), ids=str)
def test_the_lock_pins_each_requirement_inside_setup_cfgs_range(requirement):
    pins = lock.parse(lock.LOCK.read_text())
    name = lock.normalise(requirement.name)
    assert name in pins, f"{requirement.name} is in setup.cfg but not in constraints.txt: run `make lock`"
    version = pins[name][1]
    assert requirement.specifier.contains(version, prereleases=True), (
        f"constraints.txt pins {requirement.name}=={version}, outside setup.cfg's {requirement}: run `make lock`")


def test_the_lock_names_no_package_twice_and_nothing_but_exact_pins():
    lines = [line for line in lock.LOCK.read_text().splitlines() if line and not line.startswith("#")]
    assert all(lock.PIN.match(line) for line in lines), [line for line in lines if not lock.PIN.match(line)]
    assert len(lock.parse("\n".join(lines))) == len(lines)


def test_names_compare_as_pypi_compares_them():
    pins = lock.parse("Flask-WTF==1.3.0\nruamel.yaml==0.19.1\n-e /work/main\n# a comment\nfoo @ file:///x.whl\n")
    assert pins == {"flask-wtf": ("Flask-WTF", "1.3.0"), "ruamel-yaml": ("ruamel.yaml", "0.19.1")}


def test_a_new_lock_says_what_it_adds_removes_and_moves():
    old = lock.parse("peewee==4.5.2\nsix==1.17.0\nflask==3.1.3\n")
    new = lock.parse("peewee==4.5.3\nFlask==3.1.3\nimport-linter==2.17\n")
    assert lock.changes(old, new) == ["+ import-linter 2.17", "~ peewee 4.5.2 -> 4.5.3", "- six 1.17.0"]
    assert lock.changes(new, new) == []


def test_a_venv_that_differs_from_the_lock_is_refused_naming_each_difference():
    locked = lock.parse("peewee==4.5.3\nwerkzeug==3.1.9\npip==26.3\n")
    installed = lock.parse("peewee==4.5.3\nWerkzeug==3.2.0\npip==26.3\nsix==1.17.0\nsetuptools==65.5.0\n"
                           "throughgate==0.1.0\n")
    assert lock.problems(locked, installed) == ["werkzeug: locked 3.1.9, installed 3.2.0",
                                                "six 1.17.0: installed, not in the lock"]
    assert lock.problems(locked, installed, allow_extra=True) == ["werkzeug: locked 3.1.9, installed 3.2.0"]
    assert lock.problems(locked, lock.parse("peewee==4.5.3\npip==26.3\n")) == [
        "werkzeug: locked 3.1.9, not installed"]
    assert lock.problems(locked, locked) == []
