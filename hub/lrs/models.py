"""The forwarder's state in the hub database: how far it has got, and what it had to leave out."""

from __future__ import annotations

import peewee

from hub.models import BaseModel

FORWARDER = "lrs"
"""The cursor's name: one LRS per hub."""
PHONE_FORWARDER = "lrs-phone"
"""The cursor over the statements people's phones sent (phone_record.arrival)."""


class LrsCursor(BaseModel):
    """The arrival number (Record.arrival) of the last record the LRS has confirmed or that was left out."""

    name = peewee.CharField(max_length=32, primary_key=True)
    arrival = peewee.BigIntegerField(default=0)
    forwarded = peewee.BigIntegerField(default=0)
    """Statements the LRS confirmed, in all."""
    updated_at = peewee.CharField(max_length=40)

    class Meta:
        table_name = "lrs_cursor"


class LrsProblem(BaseModel):
    """A record the hub could not send: not a valid statement, or refused by the LRS (400)."""

    record_id = peewee.CharField(max_length=36, primary_key=True)
    arrival = peewee.BigIntegerField(index=True)
    kind = peewee.CharField(max_length=32)
    reason = peewee.TextField()
    at = peewee.CharField(max_length=40)

    class Meta:
        table_name = "lrs_problem"


MODELS = [LrsCursor, LrsProblem]
