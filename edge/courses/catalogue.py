"""Published course versions and per-course sync state, in the edge store (tables.py).

Publishing is one SQLite transaction: the new version and its file list appear, and the version
it replaces becomes `retained`, together; a tablet asking meanwhile sees the old or the new, never
half. Only files of published (current or retained) versions are served.
"""

from __future__ import annotations

import json

from edge.courses import tables
from edge.courses.tables import CURRENT, RECLAIMED, RETAINED, CourseState, CourseVersion, VersionFile
from edge.store import db, writing
from wire.records import timestamp


class CatalogueError(ValueError):
    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code, self.reason = code, reason


def set_state(course: str, **values) -> None:
    values["updated"] = timestamp()
    with writing():
        if CourseState.update(**values).where(CourseState.course == course).execute() == 0:
            CourseState.create(course=course, **values)


def current(course: str) -> CourseVersion | None:
    return CourseVersion.get_or_none(CourseVersion.course == course, CourseVersion.state == CURRENT)


def current_versions() -> list[CourseVersion]:
    return list(CourseVersion.select().where(CourseVersion.state == CURRENT).order_by(CourseVersion.course))


def check_offer(course: str, version: int, envelope: dict) -> bool:
    """True when the offered version is already the current one; CatalogueError if it may not be used
    (older than what tablets have, or a different manifest under a version number already published)."""
    held = current(course)
    if held is not None and version < held.version:
        raise CatalogueError("downgrade", f"the hub offers version {version} of {course}, older than version "
                             f"{held.version} published here: kept {held.version}. Ask the hub's admin why")
    known = CourseVersion.get_or_none(CourseVersion.course == course, CourseVersion.version == version)
    if known is not None and json.loads(known.envelope) != envelope:
        raise CatalogueError("version_changed", f"the hub's manifest for {course} version {version} differs from "
                             "the one published here under the same number; versions never change, so it was "
                             "refused. Ask the hub's admin to publish it as a new version")
    return held is not None and held.version == version


def publish(manifest, envelope: dict, groups: list[str]) -> int | None:
    """Make this verified, complete version the current one. Returns the version it replaced."""
    now = timestamp()
    with writing():
        old = current(manifest.course)
        if old is not None:
            old.state, old.retired = RETAINED, now
            old.save()
        row = CourseVersion.get_or_none(CourseVersion.course == manifest.course,
                                        CourseVersion.version == manifest.version)
        if row is None:
            row = CourseVersion.create(course=manifest.course, version=manifest.version, envelope=json.dumps(envelope),
                                       groups=json.dumps(groups), bytes=manifest.total_size, published=now)
        else:  # reclaimed earlier (the course was no longer targeted), offered again
            row.state, row.groups, row.published = CURRENT, json.dumps(groups), now
            row.retired = row.reclaimed = None
            row.save()
            VersionFile.delete().where(VersionFile.version == row).execute()
        VersionFile.insert_many([{"version": row.id, "sha256": f.sha256, "path": f.path, "size": f.size,
                                  "type": f.type} for f in manifest.files]).execute()
    return old.version if old is not None else None


def update_groups(course: str, groups: list[str]) -> None:
    CourseVersion.update(groups=json.dumps(groups)).where(CourseVersion.course == course,
                                                          CourseVersion.state == CURRENT).execute()


def retire_unlisted(listed: set[str]) -> list[str]:
    """Courses the hub no longer targets here: their current version is only retained."""
    now = timestamp()
    gone = [row for row in current_versions() if row.course not in listed]
    with writing():
        for row in gone:
            row.state, row.retired = RETAINED, now
            row.save()
            set_state(row.course, current=None, status=tables.COMPLETED, stage=None,
                      last_error="no longer targeted at this edge by the hub: kept while learners are part-way")
    return [row.course for row in gone]


def retained() -> list[tuple[str, int]]:
    return [(r.course, r.version) for r in CourseVersion.select().where(CourseVersion.state == RETAINED)]


def reclaim(course: str, version: int) -> None:
    """Forget a retained version's file list (the files go once no kept version names them)."""
    with writing():
        row = CourseVersion.get(CourseVersion.course == course, CourseVersion.version == version)
        row.state, row.reclaimed = RECLAIMED, timestamp()
        row.save()
        VersionFile.delete().where(VersionFile.version == row).execute()


def kept_shas() -> set[str]:
    return {row.sha256 for row in VersionFile.select(VersionFile.sha256).distinct()}


SERVED_STATES = (CURRENT, RETAINED)
_FILES, _VERSIONS = VersionFile._meta.table_name, CourseVersion._meta.table_name
SERVABLE_SQL = f'SELECT f.size, f.type FROM "{_FILES}" f JOIN "{_VERSIONS}" v ON v.id = f.version_id ' \
               'WHERE f.sha256 = ? AND v.state IN (?, ?) LIMIT 1'  # noqa: S608 (model names, not input)


def servable(sha: str) -> tuple[int, str] | None:
    """(size, media type) of a file some published version holds, else None. The tablet API runs
    SERVABLE_SQL on every file a tablet fetches, as plain SQL: peewee spent ~0.25 ms building it."""
    row = db.execute_sql(SERVABLE_SQL, (sha, *SERVED_STATES)).fetchone()
    return (row[0], row[1]) if row else None


def states() -> list[dict]:
    return [{"course": s.course, "status": s.status, "stage": s.stage, "version": s.version, "current": s.current,
             "bytes_done": s.bytes_done, "bytes_total": s.bytes_total, "files_done": s.files_done,
             "files_total": s.files_total, "last_error": s.last_error, "last_sync": s.last_sync,
             "retained": [v for c, v in retained() if c == s.course]}
            for s in CourseState.select().order_by(CourseState.course)]
