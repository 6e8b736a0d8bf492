"""Writing a batch: its records (each stored once, by UUID) and its Batch row, in one transaction."""

from __future__ import annotations

import json
from collections.abc import Callable

import peewee

from hub.db import write_transaction
from hub.forms import from_edges
from hub.models import Batch, Record
from hub.people import edge_release
from hub.plans import service as plans
from wire.records import timestamp

INSERT_CHUNK = 500
"""Rows per INSERT: well under SQLite's limit of bound variables per statement."""


def utc_now() -> str:
    return timestamp()


def find_batch(batch_id: str) -> Batch | None:
    return Batch.get_or_none(Batch.batch_id == batch_id)


class AlreadyStored(Exception):
    def __init__(self, batch: Batch):
        super().__init__(batch.batch_id)
        self.batch = batch


def store_batch(*, edge_id: str, batch_id: str, seq: int, digest: str, count: int, rows: list[dict],
                received: str, sign: Callable[[int], dict]) -> dict:
    """Store new records and the batch; return the signed receipt, made by `sign(stored)`. The codes of
    releases made at the edge console are registered in the same transaction (hub/people/edge_release.py).

    Raises AlreadyStored if the batch id is already in the database (checked under the write
    lock, so two copies of one batch arriving together store it once).
    """
    try:
        with write_transaction():
            existing = find_batch(batch_id)
            if existing is not None:
                raise AlreadyStored(existing)
            stored = 0
            for start in range(0, len(rows), INSERT_CHUNK):
                query = Record.insert_many(rows[start:start + INSERT_CHUNK]).on_conflict_ignore()
                stored += query.as_rowcount().execute()
            plans.apply_records(edge_id, rows)  # an edge's release plan edits merge with the batch
            edge_release.from_batch(edge_id, rows)  # a release at the edge console: its code works from now
            from_edges.from_batch(edge_id, rows)  # a form filled in on a tablet: stored once its files are here
            receipt = sign(stored)
            Batch.create(batch_id=batch_id, edge=edge_id, seq=seq, digest=digest, count=count,
                         stored=stored, receipt_json=json.dumps(receipt), received_at=received)
    except peewee.IntegrityError:
        existing = find_batch(batch_id)
        if existing is None:
            raise
        raise AlreadyStored(existing) from None
    return receipt
