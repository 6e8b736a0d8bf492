"""Courses at this edge and their sync state.

Hook: when the course cache (edge.courses) is installed and its tables exist, its sync state is
shown (status, stage, bytes and files done, last sync, last error, older versions kept for learners
part-way, learners started and completed). Without it,
the page lists the courses that learners' progress statements name, so staff still see what is in use.
"""

from __future__ import annotations

import importlib

from flask import Blueprint, g, render_template, request

from edge import store
from edge.console import access, learning, refusals
from edge.console.access import ALL_ROLES, LEARNING_ROLES, require

bp = Blueprint("courses", __name__, url_prefix="/courses")


def sync_state() -> list[dict] | None:
    """Each course's sync state from the course cache (edge.courses.catalogue.states), with the
    learners who started and completed each; None when the course cache is not on this edge."""
    try:
        catalogue = importlib.import_module("edge.courses.catalogue")
        course_tables = importlib.import_module("edge.courses.tables")
    except ImportError:
        return None
    if not store.db.table_exists(course_tables.CourseState._meta.table_name):
        return None
    # Statements reach course_progress at each sync; take in those that arrived since, so the page is current.
    importlib.import_module("edge.courses.progress").absorb()
    started: dict[str, int] = {}
    completed: dict[str, int] = {}
    for row in course_tables.CourseProgress.select():
        started[row.course] = started.get(row.course, 0) + 1
        completed[row.course] = completed.get(row.course, 0) + (row.completed is not None)
    return [{**state, "stage": state["stage"] or "", "last_sync": state["last_sync"] or "never",
             "last_error": state["last_error"] or "", "started": started.get(state["course"], 0),
             "completed": completed.get(state["course"], 0)}
            for state in catalogue.states()]


@bp.get("/")
@require(*ALL_ROLES)
def index():
    return render_template("courses.html", state=sync_state(), in_use=learning.courses_in_use())


@bp.get("/refusals")
@require(*ALL_ROLES)
def refused():
    """Values courses sent that tablets refused, newest first, with what to do: tutors and the manager see whose
    (in their scope) and the value; IT staff neither (edge.console.refusals)."""
    scope = access.scope() if g.member.role in LEARNING_ROLES else None
    course = request.args.get("course", "")[:63]
    return render_template("refusals.html", rows=refusals.refusals(scope, course), courses=refusals.courses(scope),
                           course=course, personal=scope is not None, forms=refusals.form_refusals(scope))
