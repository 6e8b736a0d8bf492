"""The published forms for an enrolled edge, over mutual TLS (`edge_required`), so tablets inside can fill them in:

- GET /v1/edge/forms: `{"forms": [field list, ...], "limits": {"photo_bytes", "voice_bytes", "chunk_bytes"}}`, the
  latest version of every published form (docs/forms.md "The field list"), as phones get them.

Every published form goes to every edge: the hub publishes for its organisation, which has no forms that are for
phones only (a mark per form, "for prisons", is for when one has). Before answering, the hub applies this edge's
tablet submissions still waiting for a link or a file (hub/forms/from_edges.py), so a learner linked from the
command line has theirs stored by the edge's next pull.
"""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify

from hub.auth import edge_required
from hub.forms import from_edges, service
from hub.sync import uploads

log = logging.getLogger("hub.forms")

bp = Blueprint("edge_forms", __name__, url_prefix="/v1/edge")


@bp.get("/forms")
@edge_required
def forms(caller):
    if stored := from_edges.waiting(caller.edge_id):
        log.info("%d waiting form submissions from edge %s stored", stored, caller.edge_id)
    rules = uploads.Rules.from_config(current_app.config)
    return jsonify(forms=service.latest_documents(),
                   limits={"photo_bytes": rules.photo_bytes, "voice_bytes": rules.voice_bytes,
                           "chunk_bytes": rules.chunk_bytes})
