"""The learner_plan_field table (migration m0006): what this edge's staff wrote of a learner's release plan."""

from __future__ import annotations

import peewee as pw

from edge import store


class LearnerPlanField(store.BaseModel):
    learner = pw.CharField(max_length=64)
    pathway = pw.CharField(max_length=32)  # wire.plans.PATHWAY_KEYS, or "release" (field "date")
    field = pw.CharField(max_length=16)
    value = pw.TextField()
    at = pw.CharField(max_length=30)
    by = pw.CharField(max_length=32)  # the console user name
    record = pw.CharField(max_length=36)  # the release_plan record sent to the hub

    class Meta:
        table_name = "learner_plan_field"
        primary_key = pw.CompositeKey("learner", "pathway", "field")


MODELS = (LearnerPlanField,)
