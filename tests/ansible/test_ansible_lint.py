"""The Ansible role and playbook: `ansible-playbook --syntax-check` and `ansible-lint` (production profile,
offline) both pass."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the virtualenv's bin: ansible-playbook and ansible-lint come with the test extras


def run(*argv: str) -> subprocess.CompletedProcess:
    tool = BIN / argv[0]
    if not tool.exists():
        pytest.skip(f"{tool} is missing: install the test extras (pip install -e '.[test]')")
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", ANSIBLE_NOCOLOR="1", NO_COLOR="1")
    return subprocess.run([str(tool), *argv[1:]], cwd=ROOT, env=env, capture_output=True, text=True, timeout=240,
                          check=False)


def test_the_playbook_passes_the_syntax_check():
    done = run("ansible-playbook", "--syntax-check", "-i", "ansible/inventory.example.yml", "ansible/playbook.yml")
    assert done.returncode == 0, f"ansible-playbook --syntax-check failed:\n{done.stdout}\n{done.stderr}"


def test_the_role_and_playbook_pass_ansible_lint_production_offline():
    done = run("ansible-lint", "--offline", "--profile", "production", "--nocolor", "ansible/")
    assert done.returncode == 0, f"ansible-lint failed:\n{done.stdout}\n{done.stderr}"
