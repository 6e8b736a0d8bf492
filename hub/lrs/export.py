"""Statements as a file: a JSON array (what an LRS's POST /statements takes as it is), written one
statement at a time so a large export needs little memory."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TextIO

from hub.lrs.forward import pages, statements_of
from wire.records import is_timestamp, parse_timestamp

PAGE = 500


@dataclass
class Exported:
    statements: int = 0
    left_out: int = 0


def parse_since(text: str) -> datetime:
    """An RFC 3339 timestamp with a zone, or a date (midnight UTC)."""
    try:
        if len(text) == 10:
            return datetime.fromisoformat(text).replace(tzinfo=UTC)
        if is_timestamp(text):
            return parse_timestamp(text)
    except ValueError:
        pass
    raise ValueError(f"{text!r} is not a date (2026-11-01) or a timestamp with a zone (2026-11-01T08:00:00Z)")


def export(out: TextIO, since: datetime | None = None, learner: str | None = None) -> Exported:
    """Write every learning record's statement (timestamp >= since; only `learner`'s if given)."""
    done = Exported()
    out.write("[")
    for page in pages(0, PAGE, learner):
        made, problems = statements_of(page)
        done.left_out += len(problems)
        for _record, statement in made:
            if since is not None and parse_timestamp(statement["timestamp"]) < since:
                continue
            out.write(",\n" if done.statements else "\n")
            out.write(json.dumps(statement, ensure_ascii=False, separators=(",", ":")))
            done.statements += 1
    out.write("\n]\n")
    return done
