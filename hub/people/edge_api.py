"""What an enrolled edge fetches of the people transferred to its prison, over mutual TLS (`edge_required`):

- GET /v1/edge/transfers: `{"transfers": [{"transfer", "learner"}]}`, those it has not imported yet.
- GET /v1/edge/transfers/<id>/records?after=N: `{"records": [{"id", "kind", "from_edge", "from_learner",
  "created", "payload"}], "next": N | null}`, a page of what the person's learner ids at earlier prisons sent
  (`payload` is the record's payload as JSON text); `next` is the `after` of the next page.
- POST /v1/edge/transfers/<id>/delivered `{"records": N}`: the edge imported it; it is not offered again.

Another edge's transfer is 404, like one that does not exist.
"""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify, request

from hub.auth import edge_required
from hub.errors import json_object
from hub.people import transfers
from hub.refusals import Refused

log = logging.getLogger("hub.people")

bp = Blueprint("edge_transfers", __name__, url_prefix="/v1/edge/transfers")


@bp.get("")
@edge_required
def waiting(caller):
    return jsonify(transfers=[{"transfer": t.transfer_id, "learner": t.learner}
                              for t in transfers.waiting(caller.edge_id)])


@bp.get("/<transfer_id>/records")
@edge_required
def records(caller, transfer_id: str):
    found = transfers.of_edge(caller.edge_id, transfer_id)
    after = request.args.get("after", "0")
    if not after.isdigit() or len(after) > 18:
        raise Refused(400, "bad_request", "after is the `next` of the page before (a whole number), or 0")
    page, following = transfers.records(found, int(after))
    return jsonify(records=page, next=following)


@bp.post("/<transfer_id>/delivered")
@edge_required
def delivered(caller, transfer_id: str):
    count = json_object().get("records")
    if type(count) is not int or count < 0:
        raise Refused(400, "bad_request", 'send {"records": N}: how many records the edge imported')
    found = transfers.delivered(transfers.of_edge(caller.edge_id, transfer_id), count)
    log.info("transfer %s imported by edge %s (%d records)", found.transfer_id, caller.edge_id, found.records)
    return jsonify(transfer=found.transfer_id, delivered_at=found.delivered_at, records=found.records)
