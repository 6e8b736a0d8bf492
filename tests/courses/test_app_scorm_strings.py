"""The SCORM player's words (app/src/entries/player.js, app/src/scorm/) are all in the gettext files translators
work in: every msgid the code gives to t(...) is in app/i18n/en/scorm.po (or another domain's: the shell's, the
tablet's), translated in Welsh with the same {placeholders}, and no stale msgid is left in scorm.po."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "app" / "src" / "entries" / "player.js", *(ROOT / "app" / "src" / "scorm").glob("*.js")]
I18N = ROOT / "app" / "i18n"
_STRING = r'"((?:[^"\\]|\\.)*)"'
MSGID_CALLS = (re.compile(r"\bt\(\s*" + _STRING), re.compile(r"\btitle:\s*" + _STRING))
_PO_ENTRY = re.compile(r'^msgid "((?:[^"\\]|\\.)*)"\nmsgstr "((?:[^"\\]|\\.)*)"', re.M)
DOMAINS = ("scorm", "shell", "tablet")


def msgids_in_code() -> set[str]:
    found = set()
    for path in SOURCES:
        text = path.read_text()
        for pattern in MSGID_CALLS:
            found |= {m.group(1).replace('\\"', '"') for m in pattern.finditer(text)}
    return found - {""}


def po(lang: str, domain: str) -> dict[str, str]:
    path = I18N / lang / f"{domain}.po"
    return {m.group(1).replace('\\"', '"'): m.group(2).replace('\\"', '"')
            for m in _PO_ENTRY.finditer(path.read_text()) if m.group(1)} if path.exists() else {}


def test_every_player_msgid_is_in_an_english_file_and_none_in_scorm_po_is_stale():
    shown = msgids_in_code()
    known = set().union(*(po("en", d) for d in DOMAINS))
    assert len(shown) > 15
    assert sorted(shown - known) == []
    assert sorted(set(po("en", "scorm")) - shown) == []


def test_every_player_msgid_has_a_welsh_translation_keeping_its_placeholders():
    welsh = {}
    for domain in DOMAINS:
        welsh |= {k: v for k, v in po("cy", domain).items() if v}
    assert sorted(m for m in msgids_in_code() if m not in welsh and m != "Throughgate") == []
    for msgid, text in po("cy", "scorm").items():
        assert sorted(re.findall(r"\{\w+\}", text)) == sorted(re.findall(r"\{\w+\}", msgid)), msgid
