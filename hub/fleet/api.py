"""POST /v1/edge/health: an enrolled edge sends its status report (wire/health.py) over mutual TLS.

200 {"stored": true, "received_at": ...}; a report the hub cannot take is refused, storing nothing:
400 bad_report naming the field and what it must be, 403 wrong_edge when it names another edge, 413
too_large over 64 KiB (hub/limits.py). The hub keeps the newest EDGE_REPORTS_KEPT of each edge.
"""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify

from hub import limits
from hub.auth import edge_required
from hub.fleet import store
from hub.ingest.storage import utc_now
from hub.refusals import Refused
from wire import health, text

log = logging.getLogger("hub.fleet")

bp = Blueprint("fleet", __name__, url_prefix="/v1/edge")


@bp.post("/health")
@edge_required
def report(caller):
    body = limits.read_body()
    try:
        parsed = health.parse(body)
    except health.HealthReportError as exc:
        # the reason can quote a key the edge sent: escaped, so it cannot start a log line of its own
        log.warning("edge %s: status report refused: %s", caller.edge_id, text.for_terminal(exc.reason))
        raise Refused(400, "bad_report", f"{exc.reason}; nothing was stored (wire/health.py has the format)",
                      field=exc.field) from None
    if parsed["edge_id"] != caller.edge_id:
        raise Refused(403, "wrong_edge", f"the report names edge {parsed['edge_id']}, but its certificate is "
                      f"edge {caller.edge_id}'s: an edge reports only on itself; nothing was stored")
    received_at = utc_now()
    store.save(caller.edge_id, parsed, received_at, current_app.config["EDGE_REPORTS_KEPT"])
    return jsonify(stored=True, received_at=received_at)
