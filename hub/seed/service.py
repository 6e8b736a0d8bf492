"""Making the demo (hub/seed/demo.py) through the hub's own services: accounts, teams, people,
caseloads and names, messages, appointments, release plans and a release health summary, as the CLI and the
console make them.
All of it or nothing (one transaction), and only on a hub that holds no people yet."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from hub import db
from hub.admins.roles import HOST
from hub.appointments import jitsi
from hub.appointments import service as appointments
from hub.medical import service as medical
from hub.medical.models import SUMMARY
from hub.people import service as people
from hub.people.models import Person
from hub.plans import service as plans
from hub.refusals import Refused
from hub.seed import demo
from hub.staff import accounts
from hub.staff.models import StaffAccount
from hub.sync import messages
from hub.teams import rules as team_rules
from hub.teams import service as teams
from hub.teams.models import Team
from hub.workers import caseload, names
from wire.ips_build import release_summary
from wire.records import timestamp

CODE_DAYS = 7


@dataclass
class Seeded:
    setup_codes: list[tuple[accounts.Account, str]] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    """Their ids, in demo.PEOPLE's order."""
    released: tuple[str, str, str] | None = None
    """(person id, activation code, when it expires)."""
    appointments: list = field(default_factory=list)
    check_ins: list = field(default_factory=list)
    messages: int = 0
    plan_fields: int = 0
    health_summary: str | None = None
    """The person id whose release health summary was uploaded."""


def refusal() -> Refused | None:
    """Why this hub cannot be seeded (it holds people, or the demo's names are taken), or None."""
    if Person.select().exists():
        return Refused(409, "hub_has_people", "this hub already holds people, and the demo's people would mix with "
                       "them: seed a new hub (`throughgate hub init --instance NEW_DIR`, then `throughgate hub seed "
                       "--instance NEW_DIR`)")
    taken = [w.name for w in demo.WORKERS if StaffAccount.get_or_none(StaffAccount.name == w.name) is not None]
    if taken or Team.get_or_none(Team.name == demo.TEAM) is not None:
        return Refused(409, "seed_names_taken", f"this hub already has {', '.join(taken) or 'the team ' + demo.TEAM}, "
                       "which the demo would make: seed a new hub (`throughgate hub init --instance NEW_DIR`)")
    return None


def seed(config, by: str, setup_hours: float, today: date | None = None) -> Seeded:
    """Make the demo; needs an app context (names are sealed with the instance's console key)."""
    today = today or datetime.now(UTC).date()
    video = jitsi.from_config(config)
    made = Seeded()
    with db.proxy.atomic():
        found = refusal()
        if found is not None:
            raise found
        teams.add(demo.TEAM, demo.REPLY_WITHIN_MIN, by)
        for worker in demo.WORKERS:
            made.setup_codes.append(accounts.add(worker.name, accounts.WORKER, worker.role, worker.display_name, by,
                                                 setup_hours, worker.team))
        teams.set_duty("olivia", True, by)
        for person in demo.PEOPLE:
            row = people.add(by, (today + timedelta(days=person.release_in_days)).isoformat())
            made.people.append(row.person_id)
            for worker in person.workers:
                caseload.add(worker, row.person_id, by)
            names.set_names(row.person_id, names.normal(person.name, person.prison_number, person.case_reference),
                            by)
            if person.release_in_days == 0 and made.released is None:
                _row, code, issued = people.release(row.person_id, by, CODE_DAYS)
                made.released = (row.person_id, code, issued.expires_at)
        health = made.people[demo.HEALTH_PERSON]
        medical.import_bundle(health, release_summary(demo.health_facts(today), health, timestamp()), SUMMARY, by,
                              HOST, "cli")
        made.health_summary = health
        planned = demo.appointments(today)
        for target, wanted in ((made.appointments, planned), (made.check_ins, demo.check_ins(planned))):
            for a in wanted:
                target.append(appointments.create(made.people[a.person], a.worker, a.kind,
                                                  a.starts_at.isoformat(), a.minutes, a.place, by, video))
        for person, worker, text in demo.MESSAGES:
            messages.send_from_worker(made.people[person], worker, text)
            made.messages += 1
        for person, text in demo.TEAM_MESSAGES:
            teams.receive(made.people[person], str(uuid.uuid4()), team_rules.ADDRESS_PREFIX + demo.TEAM, text,
                          timestamp())
            made.messages += 1
        for person, pathway, name, value in demo.PLAN:
            made.plan_fields += plans.edit(made.people[person], pathway, name, value, by, None, timestamp())
    return made
