"""GET /healthz: the only route open to anyone. It says whether the hub can reach its database.

200 {"ok": true}, or 503 {"ok": false} (see hub/errors.py) and nothing else.
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from hub.db import proxy

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    proxy.execute_sql("SELECT 1")
    return jsonify(ok=True)
