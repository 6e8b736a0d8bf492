"""The team inbox: people's messages to the worker's team, for whoever in the team is on duty (when
nobody is, for its managers; the page says so), each person's waiting messages with one answer form;
and putting oneself on or off duty. Any one member's answer answers for the whole team (hub/teams).
Showing a person's messages records the read (person_read), as every page of a person's data does."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, url_for

from hub.console import access as console_access
from hub.refusals import Refused
from hub.sync.changes import MAX_TEXT
from hub.teams import rules
from hub.teams import service as teams
from hub.teams.models import TeamDuty, TeamMessage
from hub.workers import access, caseload

bp = Blueprint("inbox", __name__)


def _page(error: str | None = None, text: str = "", for_person: str = "", status: int = 200):
    team = teams.find_or_none(g.staff.team)
    holder = teams.inbox_holder(g.staff) if team else ""
    waiting = teams.waiting(team) if team else []
    threads = {w.person_id: teams.thread(team.name, w.person_id) for w in waiting} if holder else {}
    if threads:
        caseload.record_reads(g.staff.name, list(threads), "messages")
    duty = TeamDuty.get_or_none(TeamDuty.worker == g.staff.name) if team else None
    said = None
    done = request.args.get("answered", "")
    if done and team and not [w for w in waiting if w.person_id == done] and TeamMessage.select().where(
            (TeamMessage.team == team.name) & (TeamMessage.person == done[:16])
            & (TeamMessage.answered_by == g.staff.name)).exists():
        said = f"Answered {done} for {team.name}. It reaches their phone at its next sync."
    return render_template("work/inbox.html", team=team, holder=holder, waiting=waiting, threads=threads,
                           on_duty=teams.on_duty(team.name) if team else [], managers=teams.managers(
                               team.name) if team else [], duty=duty, said=said, error=error, text=text,
                           for_person=for_person, max_text=MAX_TEXT, duration=rules.duration_text), status


@bp.get("/inbox")
@access.require("work.team_inbox.read")
def index():
    return _page()


@bp.post("/inbox/answer")
@access.require("work.team_inbox.answer")
def answer():
    person_id, text = request.form.get("person", "").strip()[:16], request.form.get("text", "")
    if not person_id:
        raise Refused(400, "bad_request", "choose a person's messages in the team inbox, then answer there")
    if not text.strip() or len(text) > MAX_TEXT:
        error = (f"Write an answer of 1 to {MAX_TEXT} characters." if text.strip() else
                 "The answer is empty: write what you want to say, then send it.")
        return _page(error, text[:MAX_TEXT], person_id, 400)
    if not g.staff.team or teams.find_or_none(g.staff.team) is None:
        raise Refused(409, "no_team", "your account has no team the hub knows: ask the hub's operator to add it "
                      "(`throughgate hub teams add`)")
    sent = teams.answer(g.staff, person_id, text)
    console_access.record("work.team_inbox.answer", sent.person_id, message=sent.message_id, team=g.staff.team)
    return redirect(url_for("work.inbox.index", answered=sent.person_id), 303)


@bp.post("/duty")
@access.require("work.duty.set")
def duty():
    wanted = request.form.get("on", "")
    if wanted not in ("yes", "no"):
        raise Refused(400, "bad_request", "choose On duty or Off duty, then send the form again")
    teams.set_duty(g.staff.name, wanted == "yes", g.staff.name)
    console_access.record("work.duty.set", g.staff.name, on_duty=wanted == "yes", team=g.staff.team)
    return redirect(url_for("work.inbox.index"), 303)
