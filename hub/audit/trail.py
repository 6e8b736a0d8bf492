"""Writing and reading the audit trail (hub/audit/chain.py holds the rules).

`append` is the only write: under a lock (SQLite's write lock; on PostgreSQL an advisory lock) it
reads the last entry and inserts the next, so concurrent admin actions from several hub processes
still form one chain. Nothing here updates or deletes a row.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from hub import db
from hub.audit import chain
from hub.audit.models import AuditEntry
from hub.ingest.storage import utc_now

AUDIT_LOCK_ID = 0x7467_6875_6202
PAGE = 1000


@dataclass(frozen=True)
class Actor:
    """Who acts: an admin's name and role, and from where (the client's address, or `cli`)."""

    name: str
    role: str
    source: str


def append(actor: Actor, action: str, target: str = "", outcome: str = "ok", detail: dict | None = None) -> dict:
    """Record one admin action; returns the entry written."""
    fields = {"at": utc_now(), "actor": actor.name[:80], "role": actor.role[:16], "source": actor.source[:64],
              "action": action[:40], "target": str(target or "")[:255], "outcome": outcome[:40],
              "detail": json.dumps(detail or {}, sort_keys=True, ensure_ascii=False)}
    with db.proxy.atomic():
        if db.is_postgres():
            db.proxy.execute_sql("SELECT pg_advisory_xact_lock(%s)", (AUDIT_LOCK_ID,))
        last = AuditEntry.select().order_by(AuditEntry.seq.desc()).first()
        entry = chain.seal(fields, as_dict(last) if last else None)
        AuditEntry.insert(**entry).execute()
    return entry


def entries() -> Iterator[dict]:
    """Every entry in seq order, read a page at a time."""
    after = 0
    while True:
        page = list(AuditEntry.select().where(AuditEntry.seq > after).order_by(AuditEntry.seq).limit(PAGE))
        if not page:
            return
        for row in page:
            yield as_dict(row)
        after = page[-1].seq


def verify() -> chain.Verdict:
    return chain.verify(entries())


def as_dict(row: AuditEntry) -> dict:
    return {name: getattr(row, name) for name in (*chain.FIELDS, "sha256")}
