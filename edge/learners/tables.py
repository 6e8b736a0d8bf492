"""The learner_name table (migration m0005): one learner's name and prison number, who set them and when."""

from __future__ import annotations

import peewee as pw

from edge import store


class LearnerName(store.BaseModel):
    learner = pw.CharField(primary_key=True, max_length=64)  # the pseudonymous id, L-0042
    name = pw.CharField(max_length=100)
    prison_number = pw.CharField(max_length=20, default="")  # "" when not known
    updated_at = pw.CharField(max_length=30)
    updated_by = pw.CharField(max_length=32)  # a console user name, or "cli"

    class Meta:
        table_name = "learner_name"


MODELS = (LearnerName,)
