"""Activation codes gain their public lookup part and a count of wrong tries: limited per code, not only per address."""

# activation_code.code_id is the code's first 4 characters (not secret) and wrong_tries counts the wrong
# codes tried with that code id while the code worked (hub/people/service.py); at MAX_CODE_TRIES the
# code is withdrawn. Existing codes get no code id (NULL: limited per address only, as before) and 0
# wrong tries; they expire within 28 days anyway. Added only where missing.

from wire import schema


def up(db):
    columns = schema.columns(db, "activation_code")
    if "code_id" not in columns:
        db.execute('ALTER TABLE "activation_code" ADD COLUMN "code_id" VARCHAR(4)')
    if "wrong_tries" not in columns:
        db.execute('ALTER TABLE "activation_code" ADD COLUMN "wrong_tries" INTEGER NOT NULL DEFAULT 0')
    db.execute('CREATE INDEX IF NOT EXISTS "activationcode_code_id" ON "activation_code" ("code_id")')
