"""Courses at this edge and their sync state.

Hook: when the course cache (edge.courses.tables) is installed and its tables exist, its sync state
is shown (status, stage, bytes and files done, last sync, last error, versions kept). Without it,
the page lists the courses that learners' progress statements name, so staff still see what is in use.
"""

from __future__ import annotations

import importlib

from flask import Blueprint, render_template

from edge import store
from edge.console import learning
from edge.console import progress as measures
from edge.console.access import ALL_ROLES, require

bp = Blueprint("courses", __name__, url_prefix="/courses")


def sync_state() -> list[dict] | None:
    """Each course's sync state from edge.courses, or None when the course cache is not here."""
    try:
        course_tables = importlib.import_module("edge.courses.tables")
    except ImportError:
        return None
    if not store.db.table_exists(course_tables.CourseState._meta.table_name):
        return None
    versions: dict[str, list[str]] = {}
    for row in course_tables.CourseVersion.select().order_by(course_tables.CourseVersion.version):
        versions.setdefault(row.course, []).append(f"v{row.version} {row.state}")
    return [{"course": s.course, "status": s.status, "stage": s.stage or "", "version": s.version,
             "current": s.current, "bytes_done": s.bytes_done, "bytes_total": s.bytes_total,
             "files_done": s.files_done, "files_total": s.files_total, "last_sync": s.last_sync or "never",
             "last_error": s.last_error or "", "versions": versions.get(s.course, [])}
            for s in course_tables.CourseState.select().order_by(course_tables.CourseState.course)]


def courses_in_use() -> list[dict]:
    """Courses named by progress statements (no learner ids: counts only)."""
    counts: dict[str, set[str]] = {}
    for learner, payload in learning.statements(learning.Scope(everyone=True)):
        statement = measures.read(payload)
        if statement is not None and statement.course:
            counts.setdefault(statement.course, set()).add(learner)
    return [{"course": course, "learners": len(learners)} for course, learners in sorted(counts.items())]


@bp.get("/")
@require(*ALL_ROLES)
def index():
    return render_template("courses.html", state=sync_state(), in_use=courses_in_use())
