"""The phone screens' words (app/src/phone/) are all in the gettext files translators work in: every msgid the
code shows is in app/i18n/en/phone.po (or the shell's), translated in app/i18n/cy/phone.po with the same
{placeholders}, and no stale msgid is left in them. A msgid is a string literal given to t(...), to N_(...)
(a table of words shown later), to the outbox's label(kind, ...) or as a screen's title."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "app" / "src" / "phone"
I18N = ROOT / "app" / "i18n"
_STRING = r'"((?:[^"\\]|\\.)*)"'
MSGID_CALLS = (re.compile(r"\b(?:t|N_)\(\s*" + _STRING), re.compile(r"\blabel\(\s*\"\w+\",\s*" + _STRING),
               re.compile(r"\btitle:\s*" + _STRING))
_PO_ENTRY = re.compile(r'^msgid "((?:[^"\\]|\\.)*)"\nmsgstr "((?:[^"\\]|\\.)*)"', re.M)


def msgids_in_code() -> set[str]:
    found = set()
    for path in SOURCE.rglob("*.js"):
        text = path.read_text()
        for pattern in MSGID_CALLS:
            found |= {m.group(1).replace('\\"', '"') for m in pattern.finditer(text)}
    return found - {""}


def po(lang: str, domain: str) -> dict[str, str]:
    """msgid -> msgstr of a .po file (single-line entries, as ours are; the header left out)."""
    path = I18N / lang / f"{domain}.po"
    if not path.exists():
        return {}
    return {m.group(1).replace('\\"', '"'): m.group(2).replace('\\"', '"')
            for m in _PO_ENTRY.finditer(path.read_text()) if m.group(1)}


def test_every_phone_msgid_is_in_the_english_file_and_none_is_stale():
    shown, english, shell = msgids_in_code(), po("en", "phone"), po("en", "shell")
    assert len(shown) > 100
    assert sorted(shown - set(english) - set(shell)) == []
    assert sorted(set(english) - shown) == []


def test_every_phone_msgid_has_a_welsh_translation_keeping_its_placeholders():
    welsh, shell = po("cy", "phone"), po("cy", "shell")
    missing = sorted(m for m in msgids_in_code() if not welsh.get(m) and m not in shell)  # the shell's are its own
    assert missing == []
    for msgid, text in welsh.items():
        assert sorted(re.findall(r"\{\w+\}", text)) == sorted(re.findall(r"\{\w+\}", msgid)), msgid
    assert not set(welsh) & set(shell), "a msgid in both domains: keep it in the shell's"
