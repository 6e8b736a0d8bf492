"""GET /v1/admin/audit[?after=SEQ&limit=N]: audit entries in order (JSON lines, as `hub audit export`
prints), at most limit (default and most: 1000), then `after` the last seq for the next page."""

from __future__ import annotations

import json

from flask import Blueprint, Response, request

from hub.audit.models import AuditEntry
from hub.audit.trail import as_dict
from hub.auth import admin_required
from hub.refusals import Refused

bp = Blueprint("audit", __name__, url_prefix="/v1/admin/audit")
MAX_LIMIT = 1000


@bp.get("")
@admin_required("audit.read")
def export():
    after, limit = request.args.get("after", "0"), request.args.get("limit", str(MAX_LIMIT))
    if not (after.isascii() and after.isdigit() and limit.isascii() and limit.isdigit()
            and len(after) <= 18 and 1 <= int(limit) <= MAX_LIMIT):
        raise Refused(400, "bad_query", f"'after' must be a whole number from 0 and 'limit' from 1 to {MAX_LIMIT}")
    rows = AuditEntry.select().where(AuditEntry.seq > int(after)).order_by(AuditEntry.seq).limit(int(limit))
    body = "".join(json.dumps(as_dict(row), ensure_ascii=False) + "\n" for row in rows)
    return Response(body, mimetype="application/jsonl")
