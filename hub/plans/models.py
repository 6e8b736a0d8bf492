"""A release plan's fields (migration m0013)."""

from __future__ import annotations

import peewee

from hub.models import BaseModel
from hub.people.models import Person


class PlanField(BaseModel):
    """One field of one pathway of a person's plan (pathway `release`, field `date`: the release date):
    the winning value with who wrote it and when (their clock), and the losing values kept."""

    person = peewee.ForeignKeyField(Person, on_delete="RESTRICT", column_name="person_id", index=False)
    pathway = peewee.CharField(max_length=32)
    field = peewee.CharField(max_length=16)
    value = peewee.TextField()
    at = peewee.CharField(max_length=40)
    by = peewee.CharField(max_length=80)
    losing = peewee.TextField()
    """JSON list of the losing values kept, newest first: [{"value", "at", "by"}]."""

    class Meta:
        table_name = "plan_field"
        primary_key = peewee.CompositeKey("person", "pathway", "field")


MODELS = [PlanField]
