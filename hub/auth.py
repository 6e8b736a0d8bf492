"""Who may call a route.

- `admin_required`: `Authorization: Bearer <token>`, checked against ADMIN_TOKEN_SHA256 in
  constant time.
- `edge_required`: a TLS client certificate from an enrolled, active edge (hub/enrolment/certificates.py),
  checked on every request; the view gets the edge as `caller` (a certificates.Caller). A request
  with a body gives its database connection back once the edge is known, so the body, however
  slowly it comes, holds none (the view's next query opens one).
"""

from __future__ import annotations

import functools
import secrets

from flask import current_app, jsonify, request

from hub import db
from hub.enrolment import certificates
from provisioning.tokens import digest, same

TOKEN_BYTES = 32


def new_token() -> tuple[str, str]:
    """A fresh admin token and the hex SHA-256 the hub stores instead of it."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, digest(token)


def token_matches(presented: str | None, expected_sha256: str | None) -> bool:
    """The presented token hashes to the configured SHA-256 (hex, any case); never when either is unset."""
    return bool(presented and expected_sha256) and same(presented, expected_sha256.lower())


def _bearer() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def admin_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not token_matches(_bearer(), current_app.config.get("ADMIN_TOKEN_SHA256")):
            response = jsonify(error="unauthorized",
                               reason="send the hub's admin token as 'Authorization: Bearer <token>'")
            response.headers["WWW-Authenticate"] = 'Bearer realm="throughgate-hub"'
            return response, 401
        return view(*args, **kwargs)

    return wrapped


CLIENT_CERT_ENVIRON = "SSL_CLIENT_CERT"
"""Where the WSGI server puts the peer certificate it verified (PEM): werkzeug's server does
(hub/server.py). A client cannot set it: request headers arrive as HTTP_*."""


def edge_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        caller = certificates.authenticate(request.environ.get(CLIENT_CERT_ENVIRON),
                                           current_app.extensions["hub_ca"].cert)
        if request.content_length or request.headers.get("Transfer-Encoding"):
            db.release()
        return view(*args, caller=caller, **kwargs)

    return wrapped
