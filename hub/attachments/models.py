"""The attachments' tables: what is stored, and what each edge may upload."""

from __future__ import annotations

import peewee

from hub.db import proxy


class StoredAttachment(peewee.Model):
    """A complete attachment in the store: its hash, size and media type."""

    sha256 = peewee.CharField(max_length=64, primary_key=True)
    size = peewee.BigIntegerField()
    type = peewee.CharField(max_length=130)
    stored_at = peewee.CharField(max_length=40)
    edge = peewee.CharField(max_length=64)
    """The edge whose upload completed it first."""

    class Meta:
        database = proxy
        table_name = "stored_attachment"


class AttachmentGrant(peewee.Model):
    """An edge may upload this attachment: one of its stored submissions names it, with this size and
    type (hub/attachments/grants.py writes them as it reads the edge's submissions)."""

    edge = peewee.CharField(max_length=64)
    sha256 = peewee.CharField(max_length=64)
    size = peewee.BigIntegerField()
    type = peewee.CharField(max_length=130)

    class Meta:
        database = proxy
        table_name = "attachment_grant"
        primary_key = peewee.CompositeKey("edge", "sha256")


MODELS = [StoredAttachment, AttachmentGrant]
