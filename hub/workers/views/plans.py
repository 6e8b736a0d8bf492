"""A person's release plan: the countdown to the release date, each pathway's status, owner and notes
with who wrote them and when, the values that lost a conflict ("Also written"), and a form per
pathway. A form sends what the worker saw (each field's value and its time), so only the fields they
changed are written, and an edit made meanwhile by someone else is a conflict the page then shows
(wire/plans.py `merge`)."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, url_for

from hub.console import access as console_access
from hub.plans import service
from hub.refusals import Refused
from hub.workers import access
from wire import plans
from wire.records import timestamp

bp = Blueprint("plans", __name__)


def _page(found, error: str | None = None, status: int = 200):
    return render_template("work/plan.html", person=found, plan=service.plan(found.person_id),
                           countdown=service.countdown(found), statuses=plans.STATUSES, error=error,
                           saved=request.args.get("saved", ""), may_edit=console_access.may("work.plans.edit"),
                           max_owner=plans.MAX_OWNER, max_notes=plans.MAX_NOTES), status


@bp.get("/people/<person_id>/plan")
@access.require("work.plans.read")
def show(person_id: str):
    return _page(access.person(person_id, "plan"))


def _changes(pathway: str) -> list[tuple[str, str, str | None]]:
    """(field, new value, the time of the value the worker saw) for each field the form changed."""
    names = ("date",) if pathway == plans.RELEASE else plans.FIELDS
    found = []
    for name in names:
        value = request.form.get(name)
        if value is None:
            continue
        value = value.replace("\r\n", "\n")
        if value.strip() != request.form.get(f"was_{name}", "").replace("\r\n", "\n").strip():
            found.append((name, value.strip() if name != "notes" else value, request.form.get(f"at_{name}") or None))
    return found


@bp.post("/people/<person_id>/plan")
@access.require("work.plans.edit")
def edit(person_id: str):
    found = access.person(person_id, "plan")
    pathway = request.form.get("pathway", "")
    if pathway != plans.RELEASE and pathway not in plans.PATHWAY_KEYS:
        raise Refused(400, "bad_request", "the form names no pathway of a release plan: send it again from the plan "
                      "page")
    changed = []
    for name, value, base in _changes(pathway):
        try:
            made = plans.check_edit(pathway, name, value, timestamp(), g.staff.name, base)
        except plans.PlanError as exc:
            return _page(found, f"{exc.reason[0].upper()}{exc.reason[1:]}. Nothing was saved.", 400)
        if service.apply(found.person_id, made):
            changed.append(name)
    if changed:
        console_access.record("work.plans.edit", found.person_id, pathway=pathway, fields=",".join(changed))
    return redirect(url_for("work.plans.show", person_id=found.person_id, saved=pathway) + f"#{pathway}", 303)
