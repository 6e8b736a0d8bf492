"""The hub's database: SQLite (default) or PostgreSQL, chosen by DATABASE_URL.

The models bind to one module-level proxy, so one process serves one hub database at a time.
"""

from __future__ import annotations

from contextlib import contextmanager

import peewee
from playhouse.db_url import connect

proxy = peewee.DatabaseProxy()

SQLITE_PRAGMAS = {"journal_mode": "wal", "synchronous": "full", "foreign_keys": 1}
WRITE_LOCK_ID = 0x7467_6875_6201
"""PostgreSQL advisory lock taken by every batch write, so records commit in arrival order."""


def open_database(url: str) -> peewee.Database:
    """A peewee Database for the URL, not yet connected."""
    if url.startswith("sqlite"):
        # IMMEDIATE: a writer takes the lock at BEGIN, so it waits (timeout) instead of failing
        # when another writer committed between its read and its write.
        return connect(url, pragmas=SQLITE_PRAGMAS, timeout=30, lock_type="IMMEDIATE")
    return connect(url)


def bind(url: str) -> peewee.Database:
    database = open_database(url)
    proxy.initialize(database)
    return database


def init_app(app) -> None:
    """Bind the models to the app's database and connect for each request only."""
    bind(app.config["DATABASE_URL"])

    @app.before_request
    def _connect():
        proxy.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(_exc):
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


def create_tables() -> None:
    from hub.attachments.service import MODELS as ATTACHMENT_MODELS
    from hub.courses.models import COURSE_MODELS
    from hub.lrs.models import MODELS as LRS_MODELS
    from hub.models import MODELS

    with proxy.connection_context():
        proxy.create_tables([*MODELS, *LRS_MODELS, *COURSE_MODELS], safe=True)
        proxy.create_tables(ATTACHMENT_MODELS, safe=True)


@contextmanager
def connected():
    """For commands run outside a request (the CLI)."""
    with proxy.connection_context():
        yield
