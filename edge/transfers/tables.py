"""The transfer tables (migration m0007): transfers that arrived from the hub, and each record they brought."""

from __future__ import annotations

import peewee as pw

from edge import store


class TransferIn(store.BaseModel):
    """A transfer the hub sent: the learner here, and when its records were imported."""

    transfer = pw.CharField(primary_key=True, max_length=36)
    learner = pw.CharField(max_length=64, index=True)  # their id at this prison
    records = pw.IntegerField()
    imported_at = pw.CharField(max_length=30)

    class Meta:
        table_name = "transfer_in"


class TransferredRecord(store.BaseModel):
    """One record from an earlier prison (progress, quiz answer, submission, feedback, award), kept once by its id."""

    id = pw.CharField(primary_key=True, max_length=36)  # the record's own id, as the earlier prison's edge sent it
    transfer = pw.CharField(max_length=36, index=True)
    learner = pw.CharField(max_length=64, index=True)  # their id at this prison
    kind = pw.CharField(max_length=40)
    from_edge = pw.CharField(max_length=64)
    from_learner = pw.CharField(max_length=64)
    created = pw.CharField(max_length=40)
    payload = pw.TextField()

    class Meta:
        table_name = "transferred_record"


MODELS = (TransferIn, TransferredRecord)
