"""Fixtures shared by the end-to-end tests: a real hub, edge and Mosquitto on loopback ports."""

from __future__ import annotations

import compileall
import os
import shutil

import pytest

from edge import config as edge_config
from tests import browserkit
from throughgate.stack import Stack

# Fast timings for tests; the production defaults are in edge/config.py.
FAST = {
    "uplink__batch_age_s": 0.3,
    "uplink__interval_s": 0.2,
    "uplink__backoff_base_s": 0.2,
    "uplink__backoff_max_s": 1.0,
    "uplink__batch_records": 200,
}


def _need_mosquitto():
    if shutil.which("mosquitto") is None and not os.path.exists("/usr/sbin/mosquitto"):
        pytest.skip("Mosquitto is not installed: `make test` installs it with apt-get")


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by playwright, resolving no name but 127.0.0.1 (one per module; tests/browserkit.py)."""
    with browserkit.chromium() as chromium:
        yield chromium


@pytest.fixture(scope="session")
def built_template(tmp_path_factory) -> Stack:
    """hub init, edge init and the edge's enrolment with its token: seconds of CLI runs, done once per
    session. Each test gets a copy of both instance folders (stack_factory), on ports of its own."""
    _need_mosquitto()
    return Stack(tmp_path_factory.mktemp("stack-template") / "stack").build()


def copy_of(template: Stack, root, env: dict | None = None, **settings) -> Stack:
    """A fresh copy of a built (never started) stack in `root`: new free ports, the edge's config
    pointed at them, and these edge settings (as Stack(..., **settings).build() would write them);
    `env` is added to the environment its processes get."""
    shutil.copytree(template.root, root)
    copy = Stack(root, edge_id=template.edge_id, env={**template.env, **(env or {})})
    copy.token = template.token
    cfg = edge_config.load(copy.edge_dir)
    cfg.uplink.hub_url, cfg.broker.port = copy.hub_url, copy.broker_port
    cfg.tablets.mqtt_port, cfg.tablets.api_port = copy.mqtt_port, copy.api_port
    cfg.courses.content_port = copy.content_port
    for dotted, value in settings.items():
        section, _, key = dotted.rpartition("__")
        setattr(getattr(cfg, section) if section else cfg, key, value)
    (copy.edge_dir / edge_config.CONFIG_NAME).write_text(edge_config.dump(cfg))
    return copy


@pytest.fixture
def stack_factory(built_template, tmp_path):
    """A stack with chosen edge settings (a copy of the session's built one); everything started is
    stopped afterwards."""
    made: list[Stack] = []

    def make(**settings) -> Stack:
        stack = copy_of(built_template, tmp_path / f"stack{len(made)}", **{**FAST, **settings})
        made.append(stack)
        return stack

    yield make
    for stack in made:
        stack.stop()


@pytest.fixture
def stack(stack_factory) -> Stack:
    """A running hub, edge and broker."""
    return stack_factory().start()


HEAVY_FIRST = (
    "tests/ansible/test_ansible_apply.py", "tests/spine/test_faults.py", "tests/hub/test_hub_cli.py",
    "tests/spine/test_down_messages.py", "tests/spine/test_edge_health_report.py",
    "tests/courses/test_app_scorm_browser.py", "tests/hub/test_hub_console_browser.py",
    "tests/unit_edge/test_unit_edge_migrations_interrupted.py", "tests/hub/test_hub_work_console_browser.py",
    "tests/spine/test_enrol_hub_url.py", "tests/hub/test_app_phone_browser.py", "tests/hub/test_hub_audit.py",
    "tests/spine/test_one_machine_recipe.py", "tests/spine/test_rotation.py", "tests/spine/test_transfer_to_edge.py",
)
"""The test files that take longest, started first: `make test` gives each of its workers whole files in the
order collected, and a long file picked up last kept one worker busy while the others had finished."""


PACKAGES = ("hub", "edge", "wire", "tablet", "phone", "provisioning", "throughgate", "webapp", "bench")
"""The project's packages, which the tests start hundreds of Python processes of (hub run, edge run, the CLI)."""


def pytest_configure(config):
    """Write each package's bytecode (__pycache__, ignored by git) once, before any test starts a process: with
    PYTHONDONTWRITEBYTECODE set, as here and on a fresh clone, no process ever writes it, and every process compiled
    each module it imported from source again (`hub ...` about 0.3 s of CPU more a start). Compiling all takes
    about 0.5 s, and nothing where the bytecode is up to date; a file that does not compile is left to the import
    that fails on it."""
    if hasattr(config, "workerinput"):  # an xdist worker: the controller has done it
        return
    for package in PACKAGES:
        if (config.rootpath / package).is_dir():
            compileall.compile_dir(config.rootpath / package, quiet=2)


def pytest_collection_modifyitems(session, config, items):
    rank = {path: n for n, path in enumerate(HEAVY_FIRST)}
    root = config.rootpath
    items.sort(key=lambda item: rank.get(item.path.relative_to(root).as_posix(), len(rank)))  # stable: files keep order
