"""Which courses the hub holds, and where they go: listing, targeting, and what an edge may fetch.

Service functions (no Flask): callers hold a database connection. Refusals are hub.refusals.Refused.
"""

from __future__ import annotations

import json

from hub.courses.models import EVERYONE, Course, CourseFile, CourseTarget, CourseVersion
from hub.db import write_transaction
from hub.models import Edge
from hub.refusals import Refused
from wire.records import timestamp, valid_dns_label


def _course(slug: str) -> Course:
    row = Course.get_or_none(Course.slug == slug) if isinstance(slug, str) else None
    if row is None:
        raise Refused(404, "unknown_course", f"no course {slug!r}: import its package first")
    return row


def _targets(course: Course) -> list[dict]:
    query = CourseTarget.select().where(CourseTarget.course == course).order_by(CourseTarget.edge, CourseTarget.group)
    return [{"edge": t.edge_id, "group": t.group or None} for t in query]


def _version_dict(row: CourseVersion) -> dict:
    return {"version": row.version, "title": row.title, "published": row.published_at, "files": row.file_count,
            "total_bytes": row.total_bytes}


def list_courses() -> list[dict]:
    """Every course with its current version and targets."""
    found = []
    for course in Course.select().order_by(Course.slug):
        current = course.versions.order_by(CourseVersion.version.desc()).first()
        found.append({"course": course.slug, "title": course.title, "format": course.format,
                      "current": _version_dict(current) if current else None,
                      "versions": course.versions.count(), "targets": _targets(course)})
    return found


def versions(slug: str) -> list[dict]:
    course = _course(slug)
    return [_version_dict(v) for v in course.versions.order_by(CourseVersion.version.desc())]


def manifest(slug: str, version: int | None = None) -> dict:
    """The signed manifest of a version (the current one if not given)."""
    query = _course(slug).versions.order_by(CourseVersion.version.desc())
    if version and not 1 <= version < 2**63:  # SQLite cannot even compare a larger number (a 500, not a 404)
        row = None
    else:
        row = query.where(CourseVersion.version == version).first() if version else query.first()
    if row is None:
        raise Refused(404, "unknown_version", f"course {slug!r} has no version {version}")
    return json.loads(row.envelope)


def set_target(slug: str, edge_id: str, group: str | None = None, remove: bool = False) -> list[dict]:
    """Send the course to an edge (to one group there, or everyone); or stop. Returns its targets."""
    group = group or EVERYONE
    if group and not valid_dns_label(group):
        raise Refused(400, "bad_group", f"group {group!r} is not a lower-case name of letters, digits and '-' "
                      "(at most 63)")
    with write_transaction():
        course = _course(slug)
        edge = Edge.get_or_none(Edge.edge_id == edge_id) if isinstance(edge_id, str) else None
        if edge is None:
            raise Refused(404, "unknown_edge", f"no edge {edge_id!r}: enrol it first (throughgate hub tokens create)")
        match = ((CourseTarget.course == course) & (CourseTarget.edge == edge) & (CourseTarget.group == group))
        if remove:
            CourseTarget.delete().where(match).execute()
        elif not CourseTarget.select().where(match).exists():
            CourseTarget.create(course=course, edge=edge, group=group, added_at=timestamp())
        return _targets(course)


def for_edge(edge_id: str) -> list[dict]:
    """GET /v1/courses: the current version of each course targeted at the edge, and its groups
    there (empty: everyone)."""
    groups: dict[int, set[str]] = {}
    for target in CourseTarget.select().where(CourseTarget.edge == edge_id):
        groups.setdefault(target.course_id, set()).add(target.group)
    answer = []
    for course in Course.select().where(Course.id.in_(list(groups))).order_by(Course.slug):
        current = course.versions.order_by(CourseVersion.version.desc()).first()
        if current is None:
            continue
        named = groups[course.id]
        answer.append({"envelope": json.loads(current.envelope),
                       "groups": [] if EVERYONE in named else sorted(named)})
    return answer


def blob_for_edge(edge_id: str, sha256: str) -> CourseFile | None:
    """A file row with this hash in some version of a course targeted at the edge; else None."""
    return (CourseFile.select(CourseFile.sha256, CourseFile.size, CourseFile.type)
            .join(CourseVersion).join(CourseTarget, on=(CourseTarget.course == CourseVersion.course))
            .where((CourseFile.sha256 == sha256) & (CourseTarget.edge == edge_id))
            .first())

