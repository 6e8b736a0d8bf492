"""Teams, who is on duty, and team messages (migration m0011)."""

from __future__ import annotations

import peewee

from hub.models import BaseModel
from hub.people.models import Person
from hub.sync.models import Message


class Team(BaseModel):
    """A team people can write to. Its members are the worker accounts whose `team` is this name."""

    name = peewee.CharField(max_length=64, primary_key=True)
    reply_within_min = peewee.IntegerField()
    """The team's promise: a person's message is answered within this many minutes (wall clock)."""
    created_at = peewee.CharField(max_length=40)
    created_by = peewee.CharField(max_length=80)
    updated_at = peewee.CharField(max_length=40)

    class Meta:
        table_name = "team"


class TeamDuty(BaseModel):
    """A worker on duty for their team, since when, and who said so. Off duty: no row."""

    worker = peewee.CharField(max_length=64, primary_key=True)
    team = peewee.CharField(max_length=64, index=True)
    since = peewee.CharField(max_length=40)
    set_by = peewee.CharField(max_length=80)

    class Meta:
        table_name = "team_duty"


class TeamMessage(BaseModel):
    """A message between a person and a team: the person's (waiting until a member answers) or a
    member's answer on the team's behalf."""

    message = peewee.ForeignKeyField(Message, primary_key=True, on_delete="RESTRICT", column_name="message_id")
    team = peewee.CharField(max_length=64)
    person = peewee.ForeignKeyField(Person, on_delete="RESTRICT", column_name="person_id")
    from_person = peewee.BooleanField()
    received_at = peewee.CharField(max_length=40)
    answered_at = peewee.CharField(max_length=40, null=True)
    answered_by = peewee.CharField(max_length=64, null=True)
    """The worker whose answer answered it (for the person's messages; None until then)."""
    answer_id = peewee.CharField(max_length=64, null=True)

    class Meta:
        table_name = "team_message"
        indexes = ((("team", "answered_at"), False),)


MODELS = [Team, TeamDuty, TeamMessage]
