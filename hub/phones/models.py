"""Phones registered for a person, and the nonces of their recent requests (replay protection)."""

from __future__ import annotations

import peewee

from hub.models import BaseModel
from hub.people.models import Person


class Phone(BaseModel):
    key_id = peewee.CharField(max_length=64, primary_key=True)
    """RFC 7638 thumbprint of the phone's public key."""
    person = peewee.ForeignKeyField(Person, backref="phones", on_delete="RESTRICT", column_name="person_id")
    jwk = peewee.TextField()
    """The public key as a JWK (JSON text)."""
    alg = peewee.CharField(max_length=24)
    label = peewee.CharField(max_length=64)
    activated_at = peewee.CharField(max_length=40)
    last_seen_at = peewee.CharField(max_length=40, null=True)
    revoked_at = peewee.CharField(max_length=40, null=True)
    revoked_by = peewee.CharField(max_length=80, null=True)


class PhoneNonce(BaseModel):
    key_id = peewee.CharField(max_length=64)
    nonce = peewee.CharField(max_length=64)
    seen_at = peewee.DoubleField()

    class Meta:
        table_name = "phone_nonce"
        primary_key = peewee.CompositeKey("key_id", "nonce")


MODELS = [Phone, PhoneNonce]
