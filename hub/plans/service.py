"""A person's release plan at the hub: reading it, and merging an edit into it (wire.plans.merge, per
field). An edit that changes what the person's devices show puts that pathway's item in the person's
feed (kind `plan`, id the pathway; docs/phone-sync.md); a release date that wins also becomes the
person's `release_date`.

Edits come from workers (the workers' console, the CLI) and from prison staff at an edge, whose
`release_plan` records arrive in sealed batches (`apply_records`, after the batch is stored)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime

from hub import db
from hub.models import Record
from hub.people import service as people
from hub.people.models import Person, PersonLearner
from hub.people.moves import moved_away
from hub.plans.models import PlanField
from hub.refusals import Refused
from hub.sync import feed
from wire import plans
from wire.plans import RELEASE, Edit, Field, Written

log = logging.getLogger("hub.plans")
KIND = "plan"
"""The feed kind of a plan item (docs/phone-sync.md)."""


def _field(row: PlanField) -> Field:
    return Field(Written(row.value, row.at, row.by),
                 tuple(Written(w["value"], w["at"], w["by"]) for w in json.loads(row.losing)))


def _release_seed(person: Person) -> Field | None:
    """A release date set before the plan existed (`hub people add --release-date`): who and when it was."""
    if not person.release_date:
        return None
    return Field(Written(person.release_date, person.created_at, person.created_by))


def fields_of(person: Person) -> dict[str, dict[str, Field]]:
    """{pathway: {field: Field}} of what was written (an unwritten field is absent; a release date set
    before the plan existed is there, written when the person was added)."""
    found: dict[str, dict[str, Field]] = {}
    for row in PlanField.select().where(PlanField.person == person.person_id):
        found.setdefault(row.pathway, {})[row.field] = _field(row)
    if RELEASE not in found and person.release_date:
        found[RELEASE] = {"date": _release_seed(person)}
    return found


def plan(person_id: str) -> dict:
    """The whole plan, as the console and the CLI show it: the release date and each pathway's item."""
    person = people.find(person_id)
    found = fields_of(person)
    return {"person": person.person_id, "release": plans.item_body(RELEASE, found.get(RELEASE, {})),
            "items": [plans.item_body(key, found.get(key, {})) for key in plans.PATHWAY_KEYS]}


def seen_at(person: Person, pathway: str, field: str) -> str | None:
    """When the value a writer now sees was written (the `base` of their edit), or None."""
    found = fields_of(person).get(pathway, {}).get(field)
    return found.current.at if found else None


def _lock(person_id: str) -> None:
    """Edits to one person's plan take turns (PostgreSQL; SQLite's writers already do)."""
    if getattr(db.proxy.obj, "for_update", False):
        list(Person.select(Person.person_id).where(Person.person_id == person_id).for_update())


def apply(person_id: str, edit: Edit) -> bool:
    """Merge one edit into the person's plan; True if what the person's devices show changed."""
    person = people.find(person_id)
    with db.proxy.atomic():
        _lock(person.person_id)
        row = PlanField.get_or_none((PlanField.person == person.person_id) & (PlanField.pathway == edit.pathway)
                                    & (PlanField.field == edit.field))
        before = _field(row) if row else fields_of(person).get(edit.pathway, {}).get(edit.field)
        after = plans.merge(before, edit)
        if after == before:
            return False
        values = {"value": after.current.value, "at": after.current.at, "by": after.current.by[:80],
                  "losing": json.dumps([w.to_dict() for w in after.losing], ensure_ascii=False)}
        if row is None:
            PlanField.create(person=person.person_id, pathway=edit.pathway, field=edit.field, **values)
        else:
            PlanField.update(**values).where((PlanField.person == person.person_id)
                                             & (PlanField.pathway == edit.pathway)
                                             & (PlanField.field == edit.field)).execute()
        if edit.pathway == RELEASE and (before is None or after.current.value != before.current.value):
            Person.update(release_date=after.current.value or None).where(
                Person.person_id == person.person_id).execute()
        feed.append(person.person_id, KIND, edit.pathway,
                    plans.item_body(edit.pathway, fields_of(people.find(person.person_id)).get(edit.pathway, {})))
    return True


def edit(person_id: str, pathway: str, field: str, value: str, by: str, base: str | None, at: str) -> bool:
    """A worker's edit (console or CLI), refused with what to do if it is not one a plan takes."""
    try:
        made = plans.check_edit(pathway, field, value, at, by, base or None)
    except plans.PlanError as exc:
        raise Refused(400, "bad_request", exc.reason) from None
    return apply(person_id, made)


def countdown(person: Person, today: date | None = None) -> str:
    if person.released_at:
        return f"Released at {person.released_at}."
    return plans.countdown(person.release_date, today or datetime.now(UTC).date())


RECORD_KIND = "release_plan"
"""The record an edge's staff console makes for each edit (wire/records.py STAFF_KINDS)."""


def pending_for(edge_id: str, learner: str) -> int:
    """Merge the `release_plan` records that arrived for this learner before they were linked to a person
    (`hub people link`); merging is idempotent, so records merged before change nothing."""
    found = (Record.select().where((Record.edge == edge_id) & (Record.learner == learner)
                                   & (Record.kind == RECORD_KIND)).order_by(Record.arrival))
    return apply_records(edge_id, [{"id": r.id, "kind": r.kind, "learner": r.learner, "payload": r.payload}
                                   for r in found])


def apply_records(edge_id: str, rows: list[dict]) -> int:
    """Merge the `release_plan` records of a batch just stored, in the batch's transaction. A record
    whose learner is linked to no person here is stored but not merged (link people with `throughgate
    hub people link` before their plan is written at the edge). Returns how many changed a plan."""
    changed = 0
    for row in rows:
        if row["kind"] != RECORD_KIND:
            continue
        link = PersonLearner.get_or_none((PersonLearner.edge_id == edge_id)
                                         & (PersonLearner.learner == row["learner"]))
        if link is None:
            log.info("release_plan record %s from edge %s: its learner is linked to no person here", row["id"],
                     edge_id)
            continue
        if moved_away(link.person_id, edge_id):
            log.warning("release_plan record %s from edge %s not merged: the person was transferred to another "
                        "prison", row["id"], edge_id)
            continue
        payload = json.loads(row["payload"])
        try:
            made = plans.check_edit(payload.get("pathway"), payload.get("field"), payload.get("value"),
                                    payload.get("at"), f"{payload.get('by')} ({edge_id})"[:plans.MAX_BY],
                                    payload.get("base"))
        except plans.PlanError as exc:
            log.warning("release_plan record %s from edge %s not merged: %s", row["id"], edge_id, exc.code)
            continue
        changed += apply(link.person_id, made)
    return changed
