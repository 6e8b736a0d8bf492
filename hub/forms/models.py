"""Published form versions, the submissions people's phones sent, and the files they carry (migration
m0019). A submission's values are personal data: every worker's read of them is recorded (person_read)."""

from __future__ import annotations

import peewee

from hub.models import BaseModel
from hub.people.models import Person


class FormVersion(BaseModel):
    """One version of a form, as published: its XForm (pyxform's) and the field list (JSON) the app renders
    from. A version never changes: the same version again with other content is refused."""

    form_id = peewee.CharField(max_length=64)
    version = peewee.CharField(max_length=64)
    title = peewee.CharField(max_length=200)
    digest = peewee.CharField(max_length=64)
    """SHA-256 of the XForm and the field list: what 'the same content' means."""
    xform = peewee.TextField()
    fields = peewee.TextField()
    """JSON: hub/forms/xlsform.py Definition.document()."""
    published_at = peewee.CharField(max_length=40)
    published_by = peewee.CharField(max_length=80)

    class Meta:
        table_name = "form_version"
        primary_key = peewee.CompositeKey("form_id", "version")


class FormSubmission(BaseModel):
    """A filled form from a person's phone; its id is the phone's change id (a UUID), so the same
    submission sent again is stored once."""

    submission_id = peewee.CharField(max_length=64, primary_key=True)
    person = peewee.ForeignKeyField(Person, on_delete="RESTRICT", column_name="person_id", index=False)
    form_id = peewee.CharField(max_length=64)
    version = peewee.CharField(max_length=64)
    values = peewee.TextField()
    """JSON: field path -> value (hub/forms/fields.py)."""
    flags = peewee.TextField()
    """JSON: field path -> what is doubtful about its value (a poor GPS fix, a mock location)."""
    filled_at = peewee.CharField(max_length=40)
    """The phone's clock when the person sent it."""
    received_at = peewee.CharField(max_length=40)

    class Meta:
        table_name = "form_submission"
        indexes = ((("form_id", "received_at"), False), (("person", "received_at"), False))


class FormAttachment(BaseModel):
    """A photo, signature or voice note a submission carries, uploaded first by the phone (hub/sync/uploads.py)."""

    submission = peewee.ForeignKeyField(FormSubmission, on_delete="RESTRICT", column_name="submission_id",
                                        index=False)
    path = peewee.CharField(max_length=200)
    sha256 = peewee.CharField(max_length=64)
    media_type = peewee.CharField(max_length=40)
    bytes = peewee.BigIntegerField()

    class Meta:
        table_name = "form_attachment"
        primary_key = peewee.CompositeKey("submission", "path")
        indexes = ((("sha256",), False),)


MODELS = [FormVersion, FormSubmission, FormAttachment]


class FormRefusal(BaseModel):
    """A tablet's submission the hub refused (hub/forms/from_edges.py, migration m0022), kept until the edge that
    sent it has taken it back to the tablet and to prison staff (GET /v1/edge/forms, then POST
    /v1/edge/forms/refusals/ack): its id is the record's, so a record refused again is kept once."""

    record_id = peewee.CharField(max_length=36, primary_key=True)
    edge_id = peewee.CharField(max_length=64)
    device = peewee.CharField(max_length=64)
    learner = peewee.CharField(max_length=64)
    form_id = peewee.CharField(max_length=64)
    version = peewee.CharField(max_length=64)
    code = peewee.CharField(max_length=40)
    reason = peewee.TextField()
    """What is wrong, naming the field (hub/forms/fields.py's words)."""
    refused_at = peewee.CharField(max_length=40)
    acked_at = peewee.CharField(max_length=40, null=True)
    """When the edge said it had kept it (None: sent again at its next forms pull)."""

    class Meta:
        table_name = "form_refusal"
        indexes = ((("edge_id", "acked_at"), False),)


REFUSAL_MODELS = [FormRefusal]
"""Migration m0022's (MODELS are m0019's)."""
