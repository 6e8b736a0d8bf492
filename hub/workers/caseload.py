"""Caseloads: which people a worker works with, who may see whom, and the record of every read.

A worker sees the people in their own caseload. A team manager sees their team's: every person in the
caseload of a worker of the same team (hub/staff accounts' `team`), their own included. Anyone else's
person is, to them, not there: the console answers 404, as for an id that does not exist.

Every page that shows a person's data records a read (`record_reads`): who, what, when, keyed by the
person, so the person's "who looked at my record" (`reads_of`) is one indexed query.
"""

from __future__ import annotations

import peewee

from hub import db
from hub.medical.models import HealthWorkerShare
from hub.people import service as people
from hub.people.models import Person
from hub.refusals import Refused
from hub.staff import accounts
from hub.staff.models import StaffAccount
from hub.teams import contacts
from hub.workers import names
from hub.workers.models import Caseload, PersonRead
from wire.records import timestamp

TEAM_MANAGER = "team_manager"


def _worker(name: str) -> StaffAccount:
    row = StaffAccount.get_or_none((StaffAccount.name == (name or "").strip().lower())
                                   & (StaffAccount.console == accounts.WORKER))
    if row is None:
        raise Refused(404, "unknown_worker", f"no worker named {name!r}: `throughgate hub workers list` shows them")
    return row


def add(worker: str, person_id: str, by: str) -> tuple[Caseload, bool]:
    """Put the person in the worker's caseload: (the entry, whether it is new)."""
    row, person = _worker(worker), people.find(person_id)
    with db.proxy.atomic():
        found = Caseload.get_or_none((Caseload.worker == row.name) & (Caseload.person == person.person_id))
        if found is not None:
            return found, False
        try:
            made = Caseload.create(worker=row.name, person=person, added_at=timestamp(), added_by=by[:80])
        except peewee.IntegrityError:  # added at the same moment by another command
            return Caseload.get((Caseload.worker == row.name) & (Caseload.person == person.person_id)), False
        contacts.send(person.person_id)  # whom they can write to has changed: their phone learns it
        return made, True


def remove(worker: str, person_id: str) -> tuple[bool, bool]:
    """Take the person out of the worker's caseload: (whether they were in it, whether that was the last
    caseload holding them, so the hub no longer keeps their name: hub/workers/names.py)."""
    row, person = _worker(worker), people.find(person_id)
    with db.proxy.atomic():
        removed = Caseload.delete().where((Caseload.worker == row.name) & (Caseload.person == person.person_id)
                                          ).execute() == 1
        if removed:
            contacts.send(person.person_id)
            # The person let this worker read their health summary as their worker: that ends with the work,
            # and does not come back if the worker is given them again (hub/medical/service.py may_read).
            HealthWorkerShare.delete().where((HealthWorkerShare.person == person.person_id)
                                             & (HealthWorkerShare.worker == row.name)).execute()
        return removed, removed and names.forget_unless_in_a_caseload(person.person_id)


def of_worker(worker: str) -> list[Caseload]:
    row = _worker(worker)
    return list(Caseload.select().where(Caseload.worker == row.name).order_by(Caseload.added_at, Caseload.person))


def _workers_seen_by(account: accounts.Account) -> list[str]:
    """Whose caseloads this worker sees: their own; a team manager's team's too."""
    if account.role == TEAM_MANAGER and account.team:
        return [row.name for row in StaffAccount.select(StaffAccount.name).where(
            (StaffAccount.console == accounts.WORKER) & (StaffAccount.team == account.team))] or [account.name]
    return [account.name]


def people_of(account: accounts.Account) -> list[Person]:
    """The people this worker may see, in order of their ids."""
    ids = Caseload.select(Caseload.person).where(Caseload.worker.in_(_workers_seen_by(account)))
    return list(Person.select().where(Person.person_id.in_(ids)).order_by(Person.person_id))


def workers_of(account: accounts.Account, person_id: str) -> list[str]:
    """The workers (of those this worker sees) whose caseload holds the person."""
    return [row.worker for row in Caseload.select(Caseload.worker).where(
        (Caseload.person == person_id) & Caseload.worker.in_(_workers_seen_by(account))).order_by(Caseload.worker)]


def visible(account: accounts.Account, person_id: str) -> Person | None:
    """The person, if this worker may see them; None for anyone else's and for ids that do not exist."""
    wanted = str(person_id or "").strip().upper()[:16]
    if not Caseload.select().where((Caseload.person == wanted)
                                   & Caseload.worker.in_(_workers_seen_by(account))).exists():
        return None
    return Person.get_or_none(Person.person_id == wanted)


def record_reads(worker: str, person_ids: list[str], what: str) -> None:
    """The worker was shown these people's data (`what`: list, person, messages, letter)."""
    if person_ids:
        now = timestamp()
        PersonRead.insert_many([{"worker": worker[:64], "person": pid, "what": what[:40], "at": now}
                                for pid in person_ids]).execute()


def reads_of(person_id: str) -> list[PersonRead]:
    """Who read the person's data, and when, oldest first."""
    return list(PersonRead.select().where(PersonRead.person == person_id).order_by(PersonRead.at, PersonRead.id))
