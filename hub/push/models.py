"""Phones' Web Push subscriptions, what waits to be pushed to them, and the reminders already
claimed (migration m0010)."""

from __future__ import annotations

import peewee

from hub.appointments.models import Appointment
from hub.models import BaseModel
from hub.people.models import Person
from hub.phones.models import Phone


class PushSubscription(BaseModel):
    """The push subscription a phone registered: at most one a phone, replaced by the next. The
    endpoint is a capability URL (whoever holds it can push to the phone): never logged."""

    phone = peewee.ForeignKeyField(Phone, on_delete="RESTRICT", column_name="key_id", primary_key=True)
    person = peewee.ForeignKeyField(Person, on_delete="RESTRICT", column_name="person_id")
    endpoint = peewee.TextField()
    p256dh = peewee.CharField(max_length=100)
    """The subscription's public key (base64url, uncompressed P-256 point): the payload is encrypted to it."""
    auth = peewee.CharField(max_length=32)
    """The subscription's authentication secret (base64url, 16 bytes)."""
    made_at = peewee.CharField(max_length=40)

    class Meta:
        table_name = "push_subscription"


class PushOutbox(BaseModel):
    """A push waiting for a subscription: `topic` is `sync` or `reminder:<appointment>:<day|hour>`;
    one row a (subscription, topic), so many changes for one person make one push. `version` grows
    with each change coalesced into a waiting row; `due_at` is when to (re)try it (epoch seconds), a
    sender's claim moves it to the end of its lease."""

    phone = peewee.ForeignKeyField(PushSubscription, on_delete="CASCADE", column_name="key_id", index=False)
    topic = peewee.CharField(max_length=64)
    due_at = peewee.DoubleField()
    tries = peewee.IntegerField(default=0)
    version = peewee.IntegerField(default=1)
    made_at = peewee.CharField(max_length=40)

    class Meta:
        table_name = "push_outbox"
        primary_key = peewee.CompositeKey("phone", "topic")
        indexes = ((("due_at",), False),)


class ReminderSent(BaseModel):
    """A reminder claimed by one hub (replica) before it is pushed: one row per appointment, which
    reminder (`day`, `hour`) and the start time it was for, so a moved appointment is reminded again."""

    appointment = peewee.ForeignKeyField(Appointment, on_delete="RESTRICT", column_name="appointment_id",
                                          index=False)
    when = peewee.CharField(max_length=8)
    starts_at = peewee.CharField(max_length=40)
    claimed_at = peewee.CharField(max_length=40)

    class Meta:
        table_name = "reminder_sent"
        primary_key = peewee.CompositeKey("appointment", "when", "starts_at")


MODELS = [PushSubscription, PushOutbox, ReminderSent]
