"""The console accounts, their sessions and failed logins. Secrets are never stored as given: a
password as its argon2id hash, the setup code and the session id as SHA-256, the TOTP secret sealed."""

from __future__ import annotations

import peewee

from hub.models import BaseModel


class StaffAccount(BaseModel):
    name = peewee.CharField(max_length=64, primary_key=True)
    """Lower case; the same name as the person's admin API tokens (hub/admins/tokens.py), if any."""
    console = peewee.CharField(max_length=16)
    """admin | worker"""
    role = peewee.CharField(max_length=32)
    display_name = peewee.CharField(max_length=120)
    team = peewee.CharField(max_length=64, null=True)
    password_hash = peewee.TextField(null=True)
    totp_sealed = peewee.TextField(null=True)
    """The authenticator's secret, sealed (hub/staff/secrets.py); None until set up."""
    totp_pending = peewee.TextField(null=True)
    """A secret shown during setup, sealed, until a code from it proves the app holds it."""
    totp_last_step = peewee.BigIntegerField(default=0)
    """The last 30-second step whose code was used: a code works once."""
    setup_sha256 = peewee.CharField(max_length=64, null=True)
    setup_expires_at = peewee.CharField(max_length=40, null=True)
    created_at = peewee.CharField(max_length=40)
    created_by = peewee.CharField(max_length=80)
    disabled_at = peewee.CharField(max_length=40, null=True)

    class Meta:
        table_name = "staff_account"


class StaffSession(BaseModel):
    id_sha256 = peewee.CharField(max_length=64, primary_key=True)
    """SHA-256 of the random id in the browser's cookie."""
    name = peewee.CharField(max_length=64, index=True)
    stage = peewee.CharField(max_length=16)
    """password (the second factor is still to come) | setup (setting up the authenticator) | full"""
    csrf = peewee.CharField(max_length=64)
    address = peewee.CharField(max_length=64)
    created_at = peewee.CharField(max_length=40)
    last_seen_at = peewee.CharField(max_length=40)
    expires_at = peewee.CharField(max_length=40)
    ended_at = peewee.CharField(max_length=40, null=True)

    class Meta:
        table_name = "staff_session"


class StaffLoginFailure(BaseModel):
    key = peewee.CharField(max_length=100, index=True)
    at = peewee.DoubleField()

    class Meta:
        table_name = "staff_login_failure"


MODELS = [StaffAccount, StaffSession, StaffLoginFailure]
