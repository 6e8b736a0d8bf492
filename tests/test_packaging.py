"""What a wheel carries besides Python: every template, style sheet and built file a package reads at run
time is named in setup.cfg's package_data, so an install from the wheel (the Ansible wheelhouse, a hub
installed with pip) serves every page the tests see in the working tree."""

from __future__ import annotations

import configparser
import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIRS = ("templates", "static")


def _package_data() -> dict[str, list[str]]:
    parser = configparser.ConfigParser()
    parser.read(ROOT / "setup.cfg")
    return {package: [glob.strip() for glob in globs.split(",") if glob.strip()]
            for package, globs in parser["options.package_data"].items()}


def _owner(path: Path) -> tuple[str, str]:
    """(the dotted package a data file belongs to, its path relative to that package's folder)."""
    folder = path.parent
    while not (folder / "__init__.py").exists():
        folder = folder.parent
    return ".".join(folder.relative_to(ROOT).parts), path.relative_to(folder).as_posix()


def test_every_template_and_static_file_is_in_the_wheel():
    declared = _package_data()
    missing = []
    for top in ("hub", "edge", "provisioning", "throughgate", "wire"):
        for path in sorted((ROOT / top).rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts or not set(DATA_DIRS) & set(path.parts):
                continue
            package, relative = _owner(path)
            if not any(fnmatch.fnmatchcase(relative, glob) for glob in declared.get(package, [])):
                missing.append(f"{package}: {relative}")
    assert missing == [], "add these to setup.cfg [options.package_data]: " + ", ".join(missing)
