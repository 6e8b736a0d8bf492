"""Set, clear and list learners' names (personal data: who changed one is logged, the name never is)."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from edge import store
from edge.learners.tables import LearnerName
from wire.records import valid_learner
from wire.text import plain_title

log = logging.getLogger(__name__)

NAME_MAX = 100
PRISON_NUMBER = re.compile(r"[A-Z0-9]{1,20}")  # e.g. A1234BC; letters and digits, up to 20


class NamesError(ValueError):
    """A name, prison number or learner id the edge does not keep; the message says what to fix."""


@dataclass(frozen=True)
class Entry:
    learner: str
    name: str
    prison_number: str


def clean_name(text: str) -> str:
    """The name as kept: NFC, spaces collapsed, control and bidirectional characters dropped (wire.text)."""
    name = plain_title(unicodedata.normalize("NFC", str(text)))
    if not name:
        raise NamesError("the name is empty: write the learner's name")
    if len(name) > NAME_MAX:
        raise NamesError(f"the name is {len(name)} characters long: shorten it to at most {NAME_MAX}")
    return name


def clean_prison_number(text: str) -> str:
    number = "".join(plain_title(str(text or "")).split()).upper()
    if number and not PRISON_NUMBER.fullmatch(number):
        raise NamesError(f"the prison number {number!r} is not letters and digits (up to 20), e.g. A1234BC: "
                         "correct it, or leave it empty")
    return number


def clean_learner(text: str) -> str:
    learner = str(text or "").strip()
    if not valid_learner(learner):
        raise NamesError(f"{plain_title(learner)[:70]!r} is not a learner id: letters, digits, '.', '_' or '-', "
                         "up to 64, e.g. L-0042")
    return learner


def entry(learner: str, name: str, prison_number: str = "") -> Entry:
    """One learner's name and prison number checked and cleaned, or NamesError."""
    return Entry(clean_learner(learner), clean_name(name), clean_prison_number(prison_number))


def write(entries: Iterable[Entry], by: str) -> int:
    """Store these names (replacing any earlier one). Call inside store.writing()."""
    now = store.utcnow()
    rows = [{"learner": e.learner, "name": e.name, "prison_number": e.prison_number, "updated_at": now,
             "updated_by": by[:32]} for e in entries]
    for start in range(0, len(rows), 200):
        LearnerName.replace_many(rows[start:start + 200]).execute()
    return len(rows)


def set_name(learner: str, name: str, prison_number: str = "", by: str = "cli") -> Entry:
    """Set one learner's name; an empty prison number keeps the one known (clear_name removes both)."""
    checked = entry(learner, name, prison_number)
    with store.writing():
        known = get(checked.learner)
        if known is not None and not checked.prison_number:
            checked = Entry(checked.learner, checked.name, known.prison_number)
        write([checked], by)
    log.info("learner name of %s set by %s", checked.learner, by)
    return checked


def clear_name(learner: str, by: str = "cli") -> bool:
    with store.writing():
        gone = LearnerName.delete().where(LearnerName.learner == learner).execute()
    if gone:
        log.info("learner name of %s cleared by %s", learner, by)
    return bool(gone)


def listing() -> list[LearnerName]:
    return list(LearnerName.select().order_by(LearnerName.learner))


def get(learner: str) -> LearnerName | None:
    return LearnerName.get_or_none(LearnerName.learner == learner)


def names_of(learners: Iterable[str] | None) -> dict[str, str]:
    """{learner: name} of these learners (None: every learner) that have a name."""
    query = LearnerName.select(LearnerName.learner, LearnerName.name)
    if learners is not None:
        wanted = list(learners)
        found: dict[str, str] = {}
        for start in range(0, len(wanted), 500):
            part = query.where(LearnerName.learner.in_(wanted[start:start + 500]))
            found.update((row.learner, row.name) for row in part)
        return found
    return {row.learner: row.name for row in query}
