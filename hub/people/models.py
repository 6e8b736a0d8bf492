"""A person, the learner ids they had at each prison, and their one-time activation codes."""

from __future__ import annotations

import peewee

from hub.models import BaseModel

IN_CUSTODY, RELEASED = "in_custody", "released"


class Person(BaseModel):
    person_id = peewee.CharField(max_length=16, primary_key=True)
    """Pseudonymous: `P-` and 8 Crockford characters; it says nothing about who the person is."""
    status = peewee.CharField(max_length=16, default=IN_CUSTODY,
                              constraints=[peewee.Check(f"status IN ('{IN_CUSTODY}', '{RELEASED}')")])
    release_date = peewee.CharField(max_length=10, null=True)
    """The planned release date (YYYY-MM-DD), before release."""
    released_at = peewee.CharField(max_length=40, null=True)
    created_at = peewee.CharField(max_length=40)
    created_by = peewee.CharField(max_length=80)


class PersonLearner(BaseModel):
    """A learner id the person had at one prison's edge; a transfer adds one at the new prison."""

    edge_id = peewee.CharField(max_length=64)
    learner = peewee.CharField(max_length=64)
    person = peewee.ForeignKeyField(Person, backref="learners", on_delete="RESTRICT", column_name="person_id")
    linked_at = peewee.CharField(max_length=40)

    class Meta:
        table_name = "person_learner"
        primary_key = peewee.CompositeKey("edge_id", "learner")


class ActivationCode(BaseModel):
    """A one-time code that lets a phone register its key for the person (the release letter's QR)."""

    code_sha256 = peewee.CharField(max_length=64, primary_key=True)
    person = peewee.ForeignKeyField(Person, backref="codes", on_delete="RESTRICT", column_name="person_id")
    issued_at = peewee.CharField(max_length=40)
    issued_by = peewee.CharField(max_length=80)
    expires_at = peewee.CharField(max_length=40)
    used_at = peewee.CharField(max_length=40, null=True)
    withdrawn_at = peewee.CharField(max_length=40, null=True)
    """A newer code was issued, or the worker withdrew it."""
    code_id = peewee.CharField(max_length=4, null=True, index=True)
    """The code's first 4 characters, its public lookup part (provisioning.tokens.code_id): wrong codes
    starting with them count against it. NULL for codes made before m0016 and by older edges: no count."""
    wrong_tries = peewee.IntegerField(default=0, constraints=[peewee.SQL("DEFAULT 0")])
    """Wrong codes tried with this code's id while it worked; at MAX_CODE_TRIES it is withdrawn."""

    class Meta:
        table_name = "activation_code"


class Transfer(BaseModel):
    """The person moved to another prison, as `learner` at `edge_id`: what they did at earlier prisons goes to that
    edge (GET /v1/edge/transfers), which says when it has imported it (delivered_at)."""

    transfer_id = peewee.CharField(max_length=36, primary_key=True)
    person = peewee.ForeignKeyField(Person, backref="transfers", on_delete="RESTRICT", column_name="person_id")
    edge_id = peewee.CharField(max_length=64)
    learner = peewee.CharField(max_length=64)
    requested_at = peewee.CharField(max_length=40)
    requested_by = peewee.CharField(max_length=80)
    delivered_at = peewee.CharField(max_length=40, null=True)
    records = peewee.IntegerField(null=True)
    """How many records the edge imported."""

    class Meta:
        table_name = "transfer"
        indexes = ((("edge_id", "learner"), True), (("edge_id", "delivered_at"), False))


MODELS = [Person, PersonLearner, ActivationCode, Transfer]
