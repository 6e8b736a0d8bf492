"""Every error the hub answers is JSON: {"error": code, "reason": human text}."""

from __future__ import annotations

import logging

import peewee
from flask import jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

log = logging.getLogger("hub.errors")


def init_app(app) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
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
        return jsonify(error="internal_error",
                       reason="the hub could not handle this request; try again later "
                              "(the hub's log has the details)"), InternalServerError.code
