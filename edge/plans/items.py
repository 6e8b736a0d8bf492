"""A learner's release plan as this edge holds it, and the `plan` down messages that carry it to a tablet. No
console here: the tablets' registry uses it when a tablet is bound to a learner whose plan was written before."""

from __future__ import annotations

from edge.downlink import messages
from edge.downlink.tables import DownMessage
from edge.plans.tables import LearnerPlanField
from wire import plans
from wire.plans import RELEASE, Field, Written

MESSAGE = "plan"


def fields_of(learner: str) -> dict[str, dict[str, Field]]:
    found: dict[str, dict[str, Field]] = {}
    for row in LearnerPlanField.select().where(LearnerPlanField.learner == learner):
        found.setdefault(row.pathway, {})[row.field] = Field(Written(row.value, row.at, row.by))
    return found


def plan(learner: str) -> dict:
    """{"learner", "release": item, "items": [item per pathway]} (wire.plans.item_body)."""
    found = fields_of(learner)
    return {"learner": learner, "release": plans.item_body(RELEASE, found.get(RELEASE, {})),
            "items": [plans.item_body(key, found.get(key, {})) for key in plans.PATHWAY_KEYS]}


def message(record_id: str, learner: str, item: dict) -> dict:
    """The down message: {"type": "plan", "id": <record id>, "learner", "pathway", ...the item}."""
    return {**item, "type": MESSAGE, "id": record_id, "learner": learner}


def queue_for(device: str, learner: str) -> int:
    """Queue for `device` each pathway of `learner`'s plan it has not had (a tablet bound to them after the plan
    was written): one message per pathway, named by the record of its newest field. Call inside
    store.writing()."""
    newest: dict[str, LearnerPlanField] = {}
    for row in LearnerPlanField.select().where(LearnerPlanField.learner == learner):
        if row.pathway not in newest or (row.at, row.record) > (newest[row.pathway].at, newest[row.pathway].record):
            newest[row.pathway] = row
    found, queued = fields_of(learner), 0
    for pathway, row in newest.items():
        if not DownMessage.select().where((DownMessage.device == device)
                                          & (DownMessage.message_id == row.record)).exists():
            messages.add(device, message(row.record, learner, plans.item_body(pathway, found[pathway])))
            queued += 1
    return queued
