"""Tables: edges the hub trusts, batches it has received, and the records they carried.

Timestamps are stored as RFC 3339 text: hub times are always UTC with a `Z`, so they sort.
"""

from __future__ import annotations

import peewee

from hub.db import proxy

ACTIVE = "active"
REVOKED = "revoked"


class BaseModel(peewee.Model):
    class Meta:
        database = proxy


class Edge(BaseModel):
    edge_id = peewee.CharField(max_length=64, primary_key=True)
    verify_key_pem = peewee.TextField()
    status = peewee.CharField(max_length=16, default=ACTIVE,
                              constraints=[peewee.Check(f"status IN ('{ACTIVE}', '{REVOKED}')")])
    registered_at = peewee.CharField(max_length=40)
    revoked_at = peewee.CharField(max_length=40, null=True)


class Batch(BaseModel):
    batch_id = peewee.CharField(max_length=128, unique=True)
    edge = peewee.ForeignKeyField(Edge, backref="batches", on_delete="RESTRICT")
    seq = peewee.BigIntegerField()
    digest = peewee.CharField(max_length=64)
    count = peewee.IntegerField()
    stored = peewee.IntegerField()
    receipt_json = peewee.TextField()
    received_at = peewee.CharField(max_length=40)


class Record(BaseModel):
    arrival = peewee.BigAutoField()
    """Hub arrival order: the `after` cursor of GET /v1/records."""
    id = peewee.CharField(max_length=36, unique=True)
    """The record's UUID, made on the tablet: a record is stored once however often it arrives."""
    edge = peewee.ForeignKeyField(Edge, backref="records", on_delete="RESTRICT")
    device = peewee.CharField(max_length=64)
    learner = peewee.CharField(max_length=64, index=True)
    kind = peewee.CharField(max_length=32, index=True)
    seq = peewee.BigIntegerField()
    created = peewee.CharField(max_length=40)
    received_at_edge = peewee.CharField(max_length=40)
    received_at_hub = peewee.CharField(max_length=40)
    batch_id = peewee.CharField(max_length=128)
    payload = peewee.TextField()
    """The record's payload object, as JSON text."""

    class Meta:
        indexes = ((("edge", "device", "seq"), False),)


MODELS = [Edge, Batch, Record]
