"""The person's feed, the phones' changes applied once, and messages."""

from __future__ import annotations

import peewee

from hub.models import BaseModel
from hub.people.models import Person


class PersonChange(BaseModel):
    """One entry of a person's feed: what their phones receive, in `seq` order (the cursor)."""

    seq = peewee.BigAutoField()
    person = peewee.ForeignKeyField(Person, on_delete="RESTRICT", column_name="person_id", index=False)
    kind = peewee.CharField(max_length=32)
    item_id = peewee.CharField(max_length=64)
    body = peewee.TextField()
    """JSON text: what the phone needs to show the item."""
    at = peewee.CharField(max_length=40)

    class Meta:
        table_name = "person_change"
        indexes = ((("person", "seq"), False),)


class PhoneChange(BaseModel):
    """A change a phone sent (its own UUID), applied once: the same id again is acknowledged without
    applying it twice; the same id with other content is refused as a conflict."""

    change_id = peewee.CharField(max_length=64, primary_key=True)
    person = peewee.ForeignKeyField(Person, on_delete="RESTRICT", column_name="person_id")
    kind = peewee.CharField(max_length=32)
    digest = peewee.CharField(max_length=64)
    """SHA-256 of the change's canonical JSON."""
    key_id = peewee.CharField(max_length=64)
    applied_at = peewee.CharField(max_length=40)

    class Meta:
        table_name = "phone_change"


class Message(BaseModel):
    message_id = peewee.CharField(max_length=64, primary_key=True)
    """Made by whoever wrote it (a UUID): the phone for the person's messages, the hub for workers'."""
    person = peewee.ForeignKeyField(Person, on_delete="RESTRICT", column_name="person_id", index=False)
    from_person = peewee.BooleanField()
    worker = peewee.CharField(max_length=64)
    """The worker (or team) it is to or from."""
    text = peewee.TextField()
    written_at = peewee.CharField(max_length=40)
    received_at = peewee.CharField(max_length=40)
    delivered_at = peewee.CharField(max_length=40, null=True)
    read_at = peewee.CharField(max_length=40, null=True)

    class Meta:
        table_name = "message"
        indexes = ((("person", "received_at"), False),)


class PhoneUpload(BaseModel):
    """A photo or voice note a person's phone is uploading, or has uploaded (completed_at): its declared
    media type and size. The bytes are in the attachments folder, sealed (hub/sync/uploads.py)."""

    person = peewee.ForeignKeyField(Person, on_delete="RESTRICT", column_name="person_id", index=False)
    sha256 = peewee.CharField(max_length=64)
    key_id = peewee.CharField(max_length=64)
    """The phone that began it."""
    media_type = peewee.CharField(max_length=40)
    bytes = peewee.BigIntegerField()
    started_at = peewee.CharField(max_length=40)
    completed_at = peewee.CharField(max_length=40, null=True)

    class Meta:
        table_name = "phone_upload"
        primary_key = peewee.CompositeKey("person", "sha256")


class MessageAttachment(BaseModel):
    """A photo or voice note a message carries, by SHA-256, in the order the message gives them."""

    message = peewee.ForeignKeyField(Message, on_delete="RESTRICT", column_name="message_id", index=False)
    position = peewee.SmallIntegerField()
    sha256 = peewee.CharField(max_length=64)
    media_type = peewee.CharField(max_length=40)
    bytes = peewee.BigIntegerField()

    class Meta:
        table_name = "message_attachment"
        primary_key = peewee.CompositeKey("message", "position")
        indexes = ((("sha256",), False),)


MODELS = [PersonChange, PhoneChange, Message, PhoneUpload, MessageAttachment]
