"""Tablets bound to their learner (edge/intake/bindings.py): the code names the learner, redeeming it binds
the tablet, re-enrolment keeps or moves the binding, one active tablet per learner, the relay's rule,
where down messages go, the store migration and the CLI. Real store, real certificates, the real CLI."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest

from edge import store
from edge.downlink.tables import DownMessage
from edge.intake import bindings
from edge.intake import rules as intake
from edge.tablets import registry as tablets
from edge.transfers import pull
from provisioning import pki
from wire import schema, topics
from wire.records import new_record


def _enrol(files, device: str, learner: str | None = None) -> tablets.Issued:
    code, _ = tablets.create_code(device, 60, learner=learner)
    return tablets.redeem(code, device, pki.csr_to_pem(pki.make_csr(pki.new_key(), device)).decode(), files, 30)


def _learner(device: str) -> str | None:
    return store.Tablet.get(store.Tablet.device == device).learner


def test_a_code_naming_a_learner_binds_the_tablet_when_it_is_redeemed(edge):
    _, files = edge
    code, _ = tablets.create_code("tab-0001", 60, learner="L-0042")
    assert store.Tablet.get_or_none(store.Tablet.device == "tab-0001") is None  # a code alone binds nothing
    tablets.redeem(code, "tab-0001", pki.csr_to_pem(pki.make_csr(pki.new_key(), "tab-0001")).decode(), files, 30)
    assert _learner("tab-0001") == "L-0042"
    assert [row["learner"] for row in tablets.listing()] == ["L-0042"]


def test_re_enrolment_keeps_the_binding_unless_the_new_code_names_another_learner(edge):
    _, files = edge
    _enrol(files, "tab-0001", "L-0042")
    _enrol(files, "tab-0001")  # a replacement tablet, code naming nobody
    assert _learner("tab-0001") == "L-0042"
    _enrol(files, "tab-0001", "L-0042")
    assert _learner("tab-0001") == "L-0042"
    issued = _enrol(files, "tab-0001", "L-0077")  # the tablet given to someone else
    assert _learner("tab-0001") == "L-0077" and issued.revoked_older == 1


def test_a_learner_is_bound_to_one_active_tablet_until_it_is_revoked(edge):
    config, files = edge
    _enrol(files, "tab-0001", "L-0042")
    with pytest.raises(tablets.TabletError) as refused:
        tablets.create_code("tab-0002", 60, learner="L-0042")
    assert refused.value.code == "learner_bound" and refused.value.status == 409
    assert "tab-0001" in refused.value.reason and "L-0042" in refused.value.reason
    tablets.revoke("tab-0001", files, config.tablets.crl_days)
    _enrol(files, "tab-0002", "L-0042")
    assert _learner("tab-0002") == "L-0042"


def test_a_second_code_for_the_same_learner_is_refused_at_redemption_once_the_first_is_used(edge):
    _, files = edge
    first, _ = tablets.create_code("tab-0001", 60, learner="L-0042")
    second, _ = tablets.create_code("tab-0002", 60, learner="L-0042")  # both made before either was used
    tablets.redeem(first, "tab-0001", pki.csr_to_pem(pki.make_csr(pki.new_key(), "tab-0001")).decode(), files, 30)
    with pytest.raises(tablets.TabletError) as refused:
        tablets.redeem(second, "tab-0002", pki.csr_to_pem(pki.make_csr(pki.new_key(), "tab-0002")).decode(),
                       files, 30)
    assert refused.value.code == "learner_bound"
    assert store.Tablet.get_or_none(store.Tablet.device == "tab-0002") is None  # nothing issued
    assert store.TabletCert.select().where(store.TabletCert.device == "tab-0002").count() == 0


@pytest.mark.parametrize("learner", ["-L", "L 42", "x" * 65, "L/42", "Lé"])
def test_a_code_naming_no_valid_learner_id_is_refused(edge, learner):
    with pytest.raises(tablets.TabletError) as refused:
        tablets.create_code("tab-0001", 60, learner=learner)
    assert refused.value.code == "bad_learner" and refused.value.status == 400


def test_down_messages_go_to_the_bound_tablet_else_to_the_fallback(edge):
    config, files = edge
    _enrol(files, "tab-0001", "L-0042")
    _enrol(files, "tab-0002")
    assert bindings.recipient("L-0042", "tab-0002") == "tab-0001"  # not the tablet that last sent as them
    assert bindings.recipient("L-0099", "tab-0002") == "tab-0002"  # nobody bound: today's rule
    tablets.revoke("tab-0001", files, config.tablets.crl_days)
    assert bindings.recipient("L-0042", "tab-0002") is None  # their tablet is gone: no other tablet gets them
    assert bindings.bound_learners(["tab-0001", "tab-0002", "tab-9999"]) == {"tab-0001": "L-0042"}


def _arrived(device: str, learner: str, seq: int):
    record = new_record("message", learner, seq, {"text": "hello"})
    return record, intake.Arrived(topics.up(device), record.to_json(), seq, 1)


def test_intake_refuses_a_bound_tablets_record_for_another_learner_and_takes_the_rest():
    wrong, wrong_msg = _arrived("tab-0001", "L-0099", 1)
    right, right_msg = _arrived("tab-0001", "L-0042", 2)
    free, free_msg = _arrived("tab-0002", "L-0099", 1)
    out = intake.triage([wrong_msg, right_msg, free_msg], known=set(), highest={}, room=10**6, received="now",
                        quota_retry_s=30, bound={"tab-0001": "L-0042"})
    (refusal,) = out.refusals
    assert (refusal.device, refusal.record_id, refusal.code) == ("tab-0001", wrong.id, "learner_mismatch")
    assert "L-0042" in refusal.reason and "L-0099" in refusal.reason and refusal.retry_after is None
    assert [row["id"] for row in out.rows] == [right.id, free.id]
    assert out.acks == {"tab-0001": [right.id], "tab-0002": [free.id]}


OLD_TABLES = [  # the edge store's tablet tables before tablets had a learner
    'CREATE TABLE "tablet" ("device" VARCHAR(63) NOT NULL PRIMARY KEY, "status" VARCHAR(12) NOT NULL, '
    '"serial" VARCHAR(50), "not_after" VARCHAR(30), "enrolled" VARCHAR(30) NOT NULL, "revoked" VARCHAR(30))',
    'CREATE TABLE "enrolmentcode" ("digest" VARCHAR(64) NOT NULL PRIMARY KEY, "device" VARCHAR(63) NOT NULL, '
    '"expires" VARCHAR(30) NOT NULL, "created" VARCHAR(30) NOT NULL, "used" VARCHAR(30))',
    "INSERT INTO tablet VALUES ('tab-0001', 'active', '1234', '2027-01-01T00:00:00.000Z', "
    "'2026-11-01T00:00:00.000Z', NULL)",
    "INSERT INTO tablet VALUES ('tab-0002', 'revoked', '5678', '2027-01-01T00:00:00.000Z', "
    "'2026-11-01T00:00:00.000Z', '2026-11-02T00:00:00.000Z')",
    "INSERT INTO enrolmentcode VALUES ('" + "a" * 64 + "', 'tab-0003', '2026-11-01T00:15:00.000Z', "
    "'2026-11-01T00:00:00.000Z', NULL)",
]


def test_a_store_from_before_bindings_gains_the_learner_columns_and_keeps_its_rows(tmp_path):
    path = tmp_path / "edge.db"
    with sqlite3.connect(path) as old:
        for statement in OLD_TABLES:
            old.execute(statement)
    old.close()
    database = store.open_store(str(path))
    try:
        assert "learner" in {c.name for c in database.get_columns("tablet")}
        assert "learner" in {c.name for c in database.get_columns("enrolmentcode")}
        assert [(r["device"], r["status"], r["serial"], r["learner"]) for r in tablets.listing()] == [
            ("tab-0001", "active", "1234", None), ("tab-0002", "revoked", "5678", None)]
        assert store.EnrolmentCode.get(store.EnrolmentCode.device == "tab-0003").learner is None
        migrated = schema.catalogue(database)
    finally:
        database.close()
    store.open_store(str(path)).close()
    assert schema.catalogue(sqlite3.connect(path)) == migrated  # opening it again changes nothing


def _cli(config, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "throughgate", "edge", "tablets", *args, "--instance",
                           str(config.instance)], capture_output=True, text=True, timeout=60)


def test_the_code_command_names_the_learner_and_the_list_shows_it(edge):
    config, files = edge
    made = _cli(config, "code", "tab-0042", "--learner", "L-0042", "--no-qr")
    assert made.returncode == 0, made.stderr
    assert "Enrolment code for tab-0042: " in made.stdout
    assert "The tablet will be bound to learner L-0042" in made.stdout
    code = made.stdout.split("Enrolment code for tab-0042: ")[1].split()[0]
    tablets.redeem(code, "tab-0042", pki.csr_to_pem(pki.make_csr(pki.new_key(), "tab-0042")).decode(), files, 30)
    _enrol(files, "tab-0043")
    listed = _cli(config, "list")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split()[:3] == ["device", "status", "learner"]
    assert lines[1].split()[:3] == ["tab-0042", "active", "L-0042"]
    assert lines[2].split()[:3] == ["tab-0043", "active", "-"]
    as_json = json.loads(_cli(config, "list", "--json").stdout)
    assert [(row["device"], row["learner"]) for row in as_json] == [("tab-0042", "L-0042"), ("tab-0043", None)]
    refused = _cli(config, "code", "tab-0044", "--learner", "L-0042", "--no-qr")
    assert refused.returncode == 1 and "learner L-0042 is bound to tablet tab-0042" in refused.stderr


def test_a_tablet_bound_to_a_learner_who_arrived_from_another_prison_gets_the_badges_they_brought(edge):
    _, files = edge
    pull.store_page("5e0a9f3c-1d2b-4c3d-8e4f-5a6b7c8d9e0f", "L-0107", [
        {"id": "6f1c1f4e-3c1e-4d8e-9a4a-2b1d6f7e8a90", "kind": "award", "from_edge": "edge-north",
         "from_learner": "L-0042", "created": "2026-12-01T10:00:00.000Z", "payload": '{"badge": "Reader"}'}])
    _enrol(files, "tab-0107", learner="L-0107")
    [queued] = DownMessage.select().where(DownMessage.device == "tab-0107")
    assert queued.message_id == "6f1c1f4e-3c1e-4d8e-9a4a-2b1d6f7e8a90" and '"type":"award"' in queued.body
