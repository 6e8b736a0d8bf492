"""Every error the hub answers is JSON: {"error": code, "reason": human text}."""

from __future__ import annotations

import logging

import peewee
from flask import jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from hub import limits
from hub.refusals import Refused

log = logging.getLogger("hub.errors")


def json_object() -> dict:
    """The request's JSON body, which must be an object (and no larger than hub/limits.py allows)."""
    limits.read_body()
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # json.loads gives up on deep nesting this way, not with a ValueError
        raise Refused(400, "bad_request", "the JSON body is nested too deeply: send a flat JSON object") from None
    if not isinstance(body, dict):
        raise Refused(400, "bad_request", "send a JSON object with Content-Type: application/json")
    return body


def init_app(app) -> None:
    @app.before_request
    def _no_nul():
        """No name at the hub holds a NUL, and PostgreSQL cannot even compare text that does (a 500)."""
        if "\x00" in request.path or b"%00" in request.query_string or b"\x00" in request.query_string:
            raise Refused(400, "bad_request", "the path or query holds a NUL character (%00): no name at this hub "
                          "has one; check the address")

    @app.errorhandler(Refused)
    def _refused(exc: Refused):
        return jsonify(exc.body()), exc.status

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        pages = app.extensions.get("hub_console")
        if pages is not None and pages.is_console_path(request.path):  # a page, not an API: an HTML answer
            return pages.for_http_error(exc)
        code = (exc.name or "error").lower().replace(" ", "_")
        return jsonify(error=code, reason=exc.description), exc.code

    @app.errorhandler(peewee.OperationalError)
    @app.errorhandler(peewee.InterfaceError)
    def _database_unavailable(exc: peewee.DatabaseError):
        log.error("database unavailable: %s", str(exc).strip())
        if request.endpoint == "health.healthz":
            return jsonify(ok=False), ServiceUnavailable.code
        return jsonify(error="database_unavailable",
                       reason="the hub cannot reach its database; try again later"), ServiceUnavailable.code

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unexpected error")
        pages = app.extensions.get("hub_console")
        if pages is not None and pages.is_console_path(request.path):
            return pages.for_unexpected(exc)
        return jsonify(error="internal_error",
                       reason="the hub could not handle this request; try again later "
                              "(the hub's log has the details)"), InternalServerError.code
