"""Teams, duty and team messages: the services the CLI, the workers' console and phone sync call.

A person's message to a team (`to: "team:NAME"`, hub/sync/changes.py) is stored as a message and a
`team_message` row waiting for an answer. It is in the inbox of every member of the team who is on
duty now; when nobody is, in the team managers' (the console says so). Any of them answers, as the
team: the answer reaches the person's phone with the member's name, and every waiting message of that
person to the team counts as answered, for everyone. One still unanswered past the team's promise is
flagged on the managers' "Waiting too long" list (rules.flagged, computed when the page is read, so
nobody has to act for it to show).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from hub import db
from hub.people import service as people
from hub.refusals import Refused
from hub.staff.models import StaffAccount
from hub.sync import feed
from hub.sync.models import Message
from hub.teams import contacts, rules
from hub.teams.models import Team, TeamDuty, TeamMessage
from wire.records import timestamp

TEAM_MANAGER = "team_manager"


def _refuse(exc: rules.RuleError):
    return Refused(400, "bad_request", str(exc))


# teams ----------------------------------------------------------------------------------------------

def find(name: str) -> Team:
    row = Team.get_or_none(Team.name == " ".join((name or "").split()))
    if row is None:
        raise Refused(404, "unknown_team", f"no team named {name!r}: `throughgate hub teams list` shows them, "
                      "`throughgate hub teams add NAME` makes one")
    return row


def find_or_none(name: str | None) -> Team | None:
    return Team.get_or_none(Team.name == name) if name else None


def add(name: str, reply_within_min: int, by: str) -> Team:
    try:
        name = rules.check_name(name)
    except rules.RuleError as exc:
        raise _refuse(exc) from None
    now = timestamp()
    with db.proxy.atomic():
        if Team.get_or_none(Team.name == name) is not None:
            raise Refused(409, "team_exists", f"there is already a team named {name!r}: change its reply time with "
                          f"`throughgate hub teams set '{name}' --reply-within 4h`")
        row = Team.create(name=name, reply_within_min=reply_within_min, created_at=now, created_by=by[:80],
                          updated_at=now)
    _tell_phones(name)
    return row


def set_promise(name: str, reply_within_min: int) -> Team:
    row = find(name)
    Team.update(reply_within_min=reply_within_min, updated_at=timestamp()).where(Team.name == row.name).execute()
    _tell_phones(row.name)
    return find(row.name)


def _tell_phones(team: str) -> None:
    for person_id in contacts.people_of_team(team):
        contacts.send(person_id)


def listing() -> list[Team]:
    return list(Team.select().order_by(Team.name))


def members(team: str) -> list[StaffAccount]:
    """The team's workers who can log in (disabled accounts are not members any more)."""
    return list(StaffAccount.select().where((StaffAccount.console == "worker") & (StaffAccount.team == team)
                                            & StaffAccount.disabled_at.is_null()).order_by(StaffAccount.name))


def managers(team: str) -> list[StaffAccount]:
    return [row for row in members(team) if row.role == TEAM_MANAGER]


# duty -----------------------------------------------------------------------------------------------

def on_duty(team: str) -> list[StaffAccount]:
    """The members on duty now (a member who left the team or was disabled is not)."""
    names = {row.worker for row in TeamDuty.select().where(TeamDuty.team == team)}
    return [row for row in members(team) if row.name in names]


def is_on_duty(worker: str, team: str | None) -> bool:
    return bool(team) and TeamDuty.select().where((TeamDuty.worker == worker) & (TeamDuty.team == team)).exists()


def set_duty(worker: str, on: bool, by: str) -> StaffAccount:
    """Put a worker on duty for their team, or off."""
    row = StaffAccount.get_or_none((StaffAccount.name == (worker or "").strip().lower())
                                   & (StaffAccount.console == "worker"))
    if row is None:
        raise Refused(404, "unknown_worker", f"no worker named {worker!r}: `throughgate hub workers list` shows them")
    if on:
        team = find_or_none(row.team)
        if team is None or row.disabled_at:
            raise Refused(409, "no_team", f"{row.name} has no team the hub knows, so cannot be on duty: give the "
                          "team its reply time first (`throughgate hub teams add NAME`)")
        with db.proxy.atomic():
            TeamDuty.delete().where(TeamDuty.worker == row.name).execute()
            TeamDuty.create(worker=row.name, team=team.name, since=timestamp(), set_by=by[:80])
    else:
        TeamDuty.delete().where(TeamDuty.worker == row.name).execute()
    return row


# messages -------------------------------------------------------------------------------------------

def receive(person_id: str, message_id: str, to: str, text: str, written_at: str) -> str:
    """A person's message to a team (`to` is `team:NAME`): stored, waiting for an answer. The team must
    be one of the person's contacts. Returns the team's name; raises Refused (unknown_team)."""
    name = to[len(rules.ADDRESS_PREFIX):].strip()
    if name not in contacts.team_names_of(person_id):
        raise Refused(404, "unknown_team", f"there is no team {name!r} to write to: choose one from your contacts")
    now = timestamp()
    address = rules.ADDRESS_PREFIX + name
    Message.create(message_id=message_id, person=person_id, from_person=True, worker=address, text=text,
                   written_at=written_at, received_at=now)
    TeamMessage.create(message=message_id, team=name, person=person_id, from_person=True, received_at=now)
    feed.append(person_id, "message", message_id, {"from_person": True, "worker": address, "team": name,
                                                   "text": text, "written_at": written_at})
    return name


@dataclass(frozen=True)
class Waiting:
    """A person's messages to the team that wait for an answer, oldest first."""

    person_id: str
    messages: list[Message]
    received_at: str
    """When the oldest arrived."""
    waited_min: int
    flagged: bool


def waiting(team: Team, now: datetime | None = None) -> list[Waiting]:
    """Each person with messages to the team still unanswered, the longest waiting first."""
    now = now or datetime.now(UTC)
    rows = list(TeamMessage.select(TeamMessage, Message).join(Message).where(
        (TeamMessage.team == team.name) & TeamMessage.from_person & TeamMessage.answered_at.is_null())
        .order_by(TeamMessage.received_at, TeamMessage.message))
    people_found: dict[str, list[TeamMessage]] = {}
    for row in rows:
        people_found.setdefault(row.person_id, []).append(row)
    found = [Waiting(person_id, [r.message for r in found], found[0].received_at,
                     rules.waited_minutes(found[0].received_at, None, now),
                     rules.flagged(found[0].received_at, None, team.reply_within_min, now))
             for person_id, found in people_found.items()]
    return sorted(found, key=lambda w: (w.received_at, w.person_id))


def waiting_too_long(team: Team, now: datetime | None = None) -> list[Waiting]:
    return [w for w in waiting(team, now) if w.flagged]


def inbox_holder(account) -> str:
    """Whose inbox the team's messages are in for this worker: 'on duty' (they are), 'manager' (nobody is,
    and they manage the team), or '' (not theirs now)."""
    if not account.team or find_or_none(account.team) is None:
        return ""
    if is_on_duty(account.name, account.team):
        return "on duty"
    if account.role == TEAM_MANAGER and not on_duty(account.team):
        return "manager"
    return ""


def answer(account, person_id: str, text: str) -> Message:
    """The worker answers, for their team, the person's waiting messages to it: one answer, and they all
    count as answered for everyone; the person's phone gets it (with the worker's name) and read receipts."""
    team = find(account.team or "")
    if not inbox_holder(account):
        raise Refused(403, "not_on_duty", "the team's messages are answered by whoever is on duty: put yourself on "
                      "duty first")
    person = people.find(person_id)
    now = timestamp()
    with db.proxy.atomic():
        pending = list(TeamMessage.select().where(
            (TeamMessage.team == team.name) & (TeamMessage.person == person.person_id) & TeamMessage.from_person
            & TeamMessage.answered_at.is_null()))
        if not pending:
            raise Refused(409, "already_answered", "another member of your team has answered this person already: "
                          "nothing is waiting from them")
        reply_id = str(uuid.uuid4())
        row = Message.create(message_id=reply_id, person=person, from_person=False, worker=account.name, text=text,
                             written_at=now, received_at=now)
        TeamMessage.create(message=reply_id, team=team.name, person=person, from_person=False,
                           received_at=now)
        ids = [p.message_id for p in pending]
        answered = TeamMessage.update(answered_at=now, answered_by=account.name, answer_id=reply_id).where(
            TeamMessage.message.in_(ids) & TeamMessage.answered_at.is_null()).execute()
        if answered != len(ids):  # another member answered at the same moment
            raise Refused(409, "already_answered", "another member of your team has just answered this person")
        unread = [r.message_id for r in Message.select(Message.message_id).where(
            Message.message_id.in_(ids) & Message.read_at.is_null())]
        Message.update(read_at=now).where(Message.message_id.in_(unread)).execute()
        for message_id in unread:
            feed.append(person.person_id, "read", message_id, {"message": message_id, "read_at": now})
        feed.append(person.person_id, "message", reply_id, {
            "from_person": False, "worker": account.name, "worker_name": account.display_name, "team": team.name,
            "text": text, "written_at": now, "answers": ids})
    return row


def thread(team: str, person_id: str, limit: int = 20) -> list[Message]:
    """The person's latest messages with the team, both ways, oldest first."""
    rows = list(Message.select().join(TeamMessage).where((TeamMessage.team == team)
                                                         & (TeamMessage.person == person_id))
                .order_by(Message.received_at.desc(), Message.message_id).limit(limit))
    return rows[::-1]
