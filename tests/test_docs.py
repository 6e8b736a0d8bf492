"""The docs keep up with the code: every edge setting, topic, refusal code and command is documented."""

from __future__ import annotations

import argparse
import re
from dataclasses import fields, is_dataclass
from pathlib import Path

import pytest

from edge import config as edge_config
from throughgate.cli import build_parser
from wire import topics

ROOT = Path(__file__).resolve().parent.parent
DOCS = {name: (ROOT / "docs" / name).read_text() for name in ("edge.md", "protocol.md", "security.md")}


def edge_settings() -> list[str]:
    defaults = edge_config.EdgeConfig(instance=Path("."), edge_id="x")
    sections = tuple(f.name for f in fields(defaults) if is_dataclass(getattr(defaults, f.name)))
    names = [f.name for f in fields(edge_config.EdgeConfig) if f.name not in ("instance", *sections)]
    for section in sections:
        cls = type(getattr(defaults, section))
        names += [f"{section}.{f.name}" for f in fields(cls)]
    return names


@pytest.mark.parametrize("setting", edge_settings())
def test_every_edge_setting_is_in_docs_edge_md(setting):
    assert f"`{setting}`" in DOCS["edge.md"]


def refusal_codes() -> set[str]:
    source = "".join((ROOT / p).read_text() for p in ("wire/records.py", "edge/intake/rules.py"))
    return set(re.findall(r'RecordError\(\s*"([a-z_]+)"', source)) | set(re.findall(r'Refusal\([^)]*?"([a-z_]+)"',
                                                                                       source, re.S))


@pytest.mark.parametrize("code", sorted(refusal_codes()))
def test_every_refusal_code_is_in_docs_protocol_md(code):
    assert f"`{code}`" in DOCS["protocol.md"]


def test_topics_are_in_docs_protocol_md():
    assert f"`{topics.up('<device>')}`" in DOCS["protocol.md"]
    assert f"`{topics.down('<device>')}`" in DOCS["protocol.md"]
    assert topics.UP_FILTER in DOCS["protocol.md"]


def commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[str]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += commands(sub, (*prefix, name)) or [" ".join((*prefix, name))]
    return found


@pytest.mark.parametrize("command", [c for c in commands(build_parser()) if c.split()[0] in ("edge", "tablet")])
def test_every_edge_and_tablet_command_is_in_the_docs(command):
    assert any(f"throughgate {command}" in text for text in DOCS.values()), command
