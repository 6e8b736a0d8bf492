"""The learner_release table (migration m0007): a learner released at this edge, and their latest code's SHA-256."""

from __future__ import annotations

import peewee as pw

from edge import store


class LearnerRelease(store.BaseModel):
    learner = pw.CharField(primary_key=True, max_length=64)
    code_sha256 = pw.CharField(max_length=64)  # the code itself is shown once, on the page and the letter
    issued_at = pw.CharField(max_length=30)
    expires_at = pw.CharField(max_length=30)
    issued_by = pw.CharField(max_length=32)  # the console user name
    record = pw.CharField(max_length=36)  # the release record sent to the hub

    class Meta:
        table_name = "learner_release"


MODELS = (LearnerRelease,)
