"""The edge's SQLite store (peewee): what tablets sent, the sealed outbox, and alarms.

Plain payloads exist only between commit and sealing. Once sealed into a batch, a record
keeps only its id and metadata (so a re-sent record is recognised), and the batch can be
opened only by the hub. A delivered batch's envelope is deleted: its space is reclaimed.
"""

from __future__ import annotations

import functools
import logging
import sqlite3
import time
from pathlib import Path

import peewee as pw

from edge import migrations
from provisioning.files import private_database
from wire import schema
from wire.records import timestamp

log = logging.getLogger(__name__)

db = pw.DatabaseProxy()

PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": 2,  # FULL: a commit survives power loss before the tablet hears "ack"
    "foreign_keys": 1,
    "busy_timeout": 30_000,
}


def utcnow() -> str:
    return timestamp()


class BaseModel(pw.Model):
    class Meta:
        database = db


class Received(BaseModel):
    """One record a tablet sent, committed before the tablet was acknowledged."""

    id = pw.CharField(primary_key=True, max_length=36)  # the tablet's UUID: the dedupe key
    device = pw.CharField(max_length=63)
    seq = pw.BigIntegerField()
    kind = pw.CharField(max_length=40)
    priority = pw.SmallIntegerField()
    learner = pw.CharField(max_length=64)
    created = pw.CharField(max_length=40)
    received = pw.CharField(max_length=30)
    size = pw.IntegerField()
    body = pw.TextField(null=True)  # the record as JSON; NULL once sealed
    batch = pw.CharField(max_length=36, null=True, index=True)

    class Meta:
        indexes = (
            (("device", "seq"), False),
            (("batch", "priority", "received"), False),  # the uplink's cut: unsealed rows by class and age
        )


class OutBatch(BaseModel):
    """A sealed batch waiting for, or confirmed by, the hub's signed receipt."""

    id = pw.CharField(primary_key=True, max_length=36)
    seq = pw.BigIntegerField(unique=True)
    priority = pw.SmallIntegerField()
    count = pw.IntegerField()
    size = pw.IntegerField()
    digest = pw.CharField(max_length=64)
    envelope = pw.BlobField(null=True)  # NULL once delivered
    created = pw.CharField(max_length=30)
    state = pw.CharField(max_length=12, default="sealed", index=True)  # sealed | delivered
    attempts = pw.IntegerField(default=0)
    last_error = pw.TextField(null=True)
    delivered = pw.CharField(max_length=30, null=True)
    receipt = pw.TextField(null=True)


class Alarm(BaseModel):
    code = pw.CharField(max_length=40)
    message = pw.TextField()
    raised = pw.CharField(max_length=30)
    cleared = pw.CharField(max_length=30, null=True)


class Tablet(BaseModel):
    """A tablet enrolled at this edge: its current certificate, and whether it was cut off."""

    device = pw.CharField(primary_key=True, max_length=63)
    status = pw.CharField(max_length=12, default="active")  # active | revoked
    serial = pw.CharField(max_length=50, null=True)  # current certificate's serial (decimal text)
    not_after = pw.CharField(max_length=30, null=True)
    enrolled = pw.CharField(max_length=30)
    revoked = pw.CharField(max_length=30, null=True)
    learner = pw.CharField(max_length=64, null=True)  # the one learner it may send as (edge.intake.bindings); NULL: any


class TabletCert(BaseModel):
    """Every certificate issued to a tablet: the CRL lists those of revoked tablets until they expire."""

    serial = pw.CharField(primary_key=True, max_length=50)
    device = pw.CharField(max_length=63, index=True)
    not_after = pw.CharField(max_length=30)
    issued = pw.CharField(max_length=30)
    revoked = pw.CharField(max_length=30, null=True)


class EnrolmentCode(BaseModel):
    """A one-time code for enrolling one tablet. Only the SHA-256 of the code is kept."""

    digest = pw.CharField(primary_key=True, max_length=64)
    device = pw.CharField(max_length=63)
    expires = pw.CharField(max_length=30)
    created = pw.CharField(max_length=30)
    used = pw.CharField(max_length=30, null=True)
    learner = pw.CharField(max_length=64, null=True)  # bind the tablet to this learner when redeemed


class Setting(BaseModel):
    """Small counters and facts the edge keeps between runs (e.g. the CRL number)."""

    key = pw.CharField(primary_key=True, max_length=40)
    value = pw.TextField()


MODELS = (Received, OutBatch, Alarm, Tablet, TabletCert, EnrolmentCode, Setting)


def open_store(path: str, migrate: bool = True) -> pw.SqliteDatabase:
    """Open the store at path and bind the models to it for this process. A store that does not exist, or
    has no tables yet, is created at this code's schema version.

    An existing store behind this code is migrated (one line per migration in the log) unless migrate=False,
    which every process but `edge run` passes (the console, the CLI): they refuse it (wire.schema.SchemaBehind,
    saying to run `throughgate edge migrate`) rather than change it. So during an upgrade nothing but the new
    edge service changes the store an old edge may still be writing to, and looking at a store never makes it
    too new for the release it came from. A store newer than this code is refused
    either way (wire.schema.SchemaTooNew) and left as it is."""
    private_database(path)
    database = pw.SqliteDatabase(path, pragmas=PRAGMAS, timeout=30, check_same_thread=False)
    db.initialize(database)
    the_schema = migrations.edge_schema(path)
    _connect(database)
    with database.connection_context():
        target = schema.PeeweeTarget(database)
        if migrate or not schema.tables(target):
            schema.migrate(database, the_schema, log.info)
        else:
            schema.check_current(database, the_schema, f"Run `throughgate edge migrate --instance "
                                 f"{Path(path).parent}` first (starting the edge applies them too).")
    database.connect(reuse_if_open=True)
    return database


def _connect(database: pw.SqliteDatabase, tries: int = 100) -> None:
    """Connect (applying PRAGMAS), retrying while another process turns a new store's journal into WAL:
    SQLite answers 'database is locked' at once there, without waiting its busy timeout."""
    for attempt in range(1, tries + 1):
        try:
            database.connect(reuse_if_open=True)
            return
        except pw.OperationalError as exc:
            if "locked" not in str(exc) or attempt == tries:
                raise
            time.sleep(0.05)


def migrate_store(path: str, say=lambda line: None, dry_run: bool = False) -> schema.Plan:
    """Bring the store at path to this code's schema version, `say`ing one line per migration applied,
    without binding the models (`throughgate edge migrate`). dry_run: only the plan; nothing is written,
    and a store that does not exist is not created. Raises wire.schema.SchemaTooNew for a newer store."""
    the_schema = migrations.edge_schema(path)
    if dry_run:
        connection = sqlite3.connect(path if Path(path).exists() else ":memory:", timeout=30)
        try:
            return schema.migrate(connection, the_schema, dry_run=True)
        finally:
            connection.close()
    database = pw.SqliteDatabase(path, pragmas=PRAGMAS, timeout=30)
    _connect(database)
    try:
        return schema.migrate(database, the_schema, say)
    finally:
        database.close()


def writing():
    """A write transaction that takes the lock up front (BEGIN IMMEDIATE), so a transaction that
    reads before it writes waits for another writer instead of failing with 'database is locked'."""
    return db.atomic(lock_type="IMMEDIATE")


# Queries the relay, the uplink and the console share -------------------------

RECEIVED_COLUMNS = ("id", "device", "seq", "kind", "priority", "learner", "created", "received", "size", "body")


@functools.cache
def _insert_received_sql() -> str:
    table = Received._meta.table_name
    columns = ", ".join(Received._meta.fields[name].column_name for name in RECEIVED_COLUMNS)
    marks = ", ".join("?" * len(RECEIVED_COLUMNS))
    return f'INSERT INTO "{table}" ({columns}) VALUES ({marks}) ON CONFLICT DO NOTHING'  # noqa: S608 (model names)


def insert_received(rows: list[dict]) -> None:
    """Insert new records, skipping ids already stored. Call inside writing().

    peewee's insert_many spent ~60 µs a row building SQL (30 of the 45 ms that committing 500 rows
    took here), so the statement is built once from the model and run with executemany on peewee's
    own connection, inside peewee's transaction.
    """
    db.connection().executemany(_insert_received_sql(), [tuple(row[n] for n in RECEIVED_COLUMNS) for row in rows])


def highest_seqs() -> dict[str, int]:
    query = Received.select(Received.device, pw.fn.MAX(Received.seq).alias("top")).group_by(Received.device)
    return {row.device: row.top for row in query}


def known_ids(ids: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        found.update(r.id for r in Received.select(Received.id).where(Received.id.in_(chunk)))
    return found


def outbox_bytes() -> int:
    """Bytes held for the hub: plain records not yet sealed, plus sealed batches not yet delivered."""
    plain = Received.select(pw.fn.COALESCE(pw.fn.SUM(Received.size), 0)).where(Received.batch.is_null())
    sealed = OutBatch.select(pw.fn.COALESCE(pw.fn.SUM(OutBatch.size), 0)).where(OutBatch.state == "sealed")
    return int(plain.scalar()) + int(sealed.scalar())


def prune(older_than: str) -> tuple[int, int]:
    """Forget delivered batches, and the ids of their records, delivered before `older_than`.

    Until then a resent record is recognised and acked without being stored again; after, the
    hub's unique key still stores it only once.
    """
    old = OutBatch.select(OutBatch.id).where(OutBatch.state == "delivered", OutBatch.delivered < older_than)
    with writing():
        records = Received.delete().where(Received.batch.in_(old)).execute()
        batches = (OutBatch.delete()
                   .where(OutBatch.state == "delivered", OutBatch.delivered < older_than).execute())
    return records, batches


def raise_alarm(code: str, message: str) -> bool:
    """Raise an alarm unless one with this code is already open. True when newly raised."""
    if Alarm.select().where(Alarm.code == code, Alarm.cleared.is_null()).exists():
        return False
    Alarm.create(code=code, message=message, raised=utcnow())
    return True


def clear_alarm(code: str) -> int:
    return Alarm.update(cleared=utcnow()).where(Alarm.code == code, Alarm.cleared.is_null()).execute()


def open_alarms() -> list[Alarm]:
    return list(Alarm.select().where(Alarm.cleared.is_null()).order_by(Alarm.id))


def status() -> dict:
    """Counts a person checks: what arrived, what waits, what the hub has confirmed."""
    sealed = OutBatch.select().where(OutBatch.state == "sealed")
    last = (OutBatch.select(pw.fn.MAX(OutBatch.delivered)).where(OutBatch.state == "delivered").scalar())
    return {
        "received": Received.select().count(),
        "unsealed": Received.select().where(Received.batch.is_null()).count(),
        "batches_waiting": sealed.count(),
        "records_waiting": int(sealed.select(pw.fn.COALESCE(pw.fn.SUM(OutBatch.count), 0)).scalar()),
        "batches_delivered": OutBatch.select().where(OutBatch.state == "delivered").count(),
        "last_delivery": last,
        "outbox_bytes": outbox_bytes(),
        "alarms": [f"{a.code}: {a.message}" for a in open_alarms()],
    }
