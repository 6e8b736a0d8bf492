"""The Ed25519 keys each edge signs batches with. An edge may send a new key at any time
(POST /v1/edge/signing-keys); its earlier keys stay accepted for EDGE_KEY_GRACE_DAYS, so batches
it sealed and signed before the rotation, still waiting in its store, are accepted.
"""

from __future__ import annotations

import datetime as dt

from cryptography.hazmat.primitives.asymmetric import ed25519

from hub.db import proxy
from hub.models import EdgeKey
from hub.refusals import Refused
from wire.keys import key_id, verify_key_from_pem, verify_key_to_pem
from wire.records import timestamp


def parse(pem) -> ed25519.Ed25519PublicKey:
    try:
        return verify_key_from_pem(pem.encode() if isinstance(pem, str) else pem)
    except (ValueError, TypeError, AttributeError) as exc:
        raise Refused(400, "bad_request", f"'signing_key' must be an Ed25519 public key in PEM form, the "
                      f"text that starts with -----BEGIN PUBLIC KEY----- ({exc})") from None


def add(edge_id: str, key: ed25519.Ed25519PublicKey, grace_days: int, now: dt.datetime) -> str:
    """Make `key` the edge's current key; earlier current keys retire after grace_days.
    Sending the current key again changes nothing. Returns the key id."""
    kid, stamp = key_id(key), timestamp(now)
    retire_at = timestamp(now + dt.timedelta(days=grace_days))
    with proxy.atomic():
        (EdgeKey.update(retired_at=retire_at)
         .where((EdgeKey.edge == edge_id) & (EdgeKey.key_id != kid) & EdgeKey.retired_at.is_null()).execute())
        known = EdgeKey.get_or_none((EdgeKey.edge == edge_id) & (EdgeKey.key_id == kid))
        if known is None:
            EdgeKey.create(edge=edge_id, key_id=kid, key_pem=verify_key_to_pem(key).decode(), added_at=stamp)
        elif known.retired_at is not None:
            known.retired_at = None
            known.save()
    return kid


def accepted(edge_id: str, now: str) -> list[EdgeKey]:
    """The edge's keys the hub accepts at `now`: the current one first, then those in their grace."""
    rows = EdgeKey.select().where((EdgeKey.edge == edge_id)
                                  & (EdgeKey.retired_at.is_null() | (EdgeKey.retired_at > now)))
    newest_first = sorted(rows, key=lambda row: row.added_at, reverse=True)
    return sorted(newest_first, key=lambda row: row.retired_at is not None)


def verify_keys(edge_id: str, now: str) -> list[ed25519.Ed25519PublicKey]:
    return [verify_key_from_pem(row.key_pem.encode()) for row in accepted(edge_id, now)]
