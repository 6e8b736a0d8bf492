"""How large a request body the hub reads.

Every route takes at most MAX_JSON_BYTES (its JSON objects are a few kilobytes), unless its view
says otherwise with `@body_limit("SETTING")` (POST /v1/batches: MAX_BATCH_BYTES). Checked first
of all, before authentication or the database:

- a body whose Content-Length is over the limit gets 413 `too_large` before any of it is read;
- a chunked body is read up to one byte past the limit, then 413 `too_large` (`read_body`;
  ingest does the same for batches).
"""

from __future__ import annotations

from flask import current_app, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from hub.refusals import Refused

MAX_JSON_BYTES = 64 * 1024
_SETTING = "body_limit_setting"


def body_limit(setting: str):
    """Let this view's requests be as large as the hub setting `setting` says."""
    def mark(view):
        setattr(view, _SETTING, setting)
        return view

    return mark


def limit() -> int:
    """The most this request's body may hold."""
    view = current_app.view_functions.get(request.endpoint or "")
    setting = getattr(view, _SETTING, None)
    return current_app.config[setting] if setting else MAX_JSON_BYTES


def read_body() -> bytes:
    """The request's body (kept for get_json), or Refused 413 if it is over the limit."""
    data = request.get_data(cache=True)
    if len(data) > limit():
        raise Refused(413, "too_large", _reason(None, limit()))
    return data


def _reason(size: int | None, most: int) -> str:
    route = f"{request.method} {request.path}"
    if size is None:  # a chunked body: how large it is, no one knows
        return f"the request body is over {most} bytes, the most {route} takes"
    return f"the request body is {size} bytes; {route} takes at most {most} bytes"


def init_app(app) -> None:
    """Register before anything else that runs before a request (the database connection)."""
    app.config["MAX_CONTENT_LENGTH"] = MAX_JSON_BYTES + 1  # werkzeug's own limit, for a request without a view

    @app.before_request
    def _limit_body():
        most = limit()
        if request.content_length is not None and request.content_length > most:
            raise Refused(413, "too_large", _reason(request.content_length, most))
        # One byte more: at its maximum werkzeug stops reading a chunked body without saying
        # whether more was sent; with one byte more than allowed, a body over it shows.
        request.max_content_length = most + 1

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(_exc: RequestEntityTooLarge):
        most = (request.max_content_length or MAX_JSON_BYTES + 1) - 1
        return jsonify(error="too_large", reason=_reason(None, most)), 413
