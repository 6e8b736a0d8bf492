"""A fresh, uniquely named PostgreSQL database for one run, dropped afterwards."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql


@contextlib.contextmanager
def temporary_database(admin_url: str) -> Iterator[str | None]:
    """Yield the URL of a new database on admin_url's server, or None if the server does not answer."""
    try:
        admin = psycopg2.connect(admin_url, connect_timeout=5)
    except psycopg2.OperationalError:
        yield None
        return
    admin.autocommit = True
    name = f"throughgate_bench_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))
        finally:
            with admin.cursor() as cursor:
                cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    finally:
        admin.close()
