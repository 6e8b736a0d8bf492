"""GET /v1/records and /v1/records/summary: stored records, for the hub's administrators only."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from hub import queries
from hub.auth import admin_required
from hub.ingest.service import error

bp = Blueprint("records", __name__, url_prefix="/v1/records")


@bp.get("")
@admin_required("records.read")
def list_records():
    try:
        after = _whole(request.args.get("after", "0"), "after")
        limit = _whole(request.args.get("limit", str(queries.DEFAULT_LIMIT)), "limit")
    except ValueError as exc:
        return jsonify(error("bad_query", str(exc))), 400
    if not 1 <= limit <= queries.MAX_LIMIT:
        return jsonify(error("bad_query", f"'limit' must be from 1 to {queries.MAX_LIMIT}")), 400
    filters = {name: request.args.get(name) for name in queries.FILTERS}
    return jsonify(queries.list_records(filters, after=after, limit=limit))


@bp.get("/summary")
@admin_required("records.read")
def summary():
    return jsonify(queries.summary())


def _whole(text: str, name: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise ValueError(f"'{name}' must be a whole number from 0")
    return int(text)
