"""The audit trail's table: one row per admin action, each carrying the SHA-256 of the one before.

The application only ever inserts (hub/audit/trail.py `append`); nothing updates or deletes a row.
"""

from __future__ import annotations

import peewee

from hub.models import BaseModel


class AuditEntry(BaseModel):
    seq = peewee.BigIntegerField(primary_key=True)
    """1, 2, 3 ... without a gap: a deleted row breaks the chain where it was."""
    at = peewee.CharField(max_length=40)
    actor = peewee.CharField(max_length=80)
    """The admin's name, `cli:<user>`, or `hub.toml` (the admin token of earlier releases)."""
    role = peewee.CharField(max_length=16)
    source = peewee.CharField(max_length=64)
    """The client's address, or `cli`."""
    action = peewee.CharField(max_length=40)
    target = peewee.CharField(max_length=255)
    outcome = peewee.CharField(max_length=40)
    detail = peewee.TextField()
    """JSON object."""
    prev_sha256 = peewee.CharField(max_length=64)
    sha256 = peewee.CharField(max_length=64)

    class Meta:
        table_name = "audit_entry"


MODELS = [AuditEntry]
