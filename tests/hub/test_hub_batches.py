"""POST /v1/batches: what the hub stores, what it refuses, and the receipts it signs."""

from __future__ import annotations

import contextlib
import hashlib
import json
import uuid

import cbor2
import pytest
from hubkit import edge_records, now, post_batch, stored_count

from hub.enrolment import edges
from hub.models import Batch
from wire import receipts
from wire.batches import BatchHeader, _to_be_signed, seal_json
from wire.keys import HubPublicKeys, SealingPrivateKey


def receipt_key(app):
    return HubPublicKeys.from_document(app.extensions["hub_keys"].get().public_document()).receipt


def test_batch_is_stored_and_receipt_verifies_with_exported_key(app, client, edge):
    envelope = edge.seal(edge_records(3))
    response = post_batch(client, edge, envelope)
    assert response.status_code == 200
    header = cbor2.loads(envelope)[0]
    batch_id = json.loads(header)["batch"]
    fields = receipts.verify_receipt(response.get_json(), receipt_key(app), batch_id,
                                     hashlib.sha256(envelope).hexdigest())
    assert (fields["edge"], fields["count"], fields["stored"], fields["duplicates"]) == ("edge-1", 3, 3, 0)
    assert stored_count() == 3
    assert Batch.get(Batch.batch_id == batch_id).stored == 3


def test_same_records_in_a_new_batch_are_not_stored_twice(client, edge):
    records = edge_records(4)
    assert post_batch(client, edge, edge.seal(records)).get_json()["receipt"]["stored"] == 4
    fields = post_batch(client, edge, edge.seal(records[:2] + edge_records(1, first_seq=9))).get_json()["receipt"]
    assert (fields["count"], fields["stored"], fields["duplicates"]) == (3, 1, 2)
    assert stored_count() == 5


def test_a_record_twice_in_one_batch_is_stored_once(client, edge):
    record = edge_records(1)[0]
    fields = post_batch(client, edge, edge.seal([record, record])).get_json()["receipt"]
    assert (fields["stored"], fields["duplicates"]) == (1, 1)
    assert stored_count() == 1


def test_replayed_batch_gets_409_with_original_receipt_and_stores_nothing(client, edge):
    envelope = edge.seal(edge_records(2))
    original = post_batch(client, edge, envelope).get_json()
    response = post_batch(client, edge, envelope)
    assert response.status_code == 409
    body = response.get_json()
    assert body["error"] == "replay" and "already received" in body["reason"]
    assert body["receipt"] == original
    assert stored_count() == 2 and Batch.select().count() == 1


def test_batch_id_used_by_another_edge_is_refused(client, make_edge):
    first, second = make_edge("edge-a"), make_edge("edge-b")
    post_batch(client, first, first.seal(edge_records(1), batch_id="same-id"))
    response = post_batch(client, second, second.seal(edge_records(1), batch_id="same-id"))
    assert response.status_code == 409
    assert response.get_json()["error"] == "batch_conflict"
    assert stored_count() == 1


def _flip(envelope: bytes, part: int, index: int = -1) -> bytes:
    parts = cbor2.loads(envelope)
    changed = bytearray(parts[part])
    changed[index] ^= 0x01
    parts[part] = bytes(changed)
    return cbor2.dumps(parts)


@pytest.mark.parametrize("part, index, code", [
    (0, 12, "bad_signature"),  # header: a character of the batch id
    (0, 2, "bad_header"),  # header: a character of a field name
    (1, 40, "bad_signature"),  # ciphertext
    (2, 0, "bad_signature"),  # signature
])
def test_tampered_envelope_is_refused_and_nothing_stored(client, edge, part, index, code):
    response = post_batch(client, edge, _flip(edge.seal(edge_records(2)), part, index))
    assert response.status_code == 400
    body = response.get_json()
    assert set(body) == {"error", "reason"}
    assert body["error"] == code
    assert stored_count() == 0 and Batch.select().count() == 0


def test_changed_header_re_signed_by_the_edge_does_not_open(client, edge):
    """The header is bound into HPKE: even the edge cannot relabel a sealed body."""
    parts = cbor2.loads(edge.seal(edge_records(2)))
    parts[0] = parts[0].replace(b'"priority":2', b'"priority":0')
    parts[2] = edge.key.sign(_to_be_signed(parts[0], parts[1]))
    response = post_batch(client, edge, cbor2.dumps(parts))
    assert response.status_code == 400
    assert response.get_json()["error"] == "cannot_open"
    assert stored_count() == 0


def test_garbage_body_is_refused(client, edge):
    response = post_batch(client, edge, b"\x00not cbor at all")
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_envelope"


def test_batch_without_a_client_certificate_gets_401(client, edge):
    response = post_batch(client, None, edge.seal(edge_records(1)))
    assert response.status_code == 401
    assert response.get_json()["error"] == "client_certificate_required"
    assert stored_count() == 0


def test_batch_from_a_revoked_edge_gets_403(client, edge):
    edges.revoke(edge.edge_id, now())
    response = post_batch(client, edge, edge.seal(edge_records(1)))
    assert response.status_code == 403
    assert response.get_json()["error"] == "edge_revoked"
    assert stored_count() == 0


def test_batch_claiming_another_edge_gets_403_edge_mismatch(client, make_edge):
    north, south = make_edge("edge-north"), make_edge("edge-south")
    response = post_batch(client, north, south.seal(edge_records(1)))
    assert response.status_code == 403
    body = response.get_json()
    assert body["error"] == "edge_mismatch" and "edge-south" in body["reason"] and "edge-north" in body["reason"]
    assert stored_count() == 0


def test_batch_signed_by_another_key_for_a_known_edge_is_refused(client, edge, make_edge):
    impostor = make_edge("edge-1", enrol=False)
    response = post_batch(client, edge, impostor.seal(edge_records(1)))
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_signature"


def test_batch_sealed_to_another_hub_key_is_refused(client, edge):
    other_hub = SealingPrivateKey.generate().public_key()
    response = post_batch(client, edge, edge.seal(edge_records(2), hub_key=other_hub))
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "cannot_open" and "load this hub's public keys" in body["reason"]
    assert other_hub.id in body["reason"] and "does not hold" in body["reason"]
    assert stored_count() == 0


@pytest.mark.parametrize("spoil, expected", [
    (lambda r: r.update(device="Tablet_1"), "'device'"),
    (lambda r: r.pop("received"), "'received'"),
    (lambda r: r.update(received="yesterday"), "'received'"),
    (lambda r: r.update(created="2026-02-30T10:00:00Z"), "'created'"),
    (lambda r: r.update(kind="gossip"), "unknown_kind"),
    (lambda r: r.update(seq=0), "'seq'"),
    (lambda r: r.update(extra=1), "unknown field"),
])
def test_batch_with_one_invalid_record_stores_nothing(client, edge, spoil, expected):
    records = edge_records(3)
    spoil(records[1])
    response = post_batch(client, edge, edge.seal(records))
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "bad_record"
    assert expected in body["reason"] and records[1]["id"] in body["reason"]
    assert stored_count() == 0 and Batch.select().count() == 0


def test_a_record_with_a_lone_surrogate_escape_is_refused_as_bad_record(client, edge):
    """A tablet's relay refuses one; a batch holding one (from a stolen edge key) got 500 before."""
    records = edge_records(2)
    records[1]["payload"] = {"text": "SURROGATE"}
    raw = json.dumps(records).replace('"SURROGATE"', '"\\ud800"').encode()
    header = BatchHeader(edge=edge.edge_id, batch=str(uuid.uuid4()), seq=1, created=now(), count=2, priority=2,
                         hub_key=edge.hub_key.id)
    response = post_batch(client, edge, seal_json(header, raw, edge.hub_key, edge.key))
    assert response.status_code == 400
    assert response.get_json() == {"error": "bad_record", "reason": f"record {records[1]['id']}: not_json: it "
                                   "holds an unpaired UTF-16 surrogate escape"}
    assert stored_count() == 0


def test_oversize_body_gets_413(app, client, edge):
    limit = app.config["MAX_BATCH_BYTES"]
    response = post_batch(client, edge, b"\x00" * (limit + 1))
    assert response.status_code == 413
    assert response.get_json()["error"] == "too_large"


def test_body_without_cbor_content_type_gets_415(client, edge):
    response = client.post("/v1/batches", data=edge.seal(edge_records(1)), content_type="application/json",
                           environ_base=edge.environ)
    assert response.status_code == 415
    assert stored_count() == 0


def test_stored_record_keeps_what_tablet_and_edge_said(client, auth_headers, edge):
    record = edge_records(1, device="tablet-7", learner="L-7", kind="message")[0]
    post_batch(client, edge, edge.seal([record]))
    [stored] = client.get("/v1/records", headers=auth_headers).get_json()
    assert {k: stored[k] for k in ("id", "device", "learner", "kind", "seq", "created", "payload")} == {
        k: record[k] for k in ("id", "device", "learner", "kind", "seq", "created", "payload")}
    assert stored["received_at_edge"] == record["received"] and stored["edge"] == "edge-1"


@pytest.mark.parametrize("created", ["0001-01-01T00:00:00.000+01:00", "2026-11-26T20:10:00.000+23:59"])
def test_a_tablet_clock_an_older_edge_let_through_does_not_refuse_the_batch(client, auth_headers, edge, created):
    """Edges now refuse these at intake; one upgraded after its outbox took them must still deliver, or its
    whole uplink would stop at that batch."""
    records = edge_records(3)
    records[1]["created"] = created

    response = post_batch(client, edge, edge.seal(records))

    assert response.status_code == 200, response.get_json()
    stored = {r["id"]: r["created"] for r in client.get("/v1/records", headers=auth_headers).get_json()}
    assert stored[records[1]["id"]] == created and len(stored) == 3


def test_batches_arriving_out_of_order_and_again_are_each_stored_once(client, edge):
    envelopes = [edge.seal(edge_records(3, device=f"tablet-{i}")) for i in range(5)]  # seq 1..5
    order = [4, 2, 0, 4, 3, 1, 0, 2]
    statuses = [post_batch(client, edge, envelopes[i]).status_code for i in order]
    assert statuses == [200, 200, 200, 409, 200, 200, 409, 409]
    assert stored_count() == 15 and Batch.select().count() == 5


def test_a_batch_finding_every_opening_slot_taken_gets_503_busy_and_goes_in_when_sent_again(app, client, edge):
    envelope = edge.seal(edge_records(2))
    slots = app.extensions["batch_slots"]
    with contextlib.ExitStack() as holding:
        assert all(holding.enter_context(slots.taken()) for _ in range(slots.most))
        response = post_batch(client, edge, envelope)
    assert response.status_code == 503 and response.headers["Retry-After"] == "1"
    assert response.get_json() == {"error": "busy", "retry_after": 1, "reason": "the hub has been opening as many "
                                   "batches as it takes at once (2) for 2 s; it kept nothing of this one: send it "
                                   "again in 1 s"}
    assert stored_count() == 0 and Batch.select().count() == 0

    response = post_batch(client, edge, envelope)
    assert response.status_code == 200 and stored_count() == 2


@pytest.mark.parametrize("hub_settings", [{"MAX_BATCH_RECORDS": 3}])
def test_a_batch_of_more_records_than_the_hub_takes_is_refused_saying_what_to_set(client, edge):
    assert post_batch(client, edge, edge.seal(edge_records(3))).status_code == 200

    response = post_batch(client, edge, edge.seal(edge_records(4, first_seq=4)))
    assert response.status_code == 400
    assert response.get_json() == {"error": "too_many_records", "reason": "the batch holds 4 records; this hub "
                                   "takes at most 3 in one batch: set uplink.batch_records to 3 or fewer on edge "
                                   "edge-1, and raise the hub's MAX_BATCH_RECORDS to 4 for the batches it has "
                                   "sealed already"}
    assert stored_count() == 3
