"""Whom a person can write to from their phone: the workers whose caseload holds them, and those
workers' teams (the teams the hub knows, `hub teams add`). The phone learns them from a `contacts`
change in the person's feed (docs/phone-sync.md), sent again whenever they change: the newest one
holds the whole list."""

from __future__ import annotations

from hub.staff.models import StaffAccount
from hub.sync import feed
from hub.teams import rules
from hub.teams.models import Team
from hub.workers.models import Caseload

KIND = "contacts"


def of_person(person_id: str) -> dict:
    """{"workers": [{"to", "name", "role"}], "teams": [{"to", "name", "reply_within_min", "reply_within"}]}."""
    names = [row.worker for row in Caseload.select(Caseload.worker).where(Caseload.person == person_id)]
    workers = list(StaffAccount.select().where(StaffAccount.name.in_(names) & (StaffAccount.console == "worker")
                                               & StaffAccount.disabled_at.is_null()).order_by(StaffAccount.name))
    teams = list(Team.select().where(Team.name.in_({w.team for w in workers if w.team})).order_by(Team.name))
    return {"workers": [{"to": w.name, "name": w.display_name, "role": w.role} for w in workers],
            "teams": [{"to": rules.ADDRESS_PREFIX + t.name, "name": t.name, "reply_within_min": t.reply_within_min,
                       "reply_within": rules.duration_text(t.reply_within_min)} for t in teams]}


def team_names_of(person_id: str) -> set[str]:
    return {team["name"] for team in of_person(person_id)["teams"]}


def send(person_id: str) -> None:
    """Tell the person's phones their contacts as they are now (at its next sync)."""
    feed.append(person_id, KIND, KIND, of_person(person_id))


def people_of_team(team: str) -> list[str]:
    """The people in the caseload of any worker of the team."""
    members = StaffAccount.select(StaffAccount.name).where(StaffAccount.team == team)
    return sorted({row.person_id for row in Caseload.select(Caseload.person).where(Caseload.worker.in_(members))})
