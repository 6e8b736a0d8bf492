"""Marking a learner released at the edge, and the letter for the code just made.

The code is made here, with the hub's alphabet and length (provisioning.tokens: 12 Crockford characters,
60 bits), so the prison prints the letter at the moment of release even when the hub cannot be reached.
The store keeps its SHA-256 only; the code leaves this module once, to the page and the letter. The
`release` record (wire/release.py) goes in the same transaction, so the hub hears of every code printed.
A learner released again gets a new code: the hub withdraws the older one when the record arrives.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from edge import store
from edge.console import outgoing
from edge.learners import names
from edge.release.tables import LearnerRelease
from provisioning import letter as printed
from provisioning.tokens import ActivationOffer, TokenError, code_id, digest, new_enrolment_code, normalise_code
from wire.records import timestamp, valid_learner
from wire.release import KIND, MAX_DAYS, check_release

log = logging.getLogger(__name__)

DAYS = 7


class ReleaseError(ValueError):
    def __init__(self, reason: str, status: int = 400):
        super().__init__(reason)
        self.reason, self.status = reason, status


@dataclass(frozen=True)
class Released:
    learner: str
    code: str  # shown once
    issued_at: str
    expires_at: str
    record: str


def release(learner: str, by: str, days: int = DAYS) -> Released:
    """A new one-time code for the learner, its digest kept, its release record queued for the hub."""
    if not valid_learner(learner):
        raise ReleaseError("no such learner", 404)
    if type(days) is not int or not 1 <= days <= MAX_DAYS:
        raise ReleaseError(f"a code lasts 1 to {MAX_DAYS} days: type a whole number of days")
    code = new_enrolment_code()
    now = dt.datetime.now(dt.UTC)
    payload = {"code_sha256": digest(code), "issued_at": timestamp(now),
               "expires_at": timestamp(now + dt.timedelta(days=days)), "issued_by": by,
               "code_id": code_id(code)}  # its public part: the hub counts wrong tries per code
    check_release(payload)
    with store.writing():
        record = outgoing.add_record(KIND, learner, payload)
        LearnerRelease.replace(learner=learner, code_sha256=payload["code_sha256"], issued_at=payload["issued_at"],
                               expires_at=payload["expires_at"], issued_by=by, record=record.id).execute()
    log.info("a learner was released at the console by %s (record %s)", by, record.id)
    return Released(learner, code, payload["issued_at"], payload["expires_at"], record.id)


def latest(learner: str) -> LearnerRelease | None:
    return LearnerRelease.get_or_none(LearnerRelease.learner == learner)


def letter_for(learner: str, typed: str, hub_url: str, hub_pin: str, prison: str = "") -> printed.Letter:
    """The letter for the code the release page showed (sent back by that page): only the learner's latest
    code, and only while it has not expired."""
    try:
        code = normalise_code(typed)
    except TokenError:
        raise ReleaseError("the letter is made from the release page: release the learner, then choose the letter "
                           "there") from None
    kept = latest(learner)
    if kept is None or kept.code_sha256 != digest(code):
        raise ReleaseError("this is not the learner's latest code, so its letter would not work: release them again "
                           "and print the new letter", 410)
    if kept.expires_at <= timestamp():
        raise ReleaseError(f"this code stopped working at {kept.expires_at}: release the learner again for a new "
                           "code and letter", 410)
    name = names.get(learner)
    return printed.Letter(name=name.name if name else "", offer=ActivationOffer(hub_url, code, hub_pin),
                          expires_at=kept.expires_at, issued_at=kept.issued_at, prison=prison, contacts=())
