"""Tables for courses: each course, its versions (with the signed manifest), the files of each
version (by SHA-256: the blob store holds the bytes), and where each course is sent.

A course's current version is its highest. A target is (course, edge, group): group "" means
everyone at that edge; otherwise only the named groups there (docs/courses.md).
"""

from __future__ import annotations

import peewee

from hub.models import BaseModel, Edge
from hub.people.models import Person

EVERYONE = ""


class Course(BaseModel):
    slug = peewee.CharField(max_length=63, unique=True)
    title = peewee.TextField()
    format = peewee.CharField(max_length=16)
    created_at = peewee.CharField(max_length=40)


class CourseVersion(BaseModel):
    course = peewee.ForeignKeyField(Course, backref="versions", on_delete="RESTRICT")
    version = peewee.IntegerField()
    title = peewee.TextField()
    published_at = peewee.CharField(max_length=40)
    file_count = peewee.IntegerField()
    total_bytes = peewee.BigIntegerField()
    envelope = peewee.TextField()
    """The signed manifest, as JSON text: what edges are sent, byte for byte the same fields."""

    class Meta:
        table_name = "course_version"
        indexes = ((("course", "version"), True),)


class CourseFile(BaseModel):
    version = peewee.ForeignKeyField(CourseVersion, backref="files", on_delete="RESTRICT")
    path = peewee.CharField(max_length=1024)
    sha256 = peewee.CharField(max_length=64, index=True)
    size = peewee.BigIntegerField()
    type = peewee.CharField(max_length=255)

    class Meta:
        table_name = "course_file"
        indexes = ((("version", "path"), True),)


class CourseTarget(BaseModel):
    course = peewee.ForeignKeyField(Course, backref="targets", on_delete="RESTRICT")
    edge = peewee.ForeignKeyField(Edge, backref="course_targets", on_delete="RESTRICT")
    group = peewee.CharField(max_length=64, default=EVERYONE)
    added_at = peewee.CharField(max_length=40)

    class Meta:
        table_name = "course_target"
        indexes = ((("course", "edge", "group"), True),)


class PhoneRecord(BaseModel):
    """A learning record a person's phone sent after release, through the phone sync (hub/sync/changes.py): a
    statement (`progress_statement`, `quiz_answer`, its actor the person) or a resume state (`course_state`,
    wire/course_state.py). Stored once by its id (the change's, which for a statement is the statement's); the
    LRS forwarder sends the statements as it sends the edges' records (hub/lrs)."""

    arrival = peewee.BigAutoField()
    record_id = peewee.CharField(max_length=36, unique=True)
    person = peewee.ForeignKeyField(Person, on_delete="RESTRICT", column_name="person_id", index=False)
    key_id = peewee.CharField(max_length=64)
    """The phone that sent it."""
    kind = peewee.CharField(max_length=32)
    created = peewee.CharField(max_length=40)
    """When the phone made it (its clock)."""
    received_at = peewee.CharField(max_length=40)
    payload = peewee.TextField()
    """The statement or the state, as JSON text."""

    class Meta:
        table_name = "phone_record"
        indexes = ((("person", "kind"), False),)


COURSE_MODELS = [Course, CourseVersion, CourseFile, CourseTarget, PhoneRecord]
