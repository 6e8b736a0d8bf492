"""The hub.toml admin token of earlier releases (ADMIN_TOKEN_SHA256): it keeps working, with the role
ADMIN_TOKEN_ROLE, for ADMIN_TOKEN_DAYS after this hub was upgraded to admin roles (when migration
0003 was applied, as schema_version records it), then it is refused, saying what to run.
"""

from __future__ import annotations

import datetime as dt

import peewee

from hub.db import proxy
from wire.records import parse_timestamp, timestamp

MIGRATION = "admin_tokens_approvals_audit"
NAME = "hub.toml"
"""The name the audit trail and the approvals give this token's holder."""
_VERSIONS = peewee.Table("schema_version")


def expires_at(days: int) -> str | None:
    """When the hub.toml token stops working; None on a database not yet at migration 0003."""
    row = _VERSIONS.bind(proxy).select(_VERSIONS.c.applied).where(_VERSIONS.c.name == MIGRATION).first()
    if row is None:
        return None
    return timestamp(parse_timestamp(row["applied"]) + dt.timedelta(days=days))


def expired_reason(expired: str, instance: str) -> str:
    return (f"the hub.toml admin token (ADMIN_TOKEN_SHA256) stopped working at {expired}: each admin now has "
            f"their own token with a role; on the hub run `throughgate hub admins token create NAME --role "
            f"fleet|content|security|auditor --days N --instance {instance}`, use what it prints, and remove "
            "ADMIN_TOKEN_SHA256 from hub.toml")


def warning(expires: str) -> str:
    return (f"the hub.toml admin token (ADMIN_TOKEN_SHA256) stops working at {expires}: make each admin a token "
            "with a role (`throughgate hub admins token create NAME --role ROLE --days N`) and remove "
            "ADMIN_TOKEN_SHA256 from hub.toml")
