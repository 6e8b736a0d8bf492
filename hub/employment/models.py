"""What employment advisers publish and people's ticks on checklists (migration m0021). An item is for everyone
or for one person; a person's ticks are personal data: every worker's read of them is recorded (person_read)."""

from __future__ import annotations

import peewee

from hub.models import BaseModel
from hub.people.models import Person

JOB, VIDEO, CHECKLIST = "job", "video", "checklist"
KINDS = (JOB, VIDEO, CHECKLIST)


class EmploymentItem(BaseModel):
    """A job link, a video or a checklist, as published. Never changed once there; withdrawing it hides it from
    phones (their ticks stay)."""

    item_id = peewee.CharField(max_length=32, primary_key=True)
    kind = peewee.CharField(max_length=16)
    title = peewee.CharField(max_length=200)
    text = peewee.TextField()
    """What it is for, in the adviser's words (may be empty)."""
    url = peewee.CharField(max_length=2000, null=True)
    """A job link's address (https)."""
    steps = peewee.TextField()
    """JSON: a checklist's steps, a list of strings ([] for the others)."""
    video_sha256 = peewee.CharField(max_length=64, null=True)
    video_type = peewee.CharField(max_length=40, null=True)
    video_bytes = peewee.BigIntegerField(null=True)
    captions_sha256 = peewee.CharField(max_length=64, null=True)
    captions_bytes = peewee.BigIntegerField(null=True)
    person = peewee.ForeignKeyField(Person, null=True, on_delete="RESTRICT", column_name="person_id", index=False)
    """None: for everyone released with a phone; else for this person only."""
    published_by = peewee.CharField(max_length=80)
    published_at = peewee.CharField(max_length=40)
    withdrawn_at = peewee.CharField(max_length=40, null=True)

    class Meta:
        table_name = "employment_item"
        indexes = ((("person", "published_at"), False),)


class ChecklistTick(BaseModel):
    """One tick or untick of a checklist step on a person's phone; its id is the phone's change id (a UUID), so
    the same tick sent again is stored once. The step's state is its newest tick (by the phone's time)."""

    tick_id = peewee.CharField(max_length=64, primary_key=True)
    person = peewee.ForeignKeyField(Person, on_delete="RESTRICT", column_name="person_id", index=False)
    item = peewee.ForeignKeyField(EmploymentItem, on_delete="RESTRICT", column_name="item_id", index=False)
    step = peewee.IntegerField()
    done = peewee.BooleanField()
    ticked_at = peewee.CharField(max_length=40)
    """The phone's clock when the person ticked it."""
    received_at = peewee.CharField(max_length=40)

    class Meta:
        table_name = "checklist_tick"
        indexes = ((("person", "item"), False),)


MODELS = [EmploymentItem, ChecklistTick]
