"""Make today.sqlite.sql and today.postgresql.sql: a hub database as releases made it just before
schema versions were recorded (peewee create_tables of every model, no schema_version table), with
rows written by the real services: edges enrolled with certificates and signing keys (one enrolled
twice, one revoked), tokens used and unused, batches and records ingested through POST /v1/batches,
attachments uploaded in chunks (one complete, one partial), learning records forwarded to a real
test LRS (its cursor and a left-out record), courses imported (two versions of one) and targeted.

    PYTHONPATH=tests/hub .venv/bin/python tests/hub/data/make_today_dumps.py tests/hub/data \\
        postgresql://postgres@127.0.0.1:5432/scratch

(the PostgreSQL database is emptied first). The dumps are committed: tests load them, not this; made
again, they would hold other keys and ids but the same shape. After a schema change, keep these
dumps (they are the past) and make new ones only for a new release's tests.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import psycopg2
from coursekit import build_native_zip, build_scorm12_zip
from hubkit import ADMIN_TOKEN, TLS_NAMES, enrol_edge, now, post_batch
from lrskit import PASSWORD, USER, Lrs, learning_record, mixed_records

from hub import ca, db, keys
from hub.app import create_app
from hub.courses import catalogue
from hub.courses.blobs import BlobStore
from hub.courses.importer import import_package
from hub.courses.package import Limits
from hub.enrolment import edges, tokens
from hub.lrs import client as lrs_http
from hub.lrs import settings as lrs_settings
from hub.lrs.forward import forward
from wire.records import new_record

ESSAY = bytes(range(256)) * 2 + b"tail"  # 516 bytes: 5 chunks of 128
DRAWING = b"\x89PNG" + bytes(300)


def _submission(learner: str, seq: int, files: list[bytes]) -> dict:
    payload = {"assignment": "essay-3", "course": "english-2", "text": "My essay", "attachments": [
        {"id": str(uuid.uuid4()), "sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
         "type": "image/png", "name": f"page-{n}.png"} for n, data in enumerate(files)]}
    return new_record("assignment_submission", learner, seq, payload).to_dict() | {"device": "tab-1",
                                                                                   "received": now()}


def _put(client, edge, data: bytes, first: int, last: int):
    sha = hashlib.sha256(data).hexdigest()
    answer = client.put(f"/v1/attachments/{sha}", data=data[first:last + 1], content_type="application/octet-stream",
                        headers={"Content-Range": f"bytes {first}-{last}/{len(data)}"}, environ_base=edge.environ)
    assert answer.status_code == 200, answer.get_json()


def fill(url: str, instance: Path, lrs: Lrs, secret: Path) -> None:
    instance.mkdir(mode=0o700)
    keys.generate(instance / "sealing_key.pem", instance / "receipt_key.pem")
    paths = ca.files(instance)
    ca.issue_server_cert(ca.create_root(paths), paths, TLS_NAMES)
    app = create_app({"DATABASE_URL": url, "ADMIN_TOKEN_SHA256": hashlib.sha256(ADMIN_TOKEN.encode()).hexdigest(),
                      "MAX_ATTACHMENT_CHUNK_BYTES": 128, "LRS_URL": lrs.url, "LRS_USERNAME": USER,
                      "LRS_PASSWORD_FILE": str(secret), "LRS_BATCH_SIZE": 4}, instance_path=instance)
    with db.proxy.connection_context():
        db.proxy.create_tables(db.all_models())  # what every release did before versions were recorded
        enrol_edge(app, "edge-north")
        north = enrol_edge(app, "edge-north")  # the box replaced: its first certificate revoked, key retiring
        south, west = enrol_edge(app, "edge-south"), enrol_edge(app, "edge-west")
        tokens.create("edge-east", 3600)
        tokens.create("edge-spare", 1)
    client = app.test_client()
    old_form = learning_record("progress_statement", "L-0043", 30, lambda _rid: {"verb": "completed"})
    for edge, records in ((north, mixed_records("L-0042")), (south, mixed_records("L-0043") + [old_form]),
                          (west, mixed_records("L-0044")[:3]),
                          (north, [_submission("L-0042", 20, [ESSAY, DRAWING])])):
        assert post_batch(client, edge, edge.seal(records)).status_code == 200
    for first in range(0, len(ESSAY), 128):
        _put(client, north, ESSAY, first, min(first + 127, len(ESSAY) - 1))
    _put(client, north, DRAWING, 0, 127)  # partial: granted, not stored
    work = Path(instance) / "packages"
    work.mkdir()
    blobs, signing, limits = (BlobStore.from_config(app.config), app.extensions["hub_keys"].get().signing,
                              Limits.from_config(app.config))
    with db.proxy.connection_context():
        forward(lrs_http.LrsClient(lrs_settings.from_config(app.config, app.instance_path)), 4)
        build_scorm12_zip(work / "maths-1.zip", units=2)
        import_package(work / "maths-1.zip", blobs, signing, limits, "maths-one")
        build_scorm12_zip(work / "maths-2.zip", units=3)
        import_package(work / "maths-2.zip", blobs, signing, limits, "maths-one")
        build_native_zip(work / "aid.zip", course="first-aid", title="First aid")
        import_package(work / "aid.zip", blobs, signing, limits, None)
        catalogue.set_target("maths-one", "edge-north")
        catalogue.set_target("first-aid", "edge-south", "wing-b")
        edges.revoke("edge-west", now())
    db.proxy.close()


def main(out: Path, pg_url: str) -> None:
    with tempfile.TemporaryDirectory() as scratch, Lrs() as lrs:
        secret = Path(scratch) / "lrs.secret"
        secret.write_text(PASSWORD + "\n")
        secret.chmod(0o600)
        fill(f"sqlite:///{scratch}/hub.db", Path(scratch) / "sqlite", lrs, secret)
        dump = subprocess.run(["sqlite3", f"{scratch}/hub.db", ".dump"], check=True, capture_output=True, text=True)
        (out / "today.sqlite.sql").write_text(dump.stdout)
        conn = psycopg2.connect(pg_url)
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        conn.close()
        fill(pg_url, Path(scratch) / "pg", lrs, secret)
        dump = subprocess.run(["pg_dump", "--inserts", "--no-owner", "--no-privileges", pg_url], check=True,
                              capture_output=True, text=True)
        (out / "today.postgresql.sql").write_text(dump.stdout)


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
