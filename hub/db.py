"""The hub's database: SQLite (default) or PostgreSQL, chosen by DATABASE_URL.

The models bind to one module-level proxy, so one process serves one hub database at a time.
Its schema comes from the numbered migrations in hub/migrations (wire.schema): `throughgate hub run`
and `throughgate hub migrate` apply them (`migrate`); every other command refuses a database that is
not at this code's version (`connected`); create_app never touches the schema.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from urllib.parse import parse_qsl, urlsplit

import peewee
from playhouse.db_url import connect

from provisioning.files import private_database
from wire import schema

proxy = peewee.DatabaseProxy()
_bound_url: str | None = None

SQLITE_PRAGMAS = {"journal_mode": "wal", "synchronous": "full", "foreign_keys": 1}
WRITE_LOCK_ID = 0x7467_6875_6201
"""PostgreSQL advisory lock taken by every batch write, so records commit in arrival order."""


def open_database(url: str) -> peewee.Database:
    """A peewee Database for the URL, not yet connected."""
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///"):
            private_database(url.removeprefix("sqlite:///").partition("?")[0])
        # IMMEDIATE: a writer takes the lock at BEGIN, so it waits (timeout) instead of failing
        # when another writer committed between its read and its write.
        return connect(url, pragmas=SQLITE_PRAGMAS, timeout=30, lock_type="IMMEDIATE")
    return connect(url)


def bind(url: str) -> peewee.Database:
    global _bound_url
    database = open_database(url)
    proxy.initialize(database)
    _bound_url = url
    return database


def redact(url: str) -> str:
    """A database URL fit to print or log: no password, whether in the user part or in the query
    (`?password=…`, which the driver takes too), and no other query parameter's value."""
    base, marked, query = url.partition("?")
    password = urlsplit(base).password
    if password is not None:
        base = base.replace(f":{password}@", ":***@", 1)
    if marked:
        base += "?" + "&".join(f"{name}=***" for name, _value in parse_qsl(query, keep_blank_values=True))
    return base


def init_app(app) -> None:
    """Bind the models to the app's database. A request connects at its first query (peewee's
    autoconnect) and closes at its end: a client still sending its body, however slowly, holds no
    database connection. Before, the connection opened before the body was read: 60 strangers
    trickling the body of POST /v1/enrol held 60 PostgreSQL connections, and with the server's
    max_connections reached every edge got 503 database_unavailable."""
    bind(app.config["DATABASE_URL"])

    @app.teardown_request
    def _close(_exc):
        if not proxy.is_closed():
            proxy.close()


def release() -> None:
    """Close this thread's connection now (the next query opens one again)."""
    if not proxy.is_closed():
        proxy.close()


def is_postgres() -> bool:
    return isinstance(proxy.obj, peewee.PostgresqlDatabase)


@contextmanager
def write_transaction():
    """One transaction for a batch; on PostgreSQL also serialised, so cursors never skip rows."""
    with proxy.atomic():
        if is_postgres():
            proxy.execute_sql("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_ID,))
        yield


def all_models() -> list[type[peewee.Model]]:
    """Every model of the hub: what the migrations must create (the migrations test compares)."""
    from hub.admins.models import MODELS as ADMIN_MODELS
    from hub.appointments.models import MODELS as APPOINTMENT_MODELS
    from hub.approvals.models import MODELS as APPROVAL_MODELS
    from hub.attachments.models import MODELS as ATTACHMENT_MODELS
    from hub.audit.models import MODELS as AUDIT_MODELS
    from hub.checkins.models import MODELS as CHECKIN_MODELS
    from hub.courses.models import COURSE_MODELS
    from hub.employment.models import MODELS as EMPLOYMENT_MODELS
    from hub.fleet.models import MODELS as FLEET_MODELS
    from hub.forms.models import MODELS as FORM_MODELS
    from hub.forms.models import REFUSAL_MODELS as FORM_REFUSAL_MODELS
    from hub.lrs.models import MODELS as LRS_MODELS
    from hub.medical.models import MODELS as MEDICAL_MODELS
    from hub.models import MODELS
    from hub.people.models import MODELS as PEOPLE_MODELS
    from hub.phones.models import MODELS as PHONE_MODELS
    from hub.plans.models import MODELS as PLAN_MODELS
    from hub.push.models import MODELS as PUSH_MODELS
    from hub.staff.models import MODELS as STAFF_MODELS
    from hub.sync.models import MODELS as SYNC_MODELS
    from hub.teams.models import MODELS as TEAM_MODELS
    from hub.workers.models import MODELS as WORKER_MODELS

    return [*MODELS, *LRS_MODELS, *COURSE_MODELS, *ATTACHMENT_MODELS, *ADMIN_MODELS, *APPROVAL_MODELS,
            *AUDIT_MODELS, *FLEET_MODELS, *STAFF_MODELS, *PEOPLE_MODELS,
            *PHONE_MODELS, *SYNC_MODELS, *WORKER_MODELS, *APPOINTMENT_MODELS, *TEAM_MODELS, *PLAN_MODELS,
            *PUSH_MODELS, *MEDICAL_MODELS, *FORM_MODELS, *CHECKIN_MODELS, *EMPLOYMENT_MODELS,
            *FORM_REFUSAL_MODELS]


def hub_schema() -> schema.Schema:
    """The bound database's Schema: its title names the database (without a password); the
    migrations are read from hub/migrations each time. Unversioned hubs are adopted at version 0
    (m0001 creates only what is missing)."""
    title = f"hub database {redact(_bound_url or '(not bound)')}"
    return schema.Schema(title, schema.load("hub.migrations"), adopt=lambda db: 0)


def migrate(say: Callable[[str], None] = lambda line: None, dry_run: bool = False) -> schema.Plan:
    """Bring the bound database to this code's schema version (or, dry_run, only say how).
    Raises wire.schema.SchemaTooNew, changing nothing, for a database a newer release wrote."""
    return schema.migrate(proxy.obj, hub_schema(), say, dry_run)


def require_current() -> None:
    """Refuse (wire.schema.SchemaError) a database not at this code's version, saying what to run."""
    schema.check_current(proxy.obj, hub_schema(), "Run `throughgate hub migrate` (with this hub's --instance) "
                         "first, or restart `throughgate hub run`, which migrates at start.")


@contextmanager
def connected():
    """For commands run outside a request (the CLI): refuses a database not at this code's version."""
    require_current()
    with proxy.connection_context():
        yield
