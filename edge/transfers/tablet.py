"""A learner who arrived from another prison gets a tablet here: the feedback and badges they brought go to it.

At import (edge/transfers/pull.py) they go to the tablet the learner has then, if any; a tablet bound to them later
(edge/tablets/registry.py `redeem`, with an enrolment code naming them) gets the ones it has not had, in the same
transaction that binds it. Each down message is keyed by (device, record id), so none is queued twice.
"""

from __future__ import annotations

import json

from edge.downlink import messages
from edge.downlink.tables import DownMessage
from edge.transfers.tables import TransferredRecord

KINDS = ("feedback", "award")


def message(row: TransferredRecord | dict, learner: str) -> dict:
    """The down message for a transferred feedback or award, as the console's own (edge/console/outgoing.py)."""
    kind, record_id = (row["kind"], row["id"]) if isinstance(row, dict) else (row.kind, row.id)
    payload = row["payload"] if isinstance(row, dict) else json.loads(row.payload)
    return {"type": kind, **payload, "id": record_id, "learner": learner}


def queue_for(device: str, learner: str) -> int:
    """Queue for `device` what `learner` brought that it has not had. Call inside store.writing()."""
    queued = 0
    mine = (TransferredRecord.learner == learner) & TransferredRecord.kind.in_(KINDS)
    brought = TransferredRecord.select().where(mine).order_by(TransferredRecord.created)
    for row in brought:
        if not DownMessage.select().where((DownMessage.device == device) & (DownMessage.message_id == row.id)).exists():
            messages.add(device, message(row, learner))
            queued += 1
    return queued
