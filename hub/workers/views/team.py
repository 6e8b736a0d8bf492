"""My team, for team managers: each worker of the team and the people in their caseload; a person of
the team's caseloads added to another worker of the team (a second worker for them, or a handover),
or taken out of one; who is on duty (a manager puts any member on or off), and the team's messages
waiting too long: past the team's promised reply time with no answer (hub/teams/rules.py). People
from outside the team's caseloads are added with the CLI (`throughgate hub workers caseload add`): a
manager cannot reach a person by typing an id."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, url_for

from hub.console import access as console_access
from hub.refusals import Refused
from hub.staff.models import StaffAccount
from hub.teams import rules
from hub.teams import service as teams
from hub.workers import access, caseload

bp = Blueprint("team", __name__)


def _team_workers() -> list[StaffAccount]:
    if not g.staff.team:
        return []
    return list(StaffAccount.select().where((StaffAccount.console == "worker") & (StaffAccount.team == g.staff.team))
                .order_by(StaffAccount.name))


@bp.get("/team")
@access.require("work.caseloads.manage")
def index():
    workers = _team_workers()
    loads = {worker.name: [entry.person_id for entry in caseload.of_worker(worker.name)] for worker in workers}
    people = caseload.people_of(g.staff) if workers else []
    caseload.record_reads(g.staff.name, [p.person_id for p in people], "team")
    done = request.args.get("done", "")
    said = None
    if done.count(":") == 2:  # said only when so: a link's query alone cannot make the page claim it
        what, worker, person = done.split(":")
        if what == "added" and person in loads.get(worker, ()):
            said = f"{person} is now in {worker}'s caseload."
        elif what == "removed" and worker in loads and person not in loads[worker]:
            said = f"{person} is no longer in {worker}'s caseload."
        elif what == "duty" and worker in loads and teams.is_on_duty(worker, g.staff.team) == (person == "yes"):
            said = f"{worker} is now {'on' if person == 'yes' else 'off'} duty."
    known = teams.find_or_none(g.staff.team)
    on_duty = {row.name for row in teams.on_duty(known.name)} if known else set()
    too_long = len(teams.waiting_too_long(known)) if known else 0
    return render_template("work/team.html", workers=workers, loads=loads, people=people, said=said, known=known,
                           on_duty=on_duty, too_long=too_long, duration=rules.duration_text)


def _chosen() -> tuple[str, str]:
    """The worker (of this team) and the person (of the team's caseloads) the form names; 400 if not."""
    worker, person_id = request.form.get("worker", "").strip().lower(), request.form.get("person", "").strip()
    if not worker or not person_id:
        raise Refused(400, "bad_request", "choose a worker of your team and a person, then send the form again")
    if worker not in {row.name for row in _team_workers()}:
        raise Refused(400, "bad_request", f"{worker!r} is not a worker of your team: choose one from the list")
    person = caseload.visible(g.staff, person_id)
    if person is None:
        raise Refused(400, "bad_request", "choose a person from your team's caseloads; the hub's operator adds "
                      "others (`throughgate hub workers caseload add`)")
    return worker, person.person_id


@bp.post("/team/add")
@access.require("work.caseloads.manage")
def add():
    worker, person_id = _chosen()
    caseload.add(worker, person_id, g.staff.name)
    console_access.record("work.caseloads.manage", person_id, worker=worker, change="add")
    return redirect(url_for("work.team.index", done=f"added:{worker}:{person_id}"), 303)


@bp.post("/team/remove")
@access.require("work.caseloads.manage")
def remove():
    worker, person_id = _chosen()
    caseload.remove(worker, person_id)
    console_access.record("work.caseloads.manage", person_id, worker=worker, change="remove")
    return redirect(url_for("work.team.index", done=f"removed:{worker}:{person_id}"), 303)


@bp.get("/team/waiting")
@access.require("work.team.oversee")
def waiting():
    """The team's messages unanswered past its promise: whose, since when, how long, who is on duty."""
    known = teams.find_or_none(g.staff.team)
    found = teams.waiting_too_long(known) if known else []
    caseload.record_reads(g.staff.name, [w.person_id for w in found], "list")
    return render_template("work/waiting.html", known=known, found=found, on_duty=teams.on_duty(
        known.name) if known else [], duration=rules.duration_text)


@bp.post("/team/duty")
@access.require("work.team.oversee")
def duty():
    worker, wanted = request.form.get("worker", "").strip().lower(), request.form.get("on", "")
    if wanted not in ("yes", "no") or not worker:
        raise Refused(400, "bad_request", "choose a worker of your team and On duty or Off duty, then send the form "
                      "again")
    if worker not in {row.name for row in _team_workers()}:
        raise Refused(400, "bad_request", f"{worker!r} is not a worker of your team: choose one from the list")
    teams.set_duty(worker, wanted == "yes", g.staff.name)
    console_access.record("work.team.oversee", worker, on_duty=wanted == "yes", team=g.staff.team)
    return redirect(url_for("work.team.index", done=f"duty:{worker}:{wanted}"), 303)
