"""The hub's key files, their rotation, and the public document edges load."""

from __future__ import annotations

import json
import stat

import pytest
from hubkit import edge_records, post_batch, stored_count

from hub import keys
from wire import keys as wire_keys
from wire import receipts


def test_generated_key_files_are_private_to_their_owner(tmp_path):
    keys.generate(tmp_path / "s.pem", tmp_path / "r.pem")
    for name in ("s.pem", "r.pem"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600


def test_generate_never_replaces_an_existing_key(tmp_path):
    keys.generate(tmp_path / "s.pem", tmp_path / "r.pem")
    before = (tmp_path / "s.pem").read_bytes()
    with pytest.raises(keys.KeyFileError, match="already exists"):
        keys.generate(tmp_path / "s.pem", tmp_path / "other.pem")
    assert (tmp_path / "s.pem").read_bytes() == before
    assert not (tmp_path / "other.pem").exists()


def test_loaded_keys_are_the_generated_ones(tmp_path):
    made = keys.generate(tmp_path / "s.pem", tmp_path / "r.pem")
    loaded = keys.load(tmp_path / "s.pem", tmp_path / "r.pem")
    assert loaded.public_document() == made.public_document()


def test_public_document_round_trips_and_verifies_receipts(tmp_path):
    hub_keys = keys.generate(tmp_path / "s.pem", tmp_path / "r.pem")
    document = json.loads(json.dumps(hub_keys.public_document()))
    assert set(document) == {"sealing_key", "sealing_key_id", "receipt_key"}
    assert "PRIVATE" not in document["sealing_key"] + document["receipt_key"]
    public = wire_keys.HubPublicKeys.from_document(json.dumps(document))
    assert public.sealing.id == document["sealing_key_id"] == hub_keys.sealing_key_id
    receipt = receipts.sign_receipt({"batch": "b", "digest": "d"}, hub_keys.signing)
    assert receipts.verify_receipt(receipt, public.receipt, "b", "d")["batch"] == "b"


def test_public_document_with_a_wrong_key_id_is_refused(tmp_path):
    document = keys.generate(tmp_path / "s.pem", tmp_path / "r.pem").public_document()
    with pytest.raises(ValueError, match="does not match"):
        wire_keys.HubPublicKeys.from_document(document | {"sealing_key_id": "0" * 16})


def test_missing_key_file_says_to_run_init(tmp_path):
    with pytest.raises(keys.KeyFileError, match=f"run `throughgate hub init --instance {tmp_path}`"):
        keys.load(tmp_path / "sealing_key.pem", tmp_path / "receipt_key.pem")


def test_unreadable_key_file_says_to_restore_it(tmp_path):
    keys.generate(tmp_path / "s.pem", tmp_path / "r.pem")
    (tmp_path / "bad.pem").write_text("not a key")
    with pytest.raises(keys.KeyFileError, match="restore it from backup"):
        keys.load(tmp_path / "bad.pem", tmp_path / "r.pem")


def test_rotation_keeps_the_previous_key_private_and_makes_a_new_one_current(tmp_path):
    made = keys.generate(tmp_path / "sealing_key.pem", tmp_path / "r.pem")
    old_id, new_id = keys.rotate(tmp_path / "sealing_key.pem")
    assert old_id == made.sealing_key_id != new_id
    kept = tmp_path / "sealing_keys" / f"{old_id}.pem"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    loaded = keys.load(tmp_path / "sealing_key.pem", tmp_path / "r.pem")
    assert loaded.sealing_key_id == new_id
    assert loaded.public_document()["sealing_key_id"] == new_id
    assert loaded.opening_key(old_id).public_key().id == old_id
    assert loaded.opening_key("0" * 16) is None


def test_a_running_hub_sees_a_rotation_on_its_next_call(tmp_path):
    keys.generate(tmp_path / "sealing_key.pem", tmp_path / "r.pem")
    files = keys.KeyFiles(tmp_path / "sealing_key.pem", tmp_path / "r.pem")
    before = files.get().sealing_key_id
    _old, new_id = keys.rotate(tmp_path / "sealing_key.pem")
    assert files.get().sealing_key_id == new_id
    assert files.get().opening_key(before) is not None


def test_batches_sealed_to_the_old_key_still_open_after_a_rotation(app, client, edge, instance):
    old_public = edge.hub_key
    in_flight = [edge.seal(edge_records(2, device=f"tablet-{i}")) for i in range(2)]
    keys.rotate(instance / "sealing_key.pem")
    current = client.get("/v1/edge/hub-keys", environ_base=edge.environ).get_json()
    new_public = wire_keys.HubPublicKeys.from_document(current).sealing
    assert new_public.id != old_public.id
    fresh = edge.seal(edge_records(1, device="tablet-9"), hub_key=new_public)
    assert [post_batch(client, edge, envelope).status_code for envelope in [fresh, *in_flight]] == [200] * 3
    assert stored_count() == 5
