"""Enrolment tokens: one-time bootstrap tokens (`provisioning.tokens`, `tgb1.<id>.<secret>`),
each for one edge id and a limited time. The hub keeps the SHA-256 of the secret, never the secret.

Single use holds under concurrency on SQLite and PostgreSQL alike: a token is spent by
`UPDATE ... SET used_at = now WHERE token_id = ? AND used_at IS NULL AND expires > now`, and only
the request whose update changed one row goes on.

An admin may cancel a token that is not used yet (`cancel`): `cancelled_at` is set by one
`UPDATE ... WHERE used_at IS NULL AND cancelled_at IS NULL AND expires > now`, and spending one
needs `cancelled_at IS NULL` too, so a cancel and an enrolment racing for the same token cannot
both win. Who cancelled it is in the audit trail.
"""

from __future__ import annotations

import datetime as dt
import shlex
from dataclasses import dataclass
from pathlib import Path

import peewee

from hub import address, config
from hub.approvals import service as approvals
from hub.db import proxy
from hub.enrolment.edges import check_edge_id
from hub.models import REVOKED, Edge, EnrolmentToken
from hub.refusals import Refused
from provisioning import tokens
from wire.records import timestamp

MAX_TTL_S = 30 * 24 * 3600
ID_ATTEMPTS = 5
EDGE_INSTANCE = "/var/lib/throughgate/edge"
"""What the printed `throughgate edge enrol` command says unless told otherwise."""
UNUSED, USED, EXPIRED, CANCELLED = "unused", "used", "expired", "cancelled"
_NOT_APPROVED = {"pending": "waiting for a second admin's approval", "refused": "refused by a second admin",
                 "expired": "not approved in time"}


@dataclass(frozen=True)
class TokenInfo:
    token_id: str
    edge_id: str
    created: str
    expires: str
    used_at: str | None
    cancelled_at: str | None = None

    def state(self, now: str) -> str:
        """unused, used, expired or cancelled (waiting for approval is the approvals' to say)."""
        if self.used_at:
            return USED
        if self.cancelled_at:
            return CANCELLED
        return EXPIRED if self.expires <= now else UNUSED


def create(edge_id: str, ttl_s: int, now: dt.datetime | None = None) -> tuple[tokens.BootstrapToken, TokenInfo]:
    """A new token for edge_id, valid ttl_s seconds. The token is returned only here."""
    check_edge_id(edge_id)
    if type(ttl_s) is not int or not 1 <= ttl_s <= MAX_TTL_S:
        raise Refused(400, "bad_request", f"'ttl_s' must be a whole number of seconds from 1 to {MAX_TTL_S}")
    edge = Edge.get_or_none(Edge.edge_id == edge_id)
    if edge is not None and edge.status == REVOKED:
        raise Refused(409, "edge_revoked", f"edge {edge_id} was revoked and cannot enrol again: "
                      "give the replacement box a new edge id")
    now = now or dt.datetime.now(dt.UTC)
    for _attempt in range(ID_ATTEMPTS):  # ids are 32 random bits: a clash is rare, not impossible
        token = tokens.new_bootstrap_token()
        try:
            with proxy.atomic():
                row = EnrolmentToken.create(token_id=token.token_id, secret_sha256=tokens.digest(token.secret),
                                            edge_id=edge_id, created=timestamp(now),
                                            expires=timestamp(now + dt.timedelta(seconds=ttl_s)))
            return token, _info(row)
        except peewee.IntegrityError:
            continue
    raise RuntimeError("could not find a free token id")


def redeem(text, edge_id: str, now: str) -> TokenInfo:
    """Spend the token for edge_id, or raise Refused saying why not. Call inside the transaction
    that enrols the edge, so a later refusal leaves the token unspent."""
    try:
        token = tokens.parse_bootstrap_token(text)
    except tokens.TokenError as exc:
        raise Refused(401, "token_invalid", str(exc)) from None
    row = EnrolmentToken.get_or_none(EnrolmentToken.token_id == token.token_id)
    if row is None or not tokens.same(token.secret, row.secret_sha256):
        raise Refused(401, "token_invalid", "this hub did not issue this token: copy the whole token "
                      "that `throughgate hub tokens create` printed, or ask for a new one")
    if row.edge_id != edge_id:
        raise Refused(403, "token_edge_mismatch", f"this token is for edge {row.edge_id}, not {edge_id}: "
                      "enrol with the edge id it was made for")
    if row.used_at is None and row.cancelled_at is not None:
        raise _cancelled()
    waiting = approvals.blocking("enrolment_tokens.create", row.token_id, now)
    if waiting is not None:
        raise Refused(403, "token_not_approved", f"this token is {_NOT_APPROVED[waiting.status]} (approval request "
                      f"{waiting.id}): " + ("ask a second hub admin to approve it (`throughgate hub approvals "
                      f"approve {waiting.id}`), then enrol again" if waiting.status == "pending" else
                      "ask the hub's admins for a new one"), approval=waiting.id)
    spent = (EnrolmentToken.update(used_at=now)
             .where((EnrolmentToken.token_id == row.token_id) & EnrolmentToken.used_at.is_null()
                    & EnrolmentToken.cancelled_at.is_null() & (EnrolmentToken.expires > now))
             .execute())
    if spent != 1:
        row = EnrolmentToken.get(EnrolmentToken.token_id == row.token_id)
        if row.used_at is not None:
            raise Refused(410, "token_used", f"this token was already used at {row.used_at}: ask the hub's "
                          "operator for a new one", used_at=row.used_at)
        if row.cancelled_at is not None:
            raise _cancelled()
        raise Refused(410, "token_expired", f"this token expired at {row.expires}: ask the hub's operator "
                      "for a new one", expires=row.expires)
    row.used_at = now
    return _info(row)


def cancel(token_id: str, now: str) -> TokenInfo:
    """Make an unused token unusable from now on; Refused (and nothing changes) if it cannot be."""
    row = EnrolmentToken.get_or_none(EnrolmentToken.token_id == str(token_id)[:64])
    if row is None:
        raise Refused(404, "unknown_token", f"no enrolment token {token_id}: see `throughgate hub tokens list`")
    done = (EnrolmentToken.update(cancelled_at=now)
            .where((EnrolmentToken.token_id == row.token_id) & EnrolmentToken.used_at.is_null()
                   & EnrolmentToken.cancelled_at.is_null() & (EnrolmentToken.expires > now))
            .execute())
    row = EnrolmentToken.get(EnrolmentToken.token_id == row.token_id)
    if done != 1:
        state = _info(row).state(now)
        raise Refused(409, f"token_{state}", f"token {row.token_id} is already {state}"
                      + (f" (at {row.used_at}): revoke edge {row.edge_id} instead if it must stop"
                         if state == USED else ": there is nothing to cancel"))
    return _info(row)


def enrol_command(token, hub_ca_sha256: str, hub_url: str | None, edge_instance: str = EDGE_INSTANCE) -> str:
    """The `throughgate edge enrol ...` command, as `throughgate hub tokens create` prints it and the
    console shows it (with its QR code)."""
    return shlex.join(["throughgate", "edge", "enrol", "--instance", edge_instance,
                       *(["--hub-url", hub_url] if hub_url else []),
                       "--hub-ca-sha256", hub_ca_sha256, "--token", str(token)])


def edge_hub_url(settings, instance_path: str | Path) -> str | None:
    """The hub URL an enrolling edge is told: PUBLIC_URL, else where this instance serves now, else None."""
    return address.edge_url(settings["PUBLIC_URL"], address.running(instance_path), config.tls_names(settings))


def _cancelled() -> Refused:
    return Refused(410, "token_cancelled", "this token was cancelled by a hub admin: ask the hub's admins for a "
                   "new one")


def list_tokens() -> list[TokenInfo]:
    return [_info(row) for row in EnrolmentToken.select().order_by(EnrolmentToken.created)]


def _info(row: EnrolmentToken) -> TokenInfo:
    return TokenInfo(row.token_id, row.edge_id, row.created, row.expires, row.used_at, row.cancelled_at)
