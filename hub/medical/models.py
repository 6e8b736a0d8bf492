"""A person's health records at the hub, sealed with a key of their own, every read of them, the shares
the person makes, and their choice to carry a summary at all (migration m0017).

Nothing here holds health data in clear: health_record.sealed is AES-256-GCM under the person's data
key, and that key is kept only wrapped by a hub key (hub/medical/keys.py). Deleting a person's
health_key row erases every record sealed with it, wherever copies of the rows went (backups included).
"""

from __future__ import annotations

import peewee

from hub.models import BaseModel
from hub.people.models import Person

SUMMARY, APPOINTMENTS = "summary", "appointments"
RECORD_KINDS = (SUMMARY, APPOINTMENTS)
"""A summary is one IPS bundle; `appointments` is a bundle of FHIR Appointments (health appointments,
which stay health data: they never go into the probation appointments table)."""
VIAS = ("console", "api", "cli", "phone", "share")
"""How a read (or an upload) reached the hub: the workers' console, the health API, the hub's own
command line, the person's phone, a share link opened by a clinician."""


def _one_of(column: str, values: tuple[str, ...]) -> peewee.Check:
    return peewee.Check(f"{column} IN ({', '.join(repr(value) for value in values)})")


class HealthKey(BaseModel):
    """The person's data key (32 random bytes), wrapped with AES-256-GCM by hub key `kek_id`."""

    person = peewee.ForeignKeyField(Person, primary_key=True, on_delete="RESTRICT", column_name="person_id")
    wrapped = peewee.BlobField()
    """12-byte nonce, then the data key sealed with the person's id as associated data."""
    kek_id = peewee.IntegerField()
    created_at = peewee.CharField(max_length=40)

    class Meta:
        table_name = "health_key"


class HealthRecord(BaseModel):
    """One upload, sealed. The newest summary of a person that is not superseded is their summary."""

    record_id = peewee.CharField(max_length=36, primary_key=True)
    person = peewee.ForeignKeyField(Person, on_delete="RESTRICT", column_name="person_id")
    kind = peewee.CharField(max_length=16, constraints=[_one_of("kind", RECORD_KINDS)])
    sealed = peewee.BlobField()
    """12-byte nonce, then AES-256-GCM of the zstd-compressed canonical JSON, with the record id, person
    id and kind as associated data."""
    digest = peewee.CharField(max_length=64)
    """HMAC-SHA256 of the canonical JSON under the person's data key: the same bundle uploaded again is
    stored once, and the digest means nothing once the key is gone."""
    resources = peewee.IntegerField()
    uploaded_at = peewee.CharField(max_length=40)
    uploaded_by = peewee.CharField(max_length=80)
    uploaded_role = peewee.CharField(max_length=32)
    via = peewee.CharField(max_length=8, constraints=[_one_of("via", VIAS)])
    superseded_at = peewee.CharField(max_length=40, null=True)
    keep_until = peewee.CharField(max_length=40)
    """When the retention job (hub/medical/retention.py) deletes it; later uploads move it."""

    class Meta:
        table_name = "health_record"
        indexes = ((("person", "kind", "uploaded_at"), False), (("person", "digest"), False))


class HealthRead(BaseModel):
    """Someone read (or downloaded) a person's health record: who, in what role, why, how, when. Only
    appended to; the person sees every row on their phone."""

    id = peewee.AutoField()
    person = peewee.ForeignKeyField(Person, on_delete="RESTRICT", column_name="person_id", index=False)
    who = peewee.CharField(max_length=80)
    """A worker's or admin token's name, `person` (their own phone), `share:<first 8 of its id>`, `cli:<user>`."""
    role = peewee.CharField(max_length=32)
    purpose = peewee.CharField(max_length=200)
    via = peewee.CharField(max_length=8, constraints=[_one_of("via", VIAS)])
    what = peewee.CharField(max_length=40)
    """summary, bundle, printable, appointments, existence."""
    record = peewee.CharField(max_length=36, null=True)
    at = peewee.CharField(max_length=40)

    class Meta:
        table_name = "health_read"
        indexes = ((("person", "id"), False),)


class HealthShare(BaseModel):
    """A time-limited link the person made for a GP or pharmacy: only the SHA-256 of its secret is kept."""

    share_id = peewee.CharField(max_length=36, primary_key=True)
    person = peewee.ForeignKeyField(Person, on_delete="RESTRICT", column_name="person_id")
    token_sha256 = peewee.CharField(max_length=64, unique=True)
    made_for = peewee.CharField(max_length=100)
    """What the person typed: 'new GP', 'Boots, Queen St'. Shown to them, never to the clinician."""
    created_at = peewee.CharField(max_length=40)
    expires_at = peewee.CharField(max_length=40)
    revoked_at = peewee.CharField(max_length=40, null=True)
    uses = peewee.IntegerField(default=0, constraints=[peewee.SQL("DEFAULT 0")])

    class Meta:
        table_name = "health_share"


class HealthWorkerShare(BaseModel):
    """The person lets one of their own workers (an offender manager, say) read their summary."""

    person = peewee.ForeignKeyField(Person, on_delete="RESTRICT", column_name="person_id")
    worker = peewee.CharField(max_length=64)
    shared_at = peewee.CharField(max_length=40)

    class Meta:
        table_name = "health_worker_share"
        primary_key = peewee.CompositeKey("person", "worker")


class HealthChoice(BaseModel):
    """Whether the person carries a health summary at all. No row: they have not said no (health care
    staff ask them before the first upload). `carried` false: nothing is kept or uploaded for them."""

    person = peewee.ForeignKeyField(Person, primary_key=True, on_delete="RESTRICT", column_name="person_id")
    carried = peewee.BooleanField()
    changed_at = peewee.CharField(max_length=40)
    changed_by = peewee.CharField(max_length=80)

    class Meta:
        table_name = "health_choice"


MODELS = [HealthKey, HealthRecord, HealthRead, HealthShare, HealthWorkerShare, HealthChoice]
