"""People: adding one, linking the learner ids they had at each prison, release, and activation codes.

An activation code is 12 Crockford characters (`ABCD-EFGH-JKMN`, 60 bits), like a tablet's enrolment
code; the hub keeps its SHA-256. It works once, until it expires (ACTIVATION_CODE_DAYS, 7 by default),
and a new code withdraws the person's earlier unused ones. Guessing is bounded by the login limit
per address (hub/staff/throttle.py, its own keys), by the code's 60 bits, and per code: a code's
first 4 characters are its public code id (kept beside the digest), and each wrong code counts one
wrong try against every working code with the same code id, from whatever address it came; at
MAX_CODE_TRIES the code is withdrawn and the person asks their worker for a new one.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

import peewee

from hub import db
from hub.models import Edge
from hub.people import edge_release
from hub.people.models import IN_CUSTODY, RELEASED, ActivationCode, Person, PersonLearner
from hub.refusals import Refused
from provisioning.tokens import CROCKFORD, TokenError, code_id, digest, new_enrolment_code, normalise_code
from wire.records import timestamp, valid_learner

_PERSON = re.compile(r"P-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_CODE_TRIES = 5
"""Wrong codes with a code's id, from any address, before that code is withdrawn."""


def new_person_id() -> str:
    raw = "".join(secrets.choice(CROCKFORD) for _ in range(8))
    return f"P-{raw[:4]}-{raw[4:]}"


def find(person_id: str) -> Person:
    wanted = str(person_id or "").strip().upper()
    person = Person.get_or_none(Person.person_id == wanted) if _PERSON.fullmatch(wanted) else None
    if person is None:
        raise Refused(404, "unknown_person", f"no person {person_id!r} at this hub: `throughgate hub people list` "
                      "shows them (ids look like P-7K2M-Q9XD)")
    return person


def _release_date(value: str | None) -> str | None:
    if value in (None, ""):
        return None
    try:
        if not _DATE.fullmatch(value):
            raise ValueError
        dt.date.fromisoformat(value)
    except ValueError:
        raise Refused(400, "bad_request", f"a release date is YYYY-MM-DD, like 2027-03-14, not {value!r}") from None
    return value


def add(created_by: str, release_date: str | None = None) -> Person:
    release_date = _release_date(release_date)
    for _ in range(5):
        try:
            with db.proxy.atomic():
                return Person.create(person_id=new_person_id(), release_date=release_date, created_at=timestamp(),
                                     created_by=created_by[:80])
        except peewee.IntegrityError:
            continue
    raise RuntimeError("could not find a free person id")


def link(person_id: str, edge_id: str, learner: str) -> PersonLearner:
    """The person is `learner` at this edge's prison (a transfer links them at the next prison too)."""
    person = find(person_id)
    if not valid_learner(learner):
        raise Refused(400, "bad_request", "a learner id is 1 to 64 letters, digits, '.', '_' or '-', like L-0042")
    if Edge.get_or_none(Edge.edge_id == edge_id) is None:
        raise Refused(404, "unknown_edge", f"no edge {edge_id!r}: `throughgate hub edges list` shows them")
    with db.proxy.atomic():
        found = PersonLearner.get_or_none((PersonLearner.edge_id == edge_id) & (PersonLearner.learner == learner))
        if found is not None and found.person_id != person.person_id:
            raise Refused(409, "learner_taken", f"{learner} at {edge_id} is already {found.person_id}: a learner id "
                          "belongs to one person")
        if found is None:
            found = PersonLearner.create(edge_id=edge_id, learner=learner, person=person, linked_at=timestamp())
            edge_release.pending_for(edge_id, learner)  # released at that edge before the link: their code works
            from hub.plans import service as plans  # (hub.plans uses this module)

            plans.pending_for(edge_id, learner)  # a plan written at that edge before the link merges now
            from hub.forms import from_edges

            from_edges.pending_for(edge_id, learner)  # forms filled in on a tablet there before the link
    return found


def listing() -> list[Person]:
    return list(Person.select().order_by(Person.created_at, Person.person_id))


def learners(person_id: str) -> list[PersonLearner]:
    return list(PersonLearner.select().where(PersonLearner.person == person_id).order_by(PersonLearner.linked_at))


def release(person_id: str, by: str, days: int) -> tuple[Person, str, ActivationCode]:
    """Mark the person released (once) and issue their activation code."""
    person = find(person_id)
    if person.status == IN_CUSTODY:
        Person.update(status=RELEASED, released_at=timestamp()).where(Person.person_id == person.person_id).execute()
    code, row = issue_code(person.person_id, by, days)
    return find(person.person_id), code, row


def issue_code(person_id: str, by: str, days: int) -> tuple[str, ActivationCode]:
    """A new one-time code for the person; their earlier unused codes stop working."""
    person = find(person_id)
    if type(days) is not int or not 1 <= days <= 28:
        raise Refused(400, "bad_request", "an activation code lasts 1 to 28 days")
    code = new_enrolment_code()
    now = dt.datetime.now(dt.UTC)
    with db.proxy.atomic():
        ActivationCode.update(withdrawn_at=timestamp(now)).where(
            (ActivationCode.person == person.person_id) & ActivationCode.used_at.is_null()
            & ActivationCode.withdrawn_at.is_null()).execute()
        row = ActivationCode.create(code_sha256=digest(code), person=person, issued_at=timestamp(now),
                                    issued_by=by[:80], expires_at=timestamp(now + dt.timedelta(days=days)),
                                    code_id=code_id(code))
    return code, row


def redeem_code(typed: str, now: str) -> Person:
    """Spend the code; raise Refused saying why it cannot be (inside the activation's transaction)."""
    try:
        code = normalise_code(typed)
    except TokenError:
        raise Refused(400, "bad_code", "an activation code is 12 letters and digits, like ABCD-EFGH-JKMN: check the "
                      "release letter and type it again, or scan its square code") from None
    row = ActivationCode.get_or_none(ActivationCode.code_sha256 == digest(code))
    if row is None:
        raise Refused(401, "code_unknown", "this code is not known here yet: if the prison gave it to you in the "
                      "last hour, it may not have reached us yet, so try again in a few minutes; if it still does not "
                      "work, check it against the release letter, or ask your worker for a new one")
    if row.used_at:
        raise Refused(410, "code_used", "this code was already used to set up a phone: ask your worker for a new "
                      "one if that was not you")
    if row.withdrawn_at and row.wrong_tries >= MAX_CODE_TRIES:
        raise Refused(410, "code_guessed", "too many wrong codes were tried for this one, so it was stopped to keep "
                      "your account safe: ask your worker for a new code")
    if row.withdrawn_at:
        raise Refused(410, "code_withdrawn", "a newer code replaced this one: use the newest letter, or ask your "
                      "worker")
    if row.expires_at <= now:
        raise Refused(410, "code_expired", f"this code stopped working at {row.expires_at}: ask your worker for a new "
                      "one")
    spent = ActivationCode.update(used_at=now).where(
        (ActivationCode.code_sha256 == row.code_sha256) & ActivationCode.used_at.is_null()
        & ActivationCode.withdrawn_at.is_null() & (ActivationCode.expires_at > now)).execute()
    if spent != 1:
        raise Refused(410, "code_used", "this code was just used to set up another phone")
    return find(row.person_id)


def count_wrong_try(typed: str, now: str) -> int:
    """A wrong code was typed (from any address): one wrong try against every working code with its code id,
    withdrawing those that reach MAX_CODE_TRIES. Its own transaction (the activation's was rolled back).
    Returns how many codes were withdrawn."""
    try:
        wanted = code_id(normalise_code(typed))
    except TokenError:
        return 0
    working = ((ActivationCode.code_id == wanted) & ActivationCode.used_at.is_null()
               & ActivationCode.withdrawn_at.is_null() & (ActivationCode.expires_at > now))
    with db.proxy.atomic():
        ActivationCode.update(wrong_tries=ActivationCode.wrong_tries + 1).where(working).execute()
        return ActivationCode.update(withdrawn_at=now).where(
            working & (ActivationCode.wrong_tries >= MAX_CODE_TRIES)).execute()
