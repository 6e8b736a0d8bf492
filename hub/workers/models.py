"""Workers' caseloads and the record of every read of a person's data (migration m0008), and the names
of the people in caseloads (m0015)."""

from __future__ import annotations

import peewee

from hub.models import BaseModel
from hub.people.models import Person


class Caseload(BaseModel):
    """A person in a worker's caseload: the worker sees them in the workers' console."""

    worker = peewee.CharField(max_length=64)
    """A worker account's name (hub/staff)."""
    person = peewee.ForeignKeyField(Person, on_delete="RESTRICT", column_name="person_id")
    added_at = peewee.CharField(max_length=40)
    added_by = peewee.CharField(max_length=80)

    class Meta:
        table_name = "caseload"
        primary_key = peewee.CompositeKey("worker", "person")


class PersonRead(BaseModel):
    """A worker read part of a person's record (`what`: list, person, messages, letter): the person can
    later see who looked, and when. Only appended to."""

    worker = peewee.CharField(max_length=64)
    person = peewee.ForeignKeyField(Person, on_delete="RESTRICT", column_name="person_id", index=False)
    what = peewee.CharField(max_length=40)
    at = peewee.CharField(max_length=40)

    class Meta:
        table_name = "person_read"
        indexes = ((("person", "at"), False),)


class PersonName(BaseModel):
    """The name, prison number and case reference of a person in at least one caseload (m0015), sealed
    as one Fernet token with the console key (hub/workers/names.py); gone once no caseload holds them."""
    person = peewee.ForeignKeyField(Person, primary_key=True, on_delete="RESTRICT", column_name="person_id")
    sealed = peewee.TextField()
    set_at = peewee.CharField(max_length=40)
    set_by = peewee.CharField(max_length=80)

    class Meta:
        table_name = "person_name"


MODELS = [Caseload, PersonRead, PersonName]
