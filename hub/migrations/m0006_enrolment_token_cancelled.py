"""Enrolment tokens gain cancelled_at: an admin may cancel one not yet used."""

# `hub tokens cancel`, the admin console, POST /v1/admin/enrolment-tokens/<token_id>/cancel.
# One nullable column: every existing token keeps its state (unused, used, expired), none is cancelled.
# Added only where missing: a hub whose tables an unversioned release made with create_tables may have it.

from wire import schema


def up(db):
    if "cancelled_at" not in schema.columns(db, "enrolment_token"):
        db.execute('ALTER TABLE "enrolment_token" ADD COLUMN "cancelled_at" VARCHAR(40)')
