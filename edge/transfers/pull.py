"""Pull the transfers the hub holds for this prison, import each, and only then tell the hub it arrived.

    OFFERED   GET /v1/edge/transfers: the transfers not imported yet (their id, the learner's id here)
    IMPORT    GET …/records?after=N, page by page: each record kept once by its own id (transferred_record);
              progress statements and quiz answers also join the tutors' copy (console_learning_record) under
              the learner's id here, so progress pages and reward rules count them, and the course cache keeps the
              course versions they are part-way through; feedback and badges go to the learner's tablet as down
              messages when they have one here (edge/transfers/tablet.py: else to the tablet bound to them later)
    DELIVERED POST …/delivered {"records": N}: the hub stops offering it

A failure part-way leaves the transfer offered: the next pull imports it again from the first page and adds
nothing twice (every insert is keyed by the record's id). The edge service's scheduled job calls it
(edge/jobs.py, every minute); it holds no state between runs.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from edge import store
from edge.console import learning, outgoing
from edge.courses import progress as course_progress
from edge.intake import bindings
from edge.transfers import tablet
from edge.transfers.tables import TransferIn, TransferredRecord
from wire.learning import valid_uuid
from wire.records import is_timestamp, timestamp, valid_dns_label, valid_learner

log = logging.getLogger(__name__)

KINDS = frozenset({"progress_statement", "quiz_answer", "assignment_submission", "feedback", "award"})
DEVICE = "transfer"  # the tutors' copy names no tablet for a record from another prison


class TransferError(OSError):
    """The hub could not be asked, or answered something this edge cannot import (the message says which)."""


@dataclass(frozen=True)
class Pulled:
    transfers: int
    records: int


def pull(client) -> Pulled:
    """Import every transfer the hub offers this edge; raises TransferError when the hub cannot be asked."""
    offered = _ask(client, "GET", "/v1/edge/transfers").get("transfers")
    if not isinstance(offered, list):
        raise TransferError("the hub's list of transfers is not a list")
    done = records = 0
    for item in offered:
        transfer, learner = (item.get("transfer"), item.get("learner")) if isinstance(item, dict) else (None, None)
        if not (valid_uuid(transfer) and valid_learner(learner)):
            log.warning("the hub offered a transfer this edge cannot read: skipped")
            continue
        records += import_transfer(client, transfer, learner)
        done += 1
    return Pulled(done, records)


def import_transfer(client, transfer: str, learner: str) -> int:
    """Every page of one transfer, then the hub is told; how many records are held for it here."""
    after = 0
    while True:
        page = _ask(client, "GET", f"/v1/edge/transfers/{transfer}/records?after={after}")
        rows, following = page.get("records"), page.get("next")
        if not isinstance(rows, list):
            raise TransferError(f"transfer {transfer}: the hub's page has no list of records")
        store_page(transfer, learner, rows)
        if following is None:
            break
        if type(following) is not int or following <= after:
            raise TransferError(f"transfer {transfer}: the hub's next page ({following!r}) does not move on")
        after = following
    held = TransferredRecord.select().where(TransferredRecord.transfer == transfer).count()
    with store.writing():
        TransferIn.insert(transfer=transfer, learner=learner, records=held, imported_at=timestamp()).on_conflict(
            conflict_target=[TransferIn.transfer], update={TransferIn.records: held}).execute()
    _ask(client, "POST", f"/v1/edge/transfers/{transfer}/delivered", {"records": held})
    log.info("transfer %s imported: %d records for %s", transfer, held, learner)
    return held


def store_page(transfer: str, learner: str, rows: list) -> int:
    """Keep the page's records under `learner`, each once; how many were new."""
    kept = [row for row in (_readable(item) for item in rows) if row is not None]
    new = 0
    now = timestamp()
    with store.writing():
        for row in kept:
            inserted = (TransferredRecord.insert(id=row["id"], transfer=transfer, learner=learner, kind=row["kind"],
                                                 from_edge=row["from_edge"], from_learner=row["from_learner"],
                                                 created=row["created"], payload=json.dumps(row["payload"]))
                        .on_conflict_ignore().as_rowcount().execute())
            if not inserted:
                continue
            new += 1
            if row["kind"] in learning.PROGRESS_KINDS:  # submissions stay here: not for marking again
                body = json.dumps({"payload": row["payload"]}, separators=(",", ":"))
                kept = {"id": row["id"], "kind": row["kind"], "device": DEVICE, "learner": learner,
                        "created": row["created"], "received": now, "body": body}
                learning.keep([kept])
                inbox = course_progress.Inbox()
                if (prepared := inbox.prepare([kept])) is not None:
                    inbox.write(prepared)  # the course versions they are part-way through stay on this edge
            if row["kind"] in tablet.KINDS:
                outgoing.add_down(bindings.recipient(learner, learning.latest_device(learner)),
                                  tablet.message(row, learner))
    if len(kept) < len(rows):
        log.warning("transfer %s: %d records the edge cannot read were skipped", transfer, len(rows) - len(kept))
    return new


def _readable(item) -> dict | None:
    if not isinstance(item, dict):
        return None
    try:
        payload = json.loads(item.get("payload") or "")
    except (TypeError, ValueError):
        return None
    if not (valid_uuid(item.get("id")) and item.get("kind") in KINDS and isinstance(payload, dict)
            and valid_dns_label(item.get("from_edge")) and valid_learner(item.get("from_learner"))
            and isinstance(item.get("created"), str) and is_timestamp(item["created"])):
        return None
    return {**item, "payload": payload}


def _ask(client, method: str, path: str, payload: dict | None = None) -> dict:
    try:
        status, answer = client.call_json(method, path, payload)
    except OSError as exc:
        raise TransferError(str(exc)) from None
    if status != 200:
        raise TransferError(f"hub answered {method} {path.split('?')[0]} with HTTP {status}: "
                            f"{answer.get('error')}: {answer.get('reason')}")
    return answer
