"""A learner's release plan at the edge: what staff wrote here, and each edit sent on.

An edit is one field (wire.plans.check_edit). In one transaction it replaces the field here, queues a
`release_plan` record for the hub (its payload: pathway, field, value, at, by, base: the time of the
value the writer saw here), and a `plan` down message with the pathway's whole item for the learner's
tablet. The hub merges the record last-writer-wins per field with what workers wrote there, keeping a
losing value; the edge shows what its own staff wrote."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from edge import store
from edge.console import outgoing
from edge.intake import bindings
from edge.plans.items import fields_of, message, plan
from edge.plans.tables import LearnerPlanField
from wire import plans
from wire.records import timestamp, valid_learner

log = logging.getLogger(__name__)
KIND = "release_plan"
__all__ = ["KIND", "PlanEditError", "countdown", "edit", "fields_of", "message", "plan"]


class PlanEditError(ValueError):
    def __init__(self, reason: str, status: int = 400):
        super().__init__(reason)
        self.reason, self.status = reason, status


def countdown(learner: str) -> str:
    return plans.countdown(plan(learner)["release"]["release_date"], datetime.now(UTC).date())


def edit(learner: str, pathway: str, field: str, value: str, by: str, seen: str | None = None) -> bool:
    """Set one field; False if it already holds that value. `seen`: the value the form showed, so a field
    the writer did not change is not written (None: write it whatever was there)."""
    if not valid_learner(learner):
        raise PlanEditError("no such learner", 404)
    with store.writing():
        row = LearnerPlanField.get_or_none((LearnerPlanField.learner == learner)
                                           & (LearnerPlanField.pathway == pathway) & (LearnerPlanField.field == field))
        try:
            made = plans.check_edit(pathway, field, value, timestamp(), by, row.at if row else None)
        except plans.PlanError as exc:
            raise PlanEditError(f"{exc.reason[0].upper()}{exc.reason[1:]}") from None
        if (row.value if row else "") == made.value or (seen is not None and seen.strip() == made.value.strip()):
            return False
        payload = {"pathway": made.pathway, "field": made.field, "value": made.value, "at": made.at, "by": made.by,
                   "base": made.base}
        record = outgoing.add_record(KIND, learner, payload)
        LearnerPlanField.replace(learner=learner, pathway=made.pathway, field=made.field, value=made.value,
                                 at=made.at, by=made.by, record=record.id).execute()
        item = plans.item_body(made.pathway, fields_of(learner).get(made.pathway, {}))
        outgoing.add_down(bindings.recipient(learner, None), message(record.id, learner, item))
    log.info("a release plan field was set at the console by %s (record %s)", by, record.id)
    return True
