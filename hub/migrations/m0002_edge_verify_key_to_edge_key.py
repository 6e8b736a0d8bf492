"""An edge table from before mutual TLS (verify_key_pem) is rebuilt to today's; each key moves to edge_key."""

# Hubs made by the first release (before edges enrolled with tokens and certificates) have an `edge`
# table with a required verify_key_pem and none of enrolled_at, tablet_ca_pem, tablet_ca_sha256 and
# dns_names; later releases kept that table as it was (create_tables never changes one), so every new
# enrolment failed on the missing columns. On any other hub this step changes nothing.
#
# What an old edge becomes (docs/hub.md, "Hubs from before enrolment"): it stays, with its status,
# its records and batches; enrolled_at is its registered_at; it has no tablet CA ('' and '[]') and no
# certificate, so it cannot call the hub until it enrols with a one-time token (same id, when the id
# is a DNS label); its verify key becomes its current signing key in edge_key, so batches it signed
# stay attributable and are accepted until EDGE_KEY_GRACE_DAYS after it enrols with a new key.
#
# SQLite: the usual rebuild (new table, copy, drop the old, rename) with foreign keys off (the runner's).
# PostgreSQL: the old table is renamed, today's is created under the old name, the foreign keys that
# pointed at the old one are made again with their own names and definitions, and the old one dropped.

import base64
import binascii
import hashlib
import re

from wire import schema

OLD = "edge_before_trust"
COLUMNS = {  # today's column: what an old row gives it when the old table lacks it
    "edge_id": None, "status": None, "registered_at": None, "enrolled_at": "registered_at",
    "revoked_at": "NULL", "tablet_ca_pem": "''", "tablet_ca_sha256": "''", "dns_names": "'[]'",
}
TODAY = ("CREATE TABLE \"{name}\" (\"edge_id\" VARCHAR(64) NOT NULL PRIMARY KEY, \"status\" VARCHAR(16) NOT NULL "
         "CHECK (status IN ('active', 'revoked')), \"registered_at\" VARCHAR(40) NOT NULL, \"enrolled_at\" "
         "VARCHAR(40) NOT NULL, \"revoked_at\" VARCHAR(40), \"tablet_ca_pem\" TEXT NOT NULL, \"tablet_ca_sha256\" "
         "VARCHAR(64) NOT NULL, \"dns_names\" TEXT NOT NULL)")
PEM_BODY = re.compile(r"-----BEGIN PUBLIC KEY-----(.*?)-----END PUBLIC KEY-----", re.S)


def key_id(pem: str) -> str:
    """wire.keys.key_id of the key: the first 16 hex digits of SHA-256 over its SubjectPublicKeyInfo
    (the DER inside a PUBLIC KEY PEM). Written out here so this step never changes with wire/."""
    match = PEM_BODY.search(pem)
    try:
        der = base64.b64decode("".join(match[1].split()), validate=True) if match else pem.encode()
    except binascii.Error:
        der = pem.encode()
    return hashlib.sha256(der).hexdigest()[:16]


def up(db):
    if "verify_key_pem" not in schema.columns(db, "edge"):
        return
    old = schema.columns(db, "edge")
    keys = db.execute('SELECT edge_id, verify_key_pem, registered_at FROM "edge" ORDER BY edge_id')
    (_rebuild_sqlite if db.dialect == "sqlite" else _rebuild_postgresql)(db, old)
    known = set(db.execute('SELECT edge_id, key_id FROM "edge_key"'))
    for edge_id, pem, registered_at in keys:
        if pem and (edge_id, key_id(pem)) not in known:
            db.execute(db.mark('INSERT INTO "edge_key" ("edge_id", "key_id", "key_pem", "added_at", "retired_at") '
                               "VALUES (?, ?, ?, ?, NULL)"), (edge_id, key_id(pem), pem, registered_at))


def _copy(db, source: str, target: str, old_columns: set[str]) -> None:
    values = ", ".join(f'"{c}"' if c in old_columns else default for c, default in COLUMNS.items())
    names = ", ".join(f'"{c}"' for c in COLUMNS)
    db.execute(f'INSERT INTO "{target}" ({names}) SELECT {values} FROM "{source}"')  # noqa: S608 (constants)


def _rebuild_sqlite(db, old_columns: set[str]) -> None:
    # New table first, renamed last: renaming the old one away would rewrite the other tables'
    # REFERENCES "edge" to follow it.
    db.execute(TODAY.format(name="edge_new"))
    _copy(db, "edge", "edge_new", old_columns)
    db.execute('DROP TABLE "edge"')
    db.execute('ALTER TABLE "edge_new" RENAME TO "edge"')


def _rebuild_postgresql(db, old_columns: set[str]) -> None:
    db.execute(f'ALTER TABLE "edge" RENAME TO "{OLD}"')
    for (name,) in db.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass",
                              (OLD,)):  # their names must be free for today's table's own (edge_pkey ...)
        db.execute(f'ALTER TABLE "{OLD}" RENAME CONSTRAINT "{name}" TO "{name}_before_trust"')
    db.execute(TODAY.format(name="edge"))
    _copy(db, OLD, "edge", old_columns)
    referring = db.execute("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                           "WHERE confrelid = %s::regclass AND contype = 'f' ORDER BY 1, 2", (OLD,))
    for table, name, definition in referring:
        db.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        pointed = re.sub(rf"REFERENCES (\w+\.)?{OLD}\(", "REFERENCES edge(", definition)
        db.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {pointed}')
    db.execute(f'DROP TABLE "{OLD}"')
