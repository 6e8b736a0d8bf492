"""Appointments, every change to them (the evidence for both sides), and each person's calendar feed
(migration m0009)."""

from __future__ import annotations

import peewee

from hub.models import BaseModel
from hub.people.models import Person

KINDS = ("in_person", "phone", "video")
SCHEDULED, CANCELLED = "scheduled", "cancelled"
WHATS = ("created", "moved", "cancelled", "reschedule_asked", "running_late", "proposed", "accepted", "declined")
"""What an appointment_change records: a worker made, moved or cancelled it; the person asked to
reschedule or said they are running late; the worker proposed another time, accepted or declined
the person's request."""


def _one_of(column: str, values: tuple[str, ...]) -> peewee.Check:
    return peewee.Check(f"{column} IN ({', '.join(repr(value) for value in values)})")


class Appointment(BaseModel):
    """Owned by the worker: only a worker changes it; the person asks (appointment_change)."""

    appointment_id = peewee.CharField(max_length=36, primary_key=True)
    """A UUID: also the calendar event's UID."""
    person = peewee.ForeignKeyField(Person, on_delete="RESTRICT", column_name="person_id")
    worker = peewee.CharField(max_length=64)
    """The worker account (hub/staff) the person meets."""
    kind = peewee.CharField(max_length=16, constraints=[_one_of("kind", KINDS)])
    starts_at = peewee.CharField(max_length=40)
    ends_at = peewee.CharField(max_length=40)
    place = peewee.CharField(max_length=200)
    """Where to go, or for a phone appointment who calls whom; for video, what the link is for."""
    video_url = peewee.TextField(null=True)
    """A video appointment's Jitsi Meet link with its room token (hub/appointments/jitsi.py); None when
    the hub has no video service set (JITSI_URL)."""
    status = peewee.CharField(max_length=16, default=SCHEDULED, constraints=[_one_of("status", (SCHEDULED, CANCELLED))])
    created_at = peewee.CharField(max_length=40)
    updated_at = peewee.CharField(max_length=40)

    class Meta:
        table_name = "appointment"


class AppointmentChange(BaseModel):
    """One change, never edited or deleted: who (`person`, a worker's name, or `cli:<user>` on the
    hub's machine), when, what, why, and its detail (JSON: the times before and after, the time asked
    for or proposed, the minutes late, the phone change's id)."""

    id = peewee.AutoField()
    appointment = peewee.ForeignKeyField(Appointment, on_delete="RESTRICT", column_name="appointment_id")
    at = peewee.CharField(max_length=40)
    by = peewee.CharField(max_length=80)
    what = peewee.CharField(max_length=24, constraints=[_one_of("what", WHATS)])
    reason = peewee.TextField(null=True)
    detail = peewee.TextField(default="{}")

    class Meta:
        table_name = "appointment_change"


class CalendarFeed(BaseModel):
    """A person's secret calendar URL: only its token's SHA-256 is kept; a new one replaces it (revokes)."""

    person = peewee.ForeignKeyField(Person, on_delete="RESTRICT", column_name="person_id", primary_key=True)
    token_sha256 = peewee.CharField(max_length=64, unique=True)
    made_at = peewee.CharField(max_length=40)
    made_by = peewee.CharField(max_length=80)

    class Meta:
        table_name = "calendar_feed"


MODELS = [Appointment, AppointmentChange, CalendarFeed]
