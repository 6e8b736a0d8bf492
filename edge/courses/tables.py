"""The course cache's SQLite tables, in the edge store (edge.store's database).

    CourseState    one row per course: where its last sync got to (pending | started | completed |
                   errored), at which stage, bytes and files done of the total, last error, last sync
    CourseVersion  a verified, complete version the edge published: its signed envelope and whether it
                   is the one tablets are offered (current), kept for learners part-way (retained), or
                   gone (reclaimed, its files deleted unless a kept version shares them)
    VersionFile    the files of a published version: what GET /v1/content may serve
    CourseProgress learners who started a course version, and whether they completed it
    ProgressInbox  progress statements the relay commits (its observer progress.Inbox), until progress.absorb
                   reads them
"""

from __future__ import annotations

import peewee as pw

from edge.store import BaseModel

PENDING, STARTED, COMPLETED, ERRORED = "pending", "started", "completed", "errored"
STATUSES = (PENDING, STARTED, COMPLETED, ERRORED)

CURRENT, RETAINED, RECLAIMED = "current", "retained", "reclaimed"


class CourseState(BaseModel):
    course = pw.CharField(primary_key=True, max_length=63)
    status = pw.CharField(max_length=12, default=PENDING)
    stage = pw.CharField(max_length=20, null=True)  # the stage it is in, or stopped at
    version = pw.IntegerField(null=True)  # the version being synced (the hub's current one)
    current = pw.IntegerField(null=True)  # the version tablets are offered
    bytes_done = pw.BigIntegerField(default=0)
    bytes_total = pw.BigIntegerField(default=0)
    files_done = pw.IntegerField(default=0)
    files_total = pw.IntegerField(default=0)
    last_error = pw.TextField(null=True)
    last_sync = pw.CharField(max_length=30, null=True)  # when a sync last completed
    updated = pw.CharField(max_length=30)

    class Meta:
        table_name = "course_state"


class CourseVersion(BaseModel):
    course = pw.CharField(max_length=63)
    version = pw.IntegerField()
    envelope = pw.TextField()  # the signed manifest as the hub sent it (JSON), re-verifiable
    groups = pw.TextField(default="[]")  # JSON list; empty: everyone at this edge
    state = pw.CharField(max_length=12, default=CURRENT, index=True)
    bytes = pw.BigIntegerField(default=0)
    published = pw.CharField(max_length=30)
    retired = pw.CharField(max_length=30, null=True)
    reclaimed = pw.CharField(max_length=30, null=True)

    class Meta:
        table_name = "course_version"
        indexes = ((("course", "version"), True),)


class VersionFile(BaseModel):
    version = pw.ForeignKeyField(CourseVersion, on_delete="CASCADE", backref="files")
    sha256 = pw.CharField(max_length=64, index=True)
    path = pw.TextField()
    size = pw.BigIntegerField()
    type = pw.CharField(max_length=100)

    class Meta:
        table_name = "course_file"


class CourseProgress(BaseModel):
    learner = pw.CharField(max_length=64)
    course = pw.CharField(max_length=63)
    version = pw.IntegerField()
    started = pw.CharField(max_length=30)
    completed = pw.CharField(max_length=30, null=True)

    class Meta:
        table_name = "course_progress"
        indexes = ((("learner", "course", "version"), True),)


class ProgressInbox(BaseModel):
    """progress_statement records as the relay commits them (progress.Inbox); progress.absorb() empties it."""

    id = pw.CharField(primary_key=True, max_length=36)  # the record id
    learner = pw.CharField(max_length=64)
    body = pw.TextField()

    class Meta:
        table_name = "course_progress_inbox"


MODELS = (CourseState, CourseVersion, VersionFile, CourseProgress, ProgressInbox)
