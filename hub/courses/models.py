"""Tables for courses: each course, its versions (with the signed manifest), the files of each
version (by SHA-256: the blob store holds the bytes), and where each course is sent.

A course's current version is its highest. A target is (course, edge, group): group "" means
everyone at that edge; otherwise only the named groups there (docs/courses.md).
"""

from __future__ import annotations

import peewee

from hub.models import BaseModel, Edge

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


COURSE_MODELS = [Course, CourseVersion, CourseFile, CourseTarget]
