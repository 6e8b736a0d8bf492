"""Tables: edges the hub trusts (their certificates, signing keys and enrolment tokens),
batches it has received, and the records they carried.

Timestamps are stored as RFC 3339 text: hub times are always UTC with milliseconds and a `Z`,
so they sort, and `expires > now` compares them correctly in SQL.
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
    status = peewee.CharField(max_length=16, default=ACTIVE,
                              constraints=[peewee.Check(f"status IN ('{ACTIVE}', '{REVOKED}')")])
    registered_at = peewee.CharField(max_length=40)
    """When it first enrolled."""
    enrolled_at = peewee.CharField(max_length=40)
    """When it last enrolled (a re-enrolment replaces a dead box)."""
    revoked_at = peewee.CharField(max_length=40, null=True)
    tablet_ca_pem = peewee.TextField()
    """The edge's own tablet CA (self-signed); the hub cross-certifies it."""
    tablet_ca_sha256 = peewee.CharField(max_length=64)
    """Pin of the tablet CA: hex SHA-256 of its SubjectPublicKeyInfo."""
    dns_names = peewee.TextField()
    """JSON list: the tablet-facing DNS names its cross-certificate permits."""


class EdgeCertificate(BaseModel):
    """A client certificate the hub issued to an edge. A request authenticates with one only if its
    serial is here, not revoked, and its edge is active."""

    serial = peewee.CharField(max_length=40, primary_key=True)
    """Hex, lower case."""
    edge = peewee.ForeignKeyField(Edge, backref="certificates", on_delete="RESTRICT")
    issued_at = peewee.CharField(max_length=40)
    not_after = peewee.CharField(max_length=40)
    superseded_at = peewee.CharField(max_length=40, null=True)
    """Renewed: a newer one exists, this one still works until not_after."""
    revoked_at = peewee.CharField(max_length=40, null=True)
    """Stopped at once (the edge enrolled again)."""

    class Meta:
        table_name = "edge_certificate"


class EdgeKey(BaseModel):
    """An Ed25519 key that an edge signs batches with. Several per edge across a rotation."""

    edge = peewee.ForeignKeyField(Edge, backref="keys", on_delete="RESTRICT")
    key_id = peewee.CharField(max_length=16)
    key_pem = peewee.TextField()
    added_at = peewee.CharField(max_length=40)
    retired_at = peewee.CharField(max_length=40, null=True)
    """When the hub stops accepting it (a newer key arrived + EDGE_KEY_GRACE_DAYS); null: current."""

    class Meta:
        table_name = "edge_key"
        indexes = ((("edge", "key_id"), True),)


class EnrolmentToken(BaseModel):
    """A one-time bootstrap token for one edge id. Only the SHA-256 of its secret is kept."""

    token_id = peewee.CharField(max_length=8, primary_key=True)
    secret_sha256 = peewee.CharField(max_length=64)
    edge_id = peewee.CharField(max_length=64)
    created = peewee.CharField(max_length=40)
    expires = peewee.CharField(max_length=40)
    used_at = peewee.CharField(max_length=40, null=True)
    cancelled_at = peewee.CharField(max_length=40, null=True)

    class Meta:
        table_name = "enrolment_token"


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


MODELS = [Edge, EdgeCertificate, EdgeKey, EnrolmentToken, Batch, Record]
