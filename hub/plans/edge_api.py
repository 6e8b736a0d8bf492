"""GET /v1/edge/plans?after=N, over the edge's mutual TLS (`edge_required`): the release plan items of the people
linked to learner ids at the calling edge, as the hub merged them (what workers and the edge's staff wrote), so
the edge can send them to the learner's tablet before release. The same `plan` entries as the person's feed
(docs/phone-sync.md), in feed order, from the cursor on:

    {"items": [{"seq": S, "learner": "L-0042", "pathway": "accommodation", "item": {...}}], "cursor": M, "more": bool}

Another edge's learners are never in the answer, nor a person transferred to another prison since
(hub/people/moves.py)."""

from __future__ import annotations

import json

from flask import Blueprint, jsonify, request

from hub.auth import edge_required
from hub.people import moves
from hub.people.models import PersonLearner
from hub.plans.service import KIND
from hub.refusals import Refused
from hub.sync.models import PersonChange

bp = Blueprint("edge_plans", __name__, url_prefix="/v1/edge/plans")
PAGE = 200


@bp.get("")
@edge_required
def items(caller):
    after = request.args.get("after", "0")
    if not after.isdigit() or len(after) > 18:
        raise Refused(400, "bad_request", "after is the `cursor` of the answer before (a whole number), or 0")
    gone = moves.moved_away_from(caller.edge_id)  # transferred to another prison: nothing more goes to this one
    learners: dict[str, list[str]] = {}
    for link in PersonLearner.select().where(PersonLearner.edge_id == caller.edge_id):
        learners.setdefault(link.person_id, []).append(link.learner)
    theirs = ((PersonChange.kind == KIND) & (PersonChange.seq > int(after))
              & PersonChange.person.in_(PersonLearner.select(PersonLearner.person).where(
                  PersonLearner.edge_id == caller.edge_id)))
    if gone:
        theirs &= PersonChange.person.not_in(sorted(gone))
    rows = list(PersonChange.select().where(theirs).order_by(PersonChange.seq).limit(PAGE + 1))
    found = [{"seq": row.seq, "learner": learner, "pathway": row.item_id, "item": json.loads(row.body)}
             for row in rows[:PAGE] for learner in learners.get(row.person_id, [])]
    cursor = rows[:PAGE][-1].seq if rows else int(after)
    return jsonify(items=found, cursor=cursor, more=len(rows) > PAGE)
