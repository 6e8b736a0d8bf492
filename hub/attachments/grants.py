"""Which attachments an edge may upload: those its stored assignment_submission and form_submission records name.

The hub reads each edge's submissions once, in arrival order, and writes an AttachmentGrant for
every attachment they name (the first submission naming a hash gives its size and type). It
remembers, per edge and database, the last arrival it read, so asking about a hash no submission
names costs one query for the edge's newer submissions (usually none), not a search through all
of them: before, each such request ran a LIKE over every payload the edge had sent (290 ms with
2,000 submissions of 48 KB, and an edge could send thousands of such requests). After a restart
the first question reads the edge's submissions once, PAGE at a time.

Records commit in arrival order (hub/db.py's write_transaction), so reading on from the last
arrival never skips one.
"""

from __future__ import annotations

import json
import threading
import weakref

from hub.attachments.models import AttachmentGrant
from hub.db import proxy
from hub.models import Record
from wire import forms
from wire.learning import submission_attachments
from wire.records import RecordError, valid_sha256

PAGE = 500
"""Submissions read (and their grants written) at a time."""
INSERT_ROWS = 200
"""Grants per INSERT: well under SQLite's limit of bound variables per statement."""
NAMING_FILES = {"assignment_submission": submission_attachments, forms.KIND: forms.check}
"""The kinds whose records name files, and how each names them."""
BIGINT_MAX = 2**63 - 1
"""A declared size above this (no file is that large) is kept as this: still over any limit, and storable."""

_read_to: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
"""database -> {edge id: the last arrival read}."""
_guard = threading.Lock()
_edge_locks: dict[str, threading.Lock] = {}


def _edge_lock(edge_id: str) -> threading.Lock:
    with _guard:
        return _edge_locks.setdefault(edge_id, threading.Lock())


def _granted(edge_id: str, sha256: str) -> dict | None:
    row = AttachmentGrant.get_or_none(AttachmentGrant.edge == edge_id, AttachmentGrant.sha256 == sha256)
    return None if row is None else {"sha256": sha256, "size": row.size, "type": row.type}


def grant(edge_id: str, sha256: str) -> dict | None:
    """{"sha256", "size", "type"} of the attachment as the edge's first submission naming it gives
    them, or None when none of its stored submissions names it."""
    if not valid_sha256(sha256):
        return None
    found = _granted(edge_id, sha256)
    if found is not None:
        return found
    with _edge_lock(edge_id):  # one reader per edge: the others then find its grants
        read_new_submissions(edge_id)
    return _granted(edge_id, sha256)


def read_new_submissions(edge_id: str) -> int:
    """Write the grants of the edge's submissions stored since the last read; returns how many were read."""
    database = proxy.obj
    cursors = _read_to.setdefault(database, {})
    after, count = cursors.get(edge_id, 0), 0
    while True:
        rows = list(Record.select(Record.arrival, Record.id, Record.payload, Record.kind)
                    .where(Record.edge == edge_id, Record.kind.in_(list(NAMING_FILES)), Record.arrival > after)
                    .order_by(Record.arrival).limit(PAGE).tuples())
        if not rows:
            return count
        _write(edge_id, rows)
        after, count = rows[-1][0], count + len(rows)
        cursors[edge_id] = after


def _write(edge_id: str, rows: list[tuple]) -> None:
    grants: dict[str, dict] = {}
    for _arrival, record_id, payload, kind in rows:
        try:
            refs = NAMING_FILES[kind](json.loads(payload), record_id)
        except (ValueError, TypeError, RecordError):  # not a submission the hub could use: it grants nothing
            continue
        for ref in refs:
            grants.setdefault(ref.sha256, {"edge": edge_id, "sha256": ref.sha256,
                                           "size": min(ref.size, BIGINT_MAX), "type": ref.type})
    rows_to_write = list(grants.values())
    with proxy.atomic():
        for start in range(0, len(rows_to_write), INSERT_ROWS):
            AttachmentGrant.insert_many(rows_to_write[start:start + INSERT_ROWS]).on_conflict_ignore().execute()
