"""Make before_trust.sqlite.sql and before_trust.postgresql.sql: a hub database as the first hub
release (commit 2fd6a85, before enrolment and mutual TLS) made it, with rows its own code wrote.

Run it with that release's code, from a scratch copy, never from this tree:

    git archive 2fd6a85 | tar -x -C /tmp/hub-2fd6a85
    PYTHONPATH=/tmp/hub-2fd6a85:/tmp/hub-2fd6a85/tests/hub .venv/bin/python \\
        tests/hub/data/make_before_trust_dumps.py tests/hub/data postgresql://postgres@127.0.0.1:5432/scratch

(the PostgreSQL database is emptied first). The dumps are committed: tests load them, not this.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg2
from hubkit import ADMIN_TOKEN, FakeEdge, edge_records, post_batch

from hub import create_app, db, edges, keys
from wire.keys import new_signing_key, verify_key_to_pem

EDGES = ("edge-north", "HMP_Oldbury.1", "edge-south")


def fill(url: str, instance: Path) -> None:
    keys.generate(instance / "sealing_key.pem", instance / "receipt_key.pem")
    app = create_app({"DATABASE_URL": url, "ADMIN_TOKEN_SHA256": hashlib.sha256(ADMIN_TOKEN.encode()).hexdigest()},
                     instance_path=instance)
    db.create_tables()
    client = app.test_client()
    made = []
    with db.connected():
        for edge_id in EDGES:
            key = new_signing_key()
            edges.register(edge_id, verify_key_to_pem(key.public_key()))
            made.append(FakeEdge(edge_id, key, app.extensions["hub_keys"].sealing.public_key()))
    for n, edge in enumerate(made):
        for batch in range(2):
            device, learner = f"tablet-{n}-{batch}", f"L-00{40 + n}"
            records = edge_records(3, device=device, learner=learner)
            records += edge_records(1, device=device, learner=learner, kind="message", first_seq=4)
            assert post_batch(client, edge.seal(records)).status_code == 200
    with db.connected():
        edges.revoke("edge-south")
    db.proxy.close()


def main(out: Path, pg_url: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        (Path(scratch) / "sqlite").mkdir()
        fill(f"sqlite:///{scratch}/hub.db", Path(scratch) / "sqlite")
        dump = subprocess.run(["sqlite3", f"{scratch}/hub.db", ".dump"], check=True, capture_output=True, text=True)
        (out / "before_trust.sqlite.sql").write_text(dump.stdout)
        conn = psycopg2.connect(pg_url)
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        conn.close()
        (Path(scratch) / "pg").mkdir()
        fill(pg_url, Path(scratch) / "pg")
        dump = subprocess.run(["pg_dump", "--inserts", "--no-owner", "--no-privileges",
                               pg_url], check=True, capture_output=True, text=True)
        (out / "before_trust.postgresql.sql").write_text(dump.stdout)


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
