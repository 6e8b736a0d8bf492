"""The published forms for an enrolled edge, over mutual TLS (`edge_required`), so tablets inside can fill them in:

- GET /v1/edge/forms: `{"forms": [field list, ...], "limits": {"photo_bytes", "voice_bytes", "chunk_bytes"}}`, the
  latest version of every published form (docs/forms.md "The field list"), as phones get them, and
  `"refusals": [{"id", "device", "learner", "form_id", "version", "code", "reason", "refused_at"}, ...]`: this
  edge's tablet submissions the hub refused that the edge has not acknowledged yet (oldest first, at most 200).
- POST /v1/edge/forms/refusals/ack `{"ids": [...]}`: the edge has committed these refusals; they are not sent
  again. Only this edge's own change; `{"acked": n}`.

Every published form goes to every edge: the hub publishes for its organisation, which has no forms that are for
phones only (a mark per form, "for prisons", is for when one has). Before answering, the hub applies this edge's
tablet submissions still waiting for a link or a file (hub/forms/from_edges.py), so a learner linked from the
command line has theirs stored by the edge's next pull.
"""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify, request

from hub.auth import edge_required
from hub.forms import from_edges, service
from hub.forms.models import FormRefusal
from hub.sync import uploads

log = logging.getLogger("hub.forms")

bp = Blueprint("edge_forms", __name__, url_prefix="/v1/edge")
REFUSALS = 200


@bp.get("/forms")
@edge_required
def forms(caller):
    if stored := from_edges.waiting(caller.edge_id):
        log.info("%d waiting form submissions from edge %s stored", stored, caller.edge_id)
    rules = uploads.Rules.from_config(current_app.config)
    unacked = (FormRefusal.select().where((FormRefusal.edge_id == caller.edge_id) & FormRefusal.acked_at.is_null())
               .order_by(FormRefusal.refused_at, FormRefusal.record_id).limit(REFUSALS))
    refusals = [{"id": r.record_id, "device": r.device, "learner": r.learner, "form_id": r.form_id,
                 "version": r.version, "code": r.code, "reason": r.reason, "refused_at": r.refused_at}
                for r in unacked]
    return jsonify(forms=service.latest_documents(), refusals=refusals,
                   limits={"photo_bytes": rules.photo_bytes, "voice_bytes": rules.voice_bytes,
                           "chunk_bytes": rules.chunk_bytes})


@bp.post("/forms/refusals/ack")
@edge_required
def ack_refusals(caller):
    from wire.records import timestamp

    body = request.get_json(silent=True)
    ids = body.get("ids") if isinstance(body, dict) else None
    if not isinstance(ids, list) or len(ids) > REFUSALS or not all(isinstance(i, str) and len(i) <= 36 for i in ids):
        return jsonify(error="bad_request", reason=f"send {{\"ids\": [...]}}: at most {REFUSALS} record ids"), 400
    acked = (FormRefusal.update(acked_at=timestamp())
             .where((FormRefusal.edge_id == caller.edge_id) & FormRefusal.record_id.in_(ids)
                    & FormRefusal.acked_at.is_null()).execute()) if ids else 0
    return jsonify(acked=acked)
