"""The audit trail's hash chain. Pure: no I/O.

An entry's SHA-256 is taken over its canonical encoding: the JSON object of FIELDS (with `prev_sha256`,
the SHA-256 of the entry before, or GENESIS for the first), keys sorted, no spaces, UTF-8, non-ASCII
kept as is. Changing any field of any entry, removing one from the middle, or reordering them breaks
the chain at that entry; `verify` names the first one that does not hold.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

GENESIS = "0" * 64
FIELDS = ("seq", "at", "actor", "role", "source", "action", "target", "outcome", "detail", "prev_sha256")


def canonical(entry: dict) -> bytes:
    """The bytes an entry's hash covers: FIELDS only (never its own sha256)."""
    return json.dumps({name: entry[name] for name in FIELDS}, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode()


def entry_hash(entry: dict) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


def seal(fields: dict, previous: dict | None) -> dict:
    """The next entry after `previous` (None: the first): fields plus seq, prev_sha256 and sha256."""
    entry = dict(fields, seq=(previous["seq"] + 1) if previous else 1,
                 prev_sha256=previous["sha256"] if previous else GENESIS)
    return dict(entry, sha256=entry_hash(entry))


@dataclass(frozen=True)
class Verdict:
    count: int
    broken_at: int | None = None
    """seq of the first entry that does not hold (None: the chain is intact)."""
    problem: str = ""
    head: str = GENESIS
    """sha256 of the last entry that holds."""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify(entries: Iterable[dict]) -> Verdict:
    """Check entries in seq order: numbered 1, 2, 3..., each pointing at the hash of the one before, each
    hashing to its own sha256."""
    previous_hash, count = GENESIS, 0
    for count, entry in enumerate(entries, start=1):  # noqa: B007 (count is the result)
        problem = _problem(entry, count, previous_hash)
        if problem:
            return Verdict(count - 1, entry.get("seq", count), problem, previous_hash)
        previous_hash = entry["sha256"]
    return Verdict(count, head=previous_hash)


def _problem(entry: dict, expected_seq: int, previous_hash: str) -> str:
    if entry.get("seq") != expected_seq:
        return f"expected entry {expected_seq} here, found {entry.get('seq')}: an entry was removed or added"
    if entry.get("prev_sha256") != previous_hash:
        return "it does not point at the entry before (prev_sha256 differs): the one before was changed or removed"
    if entry_hash(entry) != entry.get("sha256"):
        return "its content does not match its sha256: it was changed after it was written"
    return ""
