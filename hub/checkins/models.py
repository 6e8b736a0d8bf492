"""Check-ins (migration m0020): each person's schedules, the nonces handed to their phones, the check-ins
phones sent (accepted, flagged or refused, with why), the WebAuthn credentials bound to a phone, and the
reminders claimed. A check-in's photo is personal data: every worker's read of it is recorded (person_read)."""

from __future__ import annotations

import peewee

from hub.models import BaseModel
from hub.people.models import Person

ACCEPTED, FLAGGED, REFUSED = "accepted", "flagged", "refused"
OUTCOMES = (ACCEPTED, FLAGGED, REFUSED)


class CheckinSchedule(BaseModel):
    """How often a person checks in: a window of `window_hours` opening every `every_days` from `starts_at`,
    at an expected place. A new schedule ends the one before (ended_at); ended ones stay, so the slots they
    had are still shown."""

    schedule_id = peewee.CharField(max_length=32, primary_key=True)
    person = peewee.ForeignKeyField(Person, on_delete="RESTRICT", column_name="person_id", index=False)
    every_days = peewee.IntegerField()
    starts_at = peewee.CharField(max_length=40)
    window_hours = peewee.IntegerField()
    lat = peewee.DoubleField()
    lon = peewee.DoubleField()
    radius_m = peewee.IntegerField()
    set_by = peewee.CharField(max_length=80)
    set_at = peewee.CharField(max_length=40)
    ended_at = peewee.CharField(max_length=40, null=True)

    class Meta:
        table_name = "checkin_schedule"
        indexes = ((("person", "set_at"), False),)


class CheckinNonce(BaseModel):
    """A nonce the hub handed a phone (GET /v1/phone/checkins): a check-in carrying it was made after issued_at."""

    nonce = peewee.CharField(max_length=64, primary_key=True)
    key_id = peewee.CharField(max_length=64)
    person = peewee.ForeignKeyField(Person, on_delete="RESTRICT", column_name="person_id", index=False)
    issued_at = peewee.CharField(max_length=40)

    class Meta:
        table_name = "checkin_nonce"
        indexes = ((("key_id", "issued_at"), False),)


class Checkin(BaseModel):
    """A check-in a phone sent; its id is the sync change's. `document` is the canonical JSON as signed
    (as claimed, for a refused one), `jws` the phone's signature, kept after the photo is deleted."""

    checkin_id = peewee.CharField(max_length=64, primary_key=True)
    person = peewee.ForeignKeyField(Person, on_delete="RESTRICT", column_name="person_id", index=False)
    key_id = peewee.CharField(max_length=64)
    """The phone that sent it."""
    outcome = peewee.CharField(max_length=16)
    reasons = peewee.TextField()
    """JSON: [{"code", "text"}]: why it was refused, or what a human should look at (flags)."""
    document = peewee.TextField()
    jws = peewee.TextField()
    slot = peewee.CharField(max_length=48, null=True)
    device_time = peewee.CharField(max_length=40, null=True)
    received_at = peewee.CharField(max_length=40)
    photo_sha256 = peewee.CharField(max_length=64, null=True)
    photo_deleted_at = peewee.CharField(max_length=40, null=True)
    owner_confirmed = peewee.BooleanField(default=False)
    """A WebAuthn user-verification assertion over the document verified (no biometric reaches the hub)."""
    reviewed_at = peewee.CharField(max_length=40, null=True)
    reviewed_by = peewee.CharField(max_length=80, null=True)

    class Meta:
        table_name = "checkin"
        indexes = ((("person", "received_at"), False),)


class CheckinCredential(BaseModel):
    """A WebAuthn credential the person registered on one phone, bound to that device (backup-eligible
    credentials, synced passkeys, are refused)."""

    credential_id = peewee.CharField(max_length=256, primary_key=True)
    """base64url."""
    key_id = peewee.CharField(max_length=64)
    person = peewee.ForeignKeyField(Person, on_delete="RESTRICT", column_name="person_id", index=False)
    public_key = peewee.TextField()
    """The COSE public key, base64url."""
    sign_count = peewee.BigIntegerField()
    registered_at = peewee.CharField(max_length=40)

    class Meta:
        table_name = "checkin_credential"
        indexes = ((("key_id",), False),)


class CheckinReminder(BaseModel):
    """A window's reminder, claimed by one hub before it is pushed."""

    schedule = peewee.ForeignKeyField(CheckinSchedule, on_delete="RESTRICT", column_name="schedule_id", index=False)
    slot = peewee.IntegerField()
    claimed_at = peewee.CharField(max_length=40)

    class Meta:
        table_name = "checkin_reminder"
        primary_key = peewee.CompositeKey("schedule", "slot")


MODELS = [CheckinSchedule, CheckinNonce, Checkin, CheckinCredential, CheckinReminder]
