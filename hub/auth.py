"""Who may call a route.

- `admin_required(action)`: `Authorization: Bearer <token>`: an admin API token (`tga1.…`,
  hub/admins/tokens.py) whose role may do `action` (hub/admins/roles.py), or, until it expires, the
  hub.toml admin token of earlier releases (ADMIN_TOKEN_SHA256, hub/admins/legacy.py) with the role
  ADMIN_TOKEN_ROLE. No token or an unknown one: 401; an expired or revoked token: 401 saying so; a
  role that may not: 403. Every call by a known admin, allowed or not, is appended to the audit trail
  (hub/audit) with its outcome; the view finds the caller in `flask.g.admin` (an audit Actor) and may
  add to the entry through `note(...)`.
- `edge_required`: a TLS client certificate from an enrolled, active edge (hub/enrolment/certificates.py),
  checked on every request; the view gets the edge as `caller` (a certificates.Caller). A request
  with a body gives its database connection back once the edge is known, so the body, however
  slowly it comes, holds none (the view's next query opens one).
"""

from __future__ import annotations

import functools
import logging
import secrets

from flask import current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

from hub import db
from hub.admins import legacy, roles
from hub.admins import tokens as admin_tokens
from hub.audit import trail
from hub.enrolment import certificates
from hub.ingest.storage import utc_now
from hub.refusals import Refused
from provisioning.tokens import digest, same

log = logging.getLogger("hub.auth")

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


def _unauthorized(reason: str):
    response = jsonify(error="unauthorized", reason=reason)
    response.headers["WWW-Authenticate"] = 'Bearer realm="throughgate-hub"'
    return response, 401


def _legacy_admin(presented: str, source: str) -> tuple[trail.Actor | None, str | None]:
    """(actor, refusal reason) for the hub.toml token; (None, None) when it is not that token."""
    if not token_matches(presented, current_app.config.get("ADMIN_TOKEN_SHA256")):
        return None, None
    actor = trail.Actor(legacy.NAME, current_app.config["ADMIN_TOKEN_ROLE"], source)
    expires = legacy.expires_at(current_app.config["ADMIN_TOKEN_DAYS"])
    if expires is None or expires <= utc_now():
        return actor, legacy.expired_reason(expires or "(no upgrade recorded)", current_app.instance_path)
    if not current_app.extensions.get("legacy_token_warned"):
        current_app.extensions["legacy_token_warned"] = True
        log.warning("%s", legacy.warning(expires))
    g.legacy_warning = legacy.warning(expires)
    return actor, None


def _identify(presented: str | None, source: str) -> tuple[trail.Actor | None, str | None]:
    """(the admin, why they are refused or None); (None, reason) for no token or one nobody holds."""
    if not presented:
        return None, "send an admin token as 'Authorization: Bearer <token>'"
    if admin_tokens.looks_like(presented):
        try:
            info = admin_tokens.authenticate(presented, utc_now())
        except admin_tokens.TokenRefused as exc:
            return trail.Actor(exc.info.name, exc.info.role, source), exc.reason
        if info is not None:
            return trail.Actor(info.name, info.role, source), None
    else:
        actor, refused = _legacy_admin(presented, source)
        if actor is not None:
            return actor, refused
    return None, "this hub issued no such admin token: send one from `throughgate hub admins token create`"


def note(target: str | None = None, **detail) -> None:
    """Add to the audit entry of this request: what it acted on and details (never a secret)."""
    if target is not None:
        g.audit_target = target
    g.audit_detail = {**g.get("audit_detail", {}), **detail}


def admin_required(action: str):
    if action not in roles.ACTIONS:
        raise ValueError(f"unknown admin action {action}")

    def decorate(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            actor, refused = _identify(_bearer(), request.remote_addr or "unknown")
            target = "/".join(str(value) for value in kwargs.values())
            if actor is None:
                return _unauthorized(refused)
            if refused:
                _audit(actor, action, target, "refused: token not usable")
                return _unauthorized(refused)
            if not roles.allowed(actor.role, action):
                _audit(actor, action, target, "refused: role may not")
                return jsonify(error="forbidden", reason=f"the {actor.role} role may not do {action}: ask an admin "
                               "whose role may (docs/hub.md, \"Admin roles\")"), 403
            g.admin = actor
            try:
                response = current_app.make_response(view(*args, **kwargs))
            except Refused as exc:
                _audit(actor, action, g.get("audit_target", target), f"refused: {exc.code}")
                raise
            except HTTPException as exc:
                _audit(actor, action, g.get("audit_target", target), f"refused: {exc.code}")
                raise
            except Exception:
                _audit(actor, action, g.get("audit_target", target), "error")
                raise
            _audit(actor, action, g.get("audit_target", target), _outcome(response.status_code))
            if g.get("legacy_warning"):
                response.headers["Warning"] = f'299 throughgate-hub "{g.legacy_warning}"'
            return response

        return wrapped

    return decorate


def _outcome(status: int) -> str:
    if status == 202:
        return "pending approval"
    return "ok" if status < 400 else f"refused: {status}"


def _audit(actor: trail.Actor, action: str, target: str, outcome: str) -> None:
    detail = {"method": request.method, "path": request.full_path.rstrip("?"), **g.get("audit_detail", {})}
    trail.append(actor, action, target, outcome, detail)


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
