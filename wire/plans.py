"""The release plan: its pathways, fields and statuses, and the one rule that merges edits to it.
Pure: no I/O. The hub (hub/plans), the edge (edge/plans) and the tablet read the same lists, and the
hub merges what its workers and the edges write with `merge`.

A plan has an item per resettlement pathway (PATHWAYS, fixed, in this order), each with an owner, a
status and notes, and the release date (pathway RELEASE, field "date"). Each field is written with
who wrote it and when (the writer's own clock) and `base`: the time of the value the writer saw when
they wrote (None if none).

The rule (docs/phone-sync.md, "Conflicts"): last writer wins, per field, by the writer's time (ties:
the greater writer name, then the greater value). The losing value is kept with who and when, and
shown ("Also written: ... by ... at ..."), unless the writer had seen the value they replaced (their
`base` is its time): that is a plain change, not a conflict. Merging the same edits in any order
gives the same winner; merging one edit twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from wire.records import parse_timestamp, timestamp_problem

PATHWAYS: tuple[tuple[str, str, str], ...] = (
    # key, English, Welsh (the person's side shows both, as the release letter does)
    ("accommodation", "Accommodation", "Llety"),
    ("id", "ID", "Dogfennau adnabod"),
    ("bank_account", "Bank account", "Cyfrif banc"),
    ("gp", "GP registration", "Cofrestru gyda meddyg teulu"),
    ("medicines", "Medicines on release", "Meddyginiaethau wrth gael eich rhyddhau"),
    ("probation", "First probation appointment", "Apwyntiad prawf cyntaf"),
    ("education_work", "Education, skills and work", "Addysg, sgiliau a gwaith"),
    ("money_benefits", "Money and benefits", "Arian a budd-daliadau"),
    ("family", "Family", "Teulu"),
)
PATHWAY_KEYS = tuple(key for key, _en, _cy in PATHWAYS)
LABELS = {key: en for key, en, _cy in PATHWAYS}
LABELS_CY = {key: cy for key, _en, cy in PATHWAYS}
RELEASE = "release"
"""The plan's release date: pathway RELEASE, field "date" (YYYY-MM-DD, or "" for none)."""

FIELDS = ("owner", "status", "notes")
STATUSES: dict[str, tuple[str, str]] = {
    # status: English, Welsh
    "not_started": ("Not started", "Heb ddechrau"),
    "in_progress": ("In progress", "Ar y gweill"),
    "done": ("Done", "Wedi'i wneud"),
    "not_needed": ("Not needed", "Dim angen"),
}
DEFAULT_STATUS = "not_started"
MAX_OWNER, MAX_NOTES, MAX_BY = 120, 2000, 80
KEEP_LOSING = 5
"""Losing values kept per field (the newest): enough to show, bounded however often two sides clash."""


class PlanError(ValueError):
    """An edit that cannot be merged: `reason` says what to send instead."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code, self.reason = code, reason


@dataclass(frozen=True)
class Written:
    """One value of one field, as its writer wrote it."""

    value: str
    at: str
    by: str

    def to_dict(self) -> dict:
        return {"value": self.value, "at": self.at, "by": self.by}


@dataclass(frozen=True)
class Edit:
    """A writer sets one field of one pathway; `base` is the time of the value they saw (None: none)."""

    pathway: str
    field: str
    value: str
    at: str
    by: str
    base: str | None = None

    @property
    def written(self) -> Written:
        return Written(self.value, self.at, self.by)


@dataclass(frozen=True)
class Field:
    """A field's winning value, and the losing values kept (newest first)."""

    current: Written
    losing: tuple[Written, ...] = ()


def _moment(at: str) -> datetime:
    return parse_timestamp(at.replace("Z", "+00:00")).astimezone(UTC)


def _order(written: Written) -> tuple:
    return (_moment(written.at), written.by, written.value)


def merge(field: Field | None, edit: Edit) -> Field:
    """The field after `edit`: last writer wins by time (then writer, then value); the loser is kept
    unless the edit's writer had seen the value it replaced."""
    new = edit.written
    if field is None:
        return Field(new)
    if new == field.current or new in field.losing:
        return field  # the same edit again
    wins = _order(new) > _order(field.current)
    winner, loser = (new, field.current) if wins else (field.current, new)
    seen = edit.base is not None and edit.base == field.current.at
    losing = list(field.losing)
    if not (wins and seen) and loser.value != winner.value:
        losing.append(loser)
    losing.sort(key=_order, reverse=True)
    return Field(winner, tuple(losing[:KEEP_LOSING]))


def check_edit(pathway, field, value, at, by, base=None) -> Edit:
    """An Edit from what someone sent, or PlanError saying what is wrong."""
    if pathway == RELEASE:
        if field != "date":
            raise PlanError("bad_field", "the release date's field is 'date'")
        if not isinstance(value, str) or (value and not valid_date(value)):
            raise PlanError("bad_value", f"a release date is YYYY-MM-DD, like 2027-03-14, or empty for none, not "
                            f"{value!r}")
    else:
        if pathway not in PATHWAY_KEYS:
            raise PlanError("bad_pathway", f"the pathways are {', '.join(PATHWAY_KEYS)} (and {RELEASE} for the "
                            f"release date), not {pathway!r}")
        if field not in FIELDS:
            raise PlanError("bad_field", f"a plan item's fields are {', '.join(FIELDS)}, not {field!r}")
        if not isinstance(value, str):
            raise PlanError("bad_value", f"the {field} is text")
        most = {"owner": MAX_OWNER, "notes": MAX_NOTES, "status": 20}[field]
        if field == "status" and value not in STATUSES:
            raise PlanError("bad_value", f"a status is one of {', '.join(STATUSES)}, not {value!r}")
        if len(value) > most:
            raise PlanError("bad_value", f"the {field} is at most {most} characters")
    for name, when in (("at", at), ("base", base)):
        if when is None and name == "base":
            continue
        problem = timestamp_problem(when)
        if problem:
            raise PlanError("bad_time", f"'{name}' {problem}")
    if not isinstance(by, str) or not by.strip() or len(by) > MAX_BY:
        raise PlanError("bad_writer", f"who wrote it is 1 to {MAX_BY} characters")
    return Edit(pathway, field, value.strip() if field != "notes" else value, at, by.strip(), base)


def valid_date(value) -> bool:
    if not isinstance(value, str) or len(value) != 10:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def countdown(release_date: str | None, today: date) -> str:
    """The countdown in plain words: 'Release in 12 days (2027-01-10)'."""
    if not release_date or not valid_date(release_date):
        return "No release date set yet."
    days = (date.fromisoformat(release_date) - today).days
    if days > 1:
        return f"Release in {days} days ({release_date})."
    if days == 1:
        return f"Release tomorrow ({release_date})."
    if days == 0:
        return f"Release today ({release_date})."
    return f"The release date was {-days} day{'s' if days != -1 else ''} ago ({release_date})."


def _who(written: Written) -> dict:
    return {"at": written.at, "by": written.by}


def item_body(pathway: str, fields: dict[str, Field]) -> dict:
    """One pathway's item as the person's devices receive it (the feed's `plan` entries, the tablet's
    down message): labels in English and Welsh, each field's value, who and when, and kept losing values."""
    body: dict = {"pathway": pathway}
    if pathway == RELEASE:
        found = fields.get("date")
        body["release_date"] = found.current.value if found else ""
        body["written"] = {"date": _who(found.current)} if found else {}
        body["also"] = [dict(w.to_dict(), field="date") for w in found.losing] if found else []
        return body
    body["label"], body["label_cy"] = LABELS[pathway], LABELS_CY[pathway]
    for name in FIELDS:
        found = fields.get(name)
        body[name] = found.current.value if found else (DEFAULT_STATUS if name == "status" else "")
    body["status_label"], body["status_label_cy"] = STATUSES.get(body["status"], STATUSES[DEFAULT_STATUS])
    body["written"] = {name: _who(fields[name].current) for name in FIELDS if name in fields}
    body["also"] = [dict(w.to_dict(), field=name) for name in FIELDS if name in fields for w in fields[name].losing]
    return body
