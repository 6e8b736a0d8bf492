"""Text that came from outside (a course package's titles, a tablet's words) as people see it.

- `plain_title`: the form a title is kept in: whitespace runs become one space, and control
  characters (C0, DEL, C1: a terminal's escape sequences start with ESC or CSI) and the
  bidirectional embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069, which
  can make text read backwards, "Trojan Source") are dropped. Letters of every script stay.
- `for_terminal`: what a command prints: those characters written as visible escapes (`\\x1b`,
  `\\u202e`), so text shown in an administrator's terminal cannot move its cursor, clear it,
  set its title or recolour what follows. Everything else is unchanged.
"""

from __future__ import annotations

import re

HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Control characters, and the bidirectional controls that reorder the text after them."""


def plain_title(text: str) -> str:
    return " ".join(HIDDEN.sub("", " ".join(text.split())).split())


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def for_terminal(text) -> str:
    return HIDDEN.sub(_escape, str(text))
