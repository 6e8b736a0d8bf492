"""Admin API tokens: each for one admin name and one role, expiring. Only the SHA-256 of the secret is kept."""

from __future__ import annotations

import peewee

from hub.models import BaseModel


class AdminToken(BaseModel):
    token_id = peewee.CharField(max_length=16, primary_key=True)
    """Public part of the token (`tga1.<token_id>.<secret>`): what `admins token revoke` names."""
    name = peewee.CharField(max_length=64, index=True)
    """The admin it belongs to: two requests by the same name are one admin (hub/approvals)."""
    role = peewee.CharField(max_length=16)
    secret_sha256 = peewee.CharField(max_length=64)
    created_at = peewee.CharField(max_length=40)
    created_by = peewee.CharField(max_length=80)
    expires_at = peewee.CharField(max_length=40)
    revoked_at = peewee.CharField(max_length=40, null=True)

    class Meta:
        table_name = "admin_token"


MODELS = [AdminToken]
